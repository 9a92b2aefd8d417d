// SPDX-License-Identifier: GPL-3.0-or-later
#include "attachmentviewer.h"

#include "attachmentmanager.h"
#include "attachmentui.h"
#include "client.h"
#include "errortext.h"

#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QImageReader>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QVBoxLayout>

namespace cpm::ui {

AttachmentViewer::AttachmentViewer(
    Client* client, const QString& attachmentId, const QString& name, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_attachmentId(attachmentId)
    , m_name(name)
    , m_picture(new QLabel(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(name);
    setObjectName(QStringLiteral("attachmentViewer"));
    m_picture->setAlignment(Qt::AlignCenter);
    m_picture->setMinimumSize(120, 90);
    m_picture->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_picture->setAccessibleName(tr("Picture %1").arg(name));
    m_error->setWordWrap(true);
    m_error->hide();

    if (Result<std::unique_ptr<QIODevice>> copy = client->attachments().open(attachmentId)) {
        QImageReader reader(copy->get());
        reader.setAutoTransform(true);
        m_image = reader.read();
        if (m_image.isNull()) {
            m_error->setText(tr("This picture cannot be shown: %1").arg(reader.errorString()));
        }
    } else {
        m_error->setText(ErrorText::forAction(copy.error()));
    }
    m_error->setVisible(m_image.isNull());

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* save = buttons->addButton(tr("Save as…"), QDialogButtonBox::ActionRole);
    save->setObjectName(QStringLiteral("saveAs"));
    save->setEnabled(!m_image.isNull() || client->attachments().has(attachmentId));
    connect(save, &QPushButton::clicked, this, &AttachmentViewer::saveAs);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_picture, 1);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    // As large as the picture, within most of the screen.
    QSize wanted = m_image.isNull() ? QSize(360, 200) : m_image.size() + QSize(24, 64);
    if (const QScreen* screen = QGuiApplication::primaryScreen()) {
        wanted = wanted.boundedTo(screen->availableSize() * 0.85);
    }
    resize(wanted.expandedTo(QSize(320, 200)));
}

AttachmentViewer::~AttachmentViewer() = default;

void AttachmentViewer::resizeEvent(QResizeEvent* event)
{
    QDialog::resizeEvent(event);
    rescale();
}

void AttachmentViewer::rescale()
{
    if (m_image.isNull()) {
        return;
    }
    const QSize room = m_picture->size() * devicePixelRatio();
    QImage shown = m_image.width() > room.width() || m_image.height() > room.height()
        ? m_image.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation)
        : m_image;
    QPixmap pixmap = QPixmap::fromImage(shown);
    pixmap.setDevicePixelRatio(devicePixelRatio());
    m_picture->setPixmap(pixmap);
}

void AttachmentViewer::saveAs()
{
    const QString error = attachmentui::saveAs(this, m_client, m_attachmentId, m_name);
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
    }
}

} // namespace cpm::ui
