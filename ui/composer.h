// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The message composer: an optional subject and multi-line text that grows as it is
// written. Enter sends, Shift+Enter starts a new line. Files (MSG-1) come with the attach
// button (Ctrl+Shift+A), by drag and drop or by paste, and show as removable chips above
// the text until sent.

#include <QHash>
#include <QStringList>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class QMimeData;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace cpm::ui {

class Composer final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Composer)

public:
    explicit Composer(QWidget* parent = nullptr);
    ~Composer() override;

    QPlainTextEdit* textEdit() const { return m_text; }
    void clear();
    //! In a chat session there is no subject: the field goes and the hint says where the
    //! text goes.
    void setSessionMode(bool session);
    //! A guest's composer refuses pasted pictures: they would need a plain file on disk.
    void setGuest(bool guest) { m_guest = guest; }

    //! The files chosen to go with the next message.
    QStringList files() const { return m_files; }
    //! Adds \a paths (local files) to the next message; says why one is refused.
    void addFiles(const QStringList& paths);
    void removeFile(const QString& path);
    //! Files (URLs) or a picture from \a mime, as a drop or a paste brings them; true when
    //! it had any.
    bool addFromMimeData(const QMimeData* mime);
    //! Asks for files to attach (the attach button, Ctrl+Shift+A).
    void chooseFiles();
    //! The files went with the message \a clientId (from Client::send): its pasted
    //! pictures stay until releaseTemporaryFiles(\a clientId), then clear() empties it.
    void handOver(const QString& clientId);
    //! The message \a clientId was sent or failed: its pasted pictures go.
    void releaseTemporaryFiles(const QString& clientId);

    static QString tooManyFilesText();

Q_SIGNALS:
    void sendRequested(const QString& subject, const QString& body, const QStringList& files);
    //! Something the user did could not be done (a file that cannot be read, too many).
    void problem(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void rebuildChips();
    //! Saves a pasted picture as a private PNG and attaches it.
    void addImage(const QImage& image);
    void submit();
    void updateButton();
    //! As tall as the text, from MinLines to MaxLines; past that it scrolls.
    void fitHeight();

    static constexpr int MinLines = 2;
    static constexpr int MaxLines = 10;

    QLineEdit* m_subject;
    QPlainTextEdit* m_text;
    QPushButton* m_send;
    QToolButton* m_attach;
    QWidget* m_chips;
    QHBoxLayout* m_chipsLayout;
    QStringList m_files;
    QStringList m_temporary; //!< pasted pictures among m_files: removed once sent
    QHash<QString, QStringList> m_handedOver; //!< pasted pictures by the message's clientId
    bool m_guest = false;
};

} // namespace cpm::ui
