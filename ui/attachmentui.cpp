// SPDX-License-Identifier: GPL-3.0-or-later
#include "attachmentui.h"

#include "attachmentmanager.h"
#include "client.h"
#include "errortext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>
#include <QUrl>

namespace cpm::ui::attachmentui {

namespace {
SaveChooser& chooser()
{
    static SaveChooser c;
    return c;
}

//! Where openExternally() puts decrypted copies, a directory per attachment.
QString openedCopiesDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
        + QStringLiteral("/open");
}
} // namespace

QString sizeText(qint64 bytes) { return QLocale().formattedDataSize(bytes, 1); }

void setSaveChooser(SaveChooser c) { chooser() = std::move(c); }

QString askSavePath(QWidget* parent, const QString& name)
{
    if (chooser()) {
        return chooser()(name);
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    return QFileDialog::getSaveFileName(parent,
        QCoreApplication::translate("Attachments", "Save attachment"), QDir(dir).filePath(name));
}

QString saveAs(QWidget* parent, Client* client, const QString& attachmentId, const QString& name)
{
    const QString path = askSavePath(parent, name);
    if (path.isEmpty()) {
        return {};
    }
    if (const Result<void> saved = client->attachments().save(attachmentId, path); !saved) {
        return ErrorText::forAction(saved.error());
    }
    return {};
}

QString openExternally(Client* client, const QString& attachmentId, const QString& name)
{
    if (client->isGuest()) {
        return QCoreApplication::translate("Attachments",
            "A guest cannot open files with other applications. Use Save as… instead.");
    }
    // A directory of its own per attachment keeps the file's own name for the application.
    const QString base = openedCopiesDirectory() + QLatin1Char('/') + attachmentId;
    if (!QDir().mkpath(base)) {
        return QCoreApplication::translate(
            "Attachments", "Could not make a temporary copy to open.");
    }
    QFile::setPermissions(base, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString path = QDir(base).filePath(QFileInfo(name).fileName());
    if (!QFileInfo::exists(path)) {
        if (const Result<void> saved = client->attachments().save(attachmentId, path); !saved) {
            return ErrorText::forAction(saved.error());
        }
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path))) {
        return QCoreApplication::translate(
            "Attachments", "No application is set up to open this kind of file.");
    }
    return {};
}

int removeOpenedCopies(qint64 maxAgeSeconds)
{
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-maxAgeSeconds);
    int removed = 0;
    const QDir base(openedCopiesDirectory());
    for (const QFileInfo& dir : base.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        // The copy's own time: when it was written (an application may touch the directory).
        bool old = true;
        for (const QFileInfo& file : QDir(dir.filePath()).entryInfoList(QDir::Files)) {
            old = old && (maxAgeSeconds == 0 || file.lastModified() < before);
        }
        if (old && QDir(dir.filePath()).removeRecursively()) {
            ++removed;
        }
    }
    return removed;
}

} // namespace cpm::ui::attachmentui
