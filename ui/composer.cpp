// SPDX-License-Identifier: GPL-3.0-or-later
#include "composer.h"

#include "argreader.h"
#include "attachmentui.h"
#include "protocol.h"

#include <QAbstractTextDocumentLayout>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QStandardPaths>
#include <QStyle>
#include <QTemporaryFile>
#include <QTextDocument>
#include <QToolButton>
#include <QUrl>

#include <algorithm>

namespace cpm::ui {

namespace {
//! Whether \a mime brings local files or a picture (rather than text).
bool bringsFiles(const QMimeData* mime)
{
    if (mime->hasImage()) {
        return true;
    }
    const QList<QUrl> urls = mime->urls();
    return !urls.isEmpty()
        && std::all_of(urls.begin(), urls.end(), [](const QUrl& u) { return u.isLocalFile(); });
}

//! The text field: a paste or a drop of files or of a picture attaches them.
class ComposerText final : public QPlainTextEdit {
public:
    ComposerText(Composer* composer)
        : QPlainTextEdit(composer)
        , m_composer(composer)
    {
    }

protected:
    bool canInsertFromMimeData(const QMimeData* source) const override
    {
        return bringsFiles(source) || QPlainTextEdit::canInsertFromMimeData(source);
    }
    void insertFromMimeData(const QMimeData* source) override
    {
        if (!bringsFiles(source) || !m_composer->addFromMimeData(source)) {
            QPlainTextEdit::insertFromMimeData(source);
        }
    }

private:
    Composer* m_composer;
};
} // namespace

Composer::Composer(QWidget* parent)
    : QWidget(parent)
    , m_subject(new QLineEdit(this))
    , m_text(new ComposerText(this))
    , m_send(new QPushButton(tr("Send"), this))
    , m_attach(new QToolButton(this))
    , m_chips(new QWidget(this))
    , m_chipsLayout(new QHBoxLayout(m_chips))
{
    m_subject->setPlaceholderText(tr("Subject (optional)"));
    m_subject->setAccessibleName(tr("Subject"));
    // The limit counts characters (an emoji is one, two UTF-16 units): QLineEdit counts
    // units, so it gets room for the worst case and the text is cut to the limit.
    m_subject->setMaxLength(static_cast<int>(2 * protocol::limits::MaxSubjectChars));
    connect(m_subject, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (protocol::characterCount(text) > protocol::limits::MaxSubjectChars) {
            const int cursor = m_subject->cursorPosition();
            m_subject->setText(protocol::leftCharacters(text, protocol::limits::MaxSubjectChars));
            m_subject->setCursorPosition(std::min(cursor, int(m_subject->text().size())));
        }
    });
    m_subject->setObjectName(QStringLiteral("subject"));
    m_text->setPlaceholderText(tr("Write a message — Enter sends, Shift+Enter adds a line"));
    m_text->setAccessibleName(tr("Message text"));
    m_text->setTabChangesFocus(true);
    m_text->setObjectName(QStringLiteral("messageText"));
    fitHeight();
    m_send->setAccessibleName(tr("Send message"));
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setToolTip(tr("Send (Enter)"));

    m_attach->setObjectName(QStringLiteral("attach"));
    m_attach->setIcon(QIcon::fromTheme(QStringLiteral("mail-attachment"),
        style()->standardIcon(QStyle::SP_FileIcon, nullptr, this)));
    m_attach->setText(tr("Attach"));
    m_attach->setToolTip(tr("Attach files (Ctrl+Shift+A) — or drop or paste them here"));
    m_attach->setAccessibleName(tr("Attach files"));
    m_attach->setAutoRaise(true);
    connect(m_attach, &QToolButton::clicked, this, &Composer::chooseFiles);
    auto* attachShortcut = new QShortcut(
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), this, this, &Composer::chooseFiles);
    attachShortcut->setContext(Qt::WidgetWithChildrenShortcut);

    m_chips->setObjectName(QStringLiteral("attachments"));
    m_chipsLayout->setContentsMargins(0, 0, 0, 0);
    m_chipsLayout->setSpacing(6);
    m_chips->hide();
    setAcceptDrops(true);

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(m_subject, 0, 0, 1, 3);
    layout->addWidget(m_chips, 1, 0, 1, 3);
    layout->addWidget(m_attach, 2, 0, Qt::AlignBottom);
    layout->addWidget(m_text, 2, 1);
    layout->addWidget(m_send, 2, 2, Qt::AlignBottom);

    m_text->installEventFilter(this);
    connect(m_send, &QPushButton::clicked, this, &Composer::submit);
    connect(m_text, &QPlainTextEdit::textChanged, this, &Composer::updateButton);
    // Grows with what is written (also as a wider window re-wraps it), up to a limit.
    connect(m_text->document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged,
        this, &Composer::fitHeight);
    updateButton();
}

Composer::~Composer() = default;

void Composer::clear()
{
    m_subject->clear();
    m_text->clear();
    for (const QString& path : std::as_const(m_temporary)) {
        QFile::remove(path);
    }
    m_temporary.clear();
    m_files.clear();
    rebuildChips();
}

QString Composer::tooManyFilesText()
{
    return tr("At most %n files can go with one message.", nullptr,
        protocol::limits::MaxAttachmentsPerMessage);
}

void Composer::addFiles(const QStringList& paths)
{
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.isFile() || !info.isReadable()) {
            Q_EMIT problem(
                tr("“%1” cannot be read: it is not a file, or it is gone.").arg(info.fileName()));
            continue;
        }
        const QString canonical = info.absoluteFilePath();
        if (m_files.contains(canonical)) {
            continue;
        }
        if (m_files.size() >= protocol::limits::MaxAttachmentsPerMessage) {
            Q_EMIT problem(tooManyFilesText());
            break;
        }
        m_files.append(canonical);
    }
    rebuildChips();
    updateButton();
}

void Composer::removeFile(const QString& path)
{
    m_files.removeAll(path);
    if (m_temporary.removeAll(path) > 0) {
        QFile::remove(path);
    }
    rebuildChips();
    updateButton();
}

bool Composer::addFromMimeData(const QMimeData* mime)
{
    QStringList paths;
    const QList<QUrl> urls = mime->urls();
    for (const QUrl& url : urls) {
        if (url.isLocalFile()) {
            paths.append(url.toLocalFile());
        }
    }
    if (!paths.isEmpty()) {
        addFiles(paths);
        return true;
    }
    if (mime->hasImage()) {
        addImage(qvariant_cast<QImage>(mime->imageData()));
        return true;
    }
    return false;
}

void Composer::addImage(const QImage& image)
{
    if (image.isNull()) {
        return;
    }
    if (m_guest) {
        // Sending it would need the picture as a plain file outside the guest's vault.
        Q_EMIT problem(tr("A guest cannot paste pictures. Save the picture to a file and "
                          "attach that file instead."));
        return;
    }
    if (m_files.size() >= protocol::limits::MaxAttachmentsPerMessage) {
        Q_EMIT problem(tooManyFilesText());
        return;
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
        + QStringLiteral("/pasted");
    QDir().mkpath(dir);
    QTemporaryFile file(dir + QStringLiteral("/pasted-XXXXXX.png"));
    file.setAutoRemove(false);
    // QTemporaryFile creates the file readable by its owner only (0600).
    if (!file.open() || !image.save(&file, "PNG")) {
        file.remove();
        Q_EMIT problem(tr("The pasted picture could not be kept for sending."));
        return;
    }
    file.close();
    m_temporary.append(file.fileName());
    addFiles({ file.fileName() });
}

void Composer::chooseFiles()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Attach files"), QStandardPaths::writableLocation(QStandardPaths::HomeLocation));
    addFiles(paths);
    m_text->setFocus();
}

void Composer::handOver(const QString& clientId)
{
    if (!m_temporary.isEmpty()) {
        m_handedOver.insert(clientId, std::exchange(m_temporary, {}));
    }
    clear();
}

void Composer::releaseTemporaryFiles(const QString& clientId)
{
    const QStringList paths = m_handedOver.take(clientId);
    for (const QString& path : paths) {
        QFile::remove(path);
    }
}

void Composer::rebuildChips()
{
    while (QLayoutItem* item = m_chipsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString& path : std::as_const(m_files)) {
        const QFileInfo info(path);
        auto* chip = new QToolButton(m_chips);
        chip->setObjectName(QStringLiteral("attachmentChip"));
        chip->setText(tr("%1 (%2)  ✕").arg(info.fileName(), attachmentui::sizeText(info.size())));
        chip->setToolTip(tr("Remove %1 from the message").arg(info.fileName()));
        chip->setAccessibleName(tr("Attached: %1, %2. Press to remove.")
                                    .arg(info.fileName(), attachmentui::sizeText(info.size())));
        connect(chip, &QToolButton::clicked, this, [this, path] { removeFile(path); });
        m_chipsLayout->addWidget(chip);
    }
    m_chipsLayout->addStretch(1);
    m_chips->setVisible(!m_files.isEmpty());
}

void Composer::dragEnterEvent(QDragEnterEvent* event)
{
    if (bringsFiles(event->mimeData())) {
        event->acceptProposedAction();
    }
}

void Composer::dropEvent(QDropEvent* event)
{
    if (addFromMimeData(event->mimeData())) {
        event->acceptProposedAction();
    }
}

void Composer::setSessionMode(bool session)
{
    m_subject->setVisible(!session);
    m_text->setPlaceholderText(session
            ? tr("Say something in the chat session — Enter sends, Shift+Enter adds a line")
            : tr("Write a message — Enter sends, Shift+Enter adds a line"));
}

bool Composer::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_text && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && !(key->modifiers() & Qt::ShiftModifier)) {
            submit();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void Composer::submit()
{
    const QString body = m_text->toPlainText().trimmed();
    if (body.isEmpty() && m_files.isEmpty()) {
        return;
    }
    Q_EMIT sendRequested(
        m_subject->isHidden() ? QString() : m_subject->text().trimmed(), body, m_files);
}

void Composer::fitHeight()
{
    // A plain text layout measures its height in lines, wrapped lines included.
    const int lines = std::clamp(int(m_text->document()->size().height()), MinLines, MaxLines);
    const QMargins margins = m_text->contentsMargins();
    const int height = m_text->fontMetrics().lineSpacing() * lines
        + int(2 * m_text->document()->documentMargin()) + margins.top() + margins.bottom() + 2;
    if (m_text->height() != height) {
        m_text->setFixedHeight(height);
    }
}

void Composer::updateButton()
{
    m_send->setEnabled(!m_text->toPlainText().trimmed().isEmpty() || !m_files.isEmpty());
}

} // namespace cpm::ui
