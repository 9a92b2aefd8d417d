// SPDX-License-Identifier: GPL-3.0-or-later
#include "myfilesdialog.h"

#include "attachmentmanager.h"
#include "attachmentui.h"
#include "client.h"
#include "errortext.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cpm::ui {

namespace {
enum Column { NameColumn, TypeColumn, SizeColumn, StateColumn, DateColumn, ColumnCount };

//! A size cell that sorts by bytes, not by its text.
class SizeItem final : public QTableWidgetItem {
public:
    explicit SizeItem(qint64 bytes)
        : QTableWidgetItem(attachmentui::sizeText(bytes))
        , m_bytes(bytes)
    {
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override
    {
        return m_bytes < static_cast<const SizeItem&>(other).m_bytes;
    }

private:
    qint64 m_bytes;
};
} // namespace

MyFilesDialog::MyFilesDialog(Client* client, QWidget* parent)
    : QDialog(parent)
    , m_client(client)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_usage(new QLabel(this))
    , m_usageBar(new QProgressBar(this))
    , m_error(new QLabel(this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
    , m_delete(new QPushButton(tr("&Delete…"), this))
    , m_save(new QPushButton(tr("&Save a copy…"), this))
{
    setWindowTitle(tr("My files"));
    setObjectName(QStringLiteral("myFilesDialog"));
    m_table->setObjectName(QStringLiteral("files"));
    m_table->setAccessibleName(tr("Files in your storage on the server"));
    m_table->setHorizontalHeaderLabels(
        { tr("Name"), tr("Type"), tr("Size"), tr("State"), tr("Uploaded") });
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTabKeyNavigation(false); // Tab leaves the table for the buttons
    m_table->verticalHeader()->hide();
    m_table->setSortingEnabled(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int c = TypeColumn; c < ColumnCount; ++c) {
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    }
    m_usage->setObjectName(QStringLiteral("usage"));
    m_usageBar->setTextVisible(false);
    m_usageBar->setMaximumHeight(8);
    m_usageBar->setAccessibleName(tr("Storage used"));
    m_error->setWordWrap(true);
    m_error->hide();
    m_delete->setObjectName(QStringLiteral("delete"));
    m_delete->setToolTip(tr("Delete the selected files from your storage (Del)"));
    m_delete->setShortcut(QKeySequence::Delete);
    m_refresh->setObjectName(QStringLiteral("refresh"));
    m_refresh->setShortcut(QKeySequence::Refresh);

    m_save->setObjectName(QStringLiteral("saveCopy"));
    m_save->setToolTip(tr("Download the selected file from your storage to this computer"));
    connect(m_save, &QPushButton::clicked, this, &MyFilesDialog::saveCopy);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_refresh, QDialogButtonBox::ActionRole);
    buttons->addButton(m_save, QDialogButtonBox::ActionRole);
    buttons->addButton(m_delete, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_refresh, &QPushButton::clicked, this, &MyFilesDialog::refresh);
    connect(m_delete, &QPushButton::clicked, this, &MyFilesDialog::deleteSelected);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &MyFilesDialog::updateButtons);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_usage);
    layout->addWidget(m_usageBar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(640, 400);
    updateButtons();
    refresh();
}

MyFilesDialog::~MyFilesDialog() = default;

QString MyFilesDialog::stateText(const QString& state)
{
    if (state == protocol::attachmentState::Uploading) {
        return tr("Uploading");
    }
    if (state == protocol::attachmentState::Complete) {
        return tr("Complete");
    }
    if (state == protocol::attachmentState::Deleted) {
        return tr("Deleted");
    }
    return state;
}

void MyFilesDialog::refresh()
{
    m_refresh->setEnabled(false);
    m_usage->setText(tr("Loading…"));
    m_client->attachments().listFiles([guard = QPointer<MyFilesDialog>(this)](const Error& error,
                                          const QList<protocol::Attachment>& files,
                                          qint64 usedBytes, qint64 quotaBytes) {
        if (!guard) {
            return;
        }
        MyFilesDialog* self = guard;
        self->m_refresh->setEnabled(true);
        self->m_error->setVisible(!error.isNull());
        if (!error.isNull()) {
            self->m_error->setText(ErrorText::forAction(error));
            self->m_usage->clear();
            Q_EMIT self->refreshed();
            return;
        }
        QTableWidget* table = self->m_table;
        self->m_filesById.clear();
        for (const protocol::Attachment& f : files) {
            self->m_filesById.insert(f.id, f);
        }
        table->setSortingEnabled(false);
        table->setRowCount(int(files.size()));
        for (int row = 0; row < files.size(); ++row) {
            const protocol::Attachment& f = files.at(row);
            auto* name = new QTableWidgetItem(f.name);
            name->setData(Qt::UserRole, f.id);
            name->setToolTip(f.name);
            table->setItem(row, NameColumn, name);
            table->setItem(row, TypeColumn, new QTableWidgetItem(f.type));
            table->setItem(row, SizeColumn, new SizeItem(f.size));
            table->setItem(row, StateColumn, new QTableWidgetItem(stateText(f.state)));
            auto* date = new QTableWidgetItem(
                QLocale().toString(QDateTime::fromMSecsSinceEpoch(f.time), QLocale::ShortFormat));
            date->setData(Qt::UserRole, f.time);
            table->setItem(row, DateColumn, date);
        }
        table->setSortingEnabled(true);
        if (quotaBytes > 0) {
            self->m_usage->setText(
                tr("%1 of %2 used")
                    .arg(attachmentui::sizeText(usedBytes), attachmentui::sizeText(quotaBytes)));
            self->m_usageBar->setRange(0, 1000);
            self->m_usageBar->setValue(int(std::min<qint64>(1000, usedBytes * 1000 / quotaBytes)));
            self->m_usageBar->show();
        } else {
            self->m_usage->setText(tr("%1 used").arg(attachmentui::sizeText(usedBytes)));
            self->m_usageBar->hide();
        }
        self->updateButtons();
        Q_EMIT self->refreshed();
    });
}

void MyFilesDialog::updateButtons()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows(NameColumn);
    m_delete->setEnabled(!rows.isEmpty());
    m_save->setEnabled(rows.size() == 1
        && m_filesById.value(rows.constFirst().data(Qt::UserRole).toString()).state
            == protocol::attachmentState::Complete);
}

void MyFilesDialog::saveCopy()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows(NameColumn);
    if (rows.size() != 1) {
        return;
    }
    const protocol::Attachment file
        = m_filesById.value(rows.constFirst().data(Qt::UserRole).toString());
    const QString path = attachmentui::askSavePath(this, file.name);
    if (path.isEmpty()) {
        return;
    }
    m_error->hide();
    m_save->setEnabled(false);
    m_client->attachments().downloadOwn(
        file, path, [guard = QPointer<MyFilesDialog>(this)](const Error& error) {
            if (!guard) {
                return;
            }
            guard->m_error->setVisible(!error.isNull());
            guard->m_error->setText(error.isNull() ? QString() : ErrorText::forAction(error));
            guard->updateButtons();
            Q_EMIT guard->savedCopy(error.isNull());
        });
}

void MyFilesDialog::deleteSelected()
{
    QStringList ids;
    QStringList names;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows(NameColumn);
    for (const QModelIndex& index : rows) {
        ids.append(index.data(Qt::UserRole).toString());
        names.append(index.data().toString());
    }
    if (ids.isEmpty()) {
        return;
    }
    const QString question = ids.size() == 1
        ? tr("Delete “%1” from your storage? Messages that carry it can no longer be "
             "downloaded by anyone who has not got it yet.")
              .arg(names.constFirst())
        : tr("Delete %n files from your storage? Messages that carry them can no longer be "
             "downloaded by anyone who has not got them yet.",
            nullptr, int(ids.size()));
    if (QMessageBox::question(this, tr("Delete files"), question,
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes) {
        return;
    }
    auto remaining = std::make_shared<int>(int(ids.size()));
    for (const QString& id : std::as_const(ids)) {
        m_client->attachments().deleteFile(
            id, [guard = QPointer<MyFilesDialog>(this), remaining](const Error& error) {
                if (!guard) {
                    return;
                }
                if (!error.isNull()) {
                    guard->m_error->setText(ErrorText::forAction(error));
                    guard->m_error->show();
                }
                if (--*remaining == 0) {
                    guard->refresh();
                }
            });
    }
}

} // namespace cpm::ui
