// SPDX-License-Identifier: GPL-3.0-or-later
#include "guestvault.h"

#include "logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QRandomGenerator>

#include <unistd.h>

namespace cpm {

namespace {
constexpr QFile::Permissions Private = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
// A directory made a moment ago may not hold its lock yet: leave it this long.
constexpr qint64 UnlockedGraceMs = 10'000;
constexpr char DirPrefix[] = "guest-";

// The parent exists, is a real directory of this user and nobody else may look into it.
bool makePrivate(const QString& path, QString* error)
{
    const QFileInfo info(path);
    if (!info.exists() && !QDir().mkpath(path)) {
        *error = QStringLiteral("cannot create %1").arg(path);
        return false;
    }
    const QFileInfo made(path);
    if (made.isSymLink() || !made.isDir() || made.ownerId() != ::getuid()) {
        *error = QStringLiteral("%1 is not a directory of this user").arg(path);
        return false;
    }
    if (!QFile::setPermissions(path, Private)) {
        *error = QStringLiteral("cannot make %1 private").arg(path);
        return false;
    }
    return true;
}
} // namespace

QString GuestVault::parentDir()
{
    if (const QString parent = qEnvironmentVariable(ParentVariable); !parent.isEmpty()) {
        return QDir(parent).absolutePath();
    }
    if (const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
        !runtime.isEmpty() && QFileInfo(runtime).isDir()) {
        return QDir(runtime).filePath(QStringLiteral("cpm-guest"));
    }
    return QDir(QDir::tempPath()).filePath(QStringLiteral("cpm-guest-%1").arg(::getuid()));
}

GuestVault::GuestVault(QString dir, std::unique_ptr<QLockFile> lock)
    : m_dir(std::move(dir))
    , m_lock(std::move(lock))
{
}

GuestVault::~GuestVault() { wipe(); }

Result<std::unique_ptr<GuestVault>> GuestVault::create()
{
    const QString parent = parentDir();
    QString error;
    if (!makePrivate(parent, &error)) {
        return makeError(ErrorCode::ProfileUnusable, error);
    }
    const QString name = QString::fromLatin1(DirPrefix)
        + QString::number(QRandomGenerator::system()->generate64(), 16);
    const QString dir = QDir(parent).filePath(name);
    if (!QDir(parent).mkdir(name) || !QFile::setPermissions(dir, Private)) {
        return makeError(ErrorCode::ProfileUnusable,
            QStringLiteral("cannot create the guest directory %1").arg(dir));
    }
    auto lock = std::make_unique<QLockFile>(QDir(dir).filePath(QString::fromLatin1(LockFileName)));
    lock->setStaleLockTime(0); // held as long as the process runs
    if (!lock->tryLock(0)) {
        QDir(dir).removeRecursively();
        return makeError(ErrorCode::ProfileUnusable,
            QStringLiteral("cannot lock the guest directory %1").arg(dir));
    }
    qCInfo(lcClient) << "guest directory" << dir;
    return std::unique_ptr<GuestVault>(new GuestVault(dir, std::move(lock)));
}

void GuestVault::wipe()
{
    if (m_dir.isEmpty()) {
        return;
    }
    // The lock must be held until the content is gone, so no other start takes the
    // directory for an orphan half-way: everything but the lock file goes first, then the
    // lock lets go (QLockFile removes its own file; removing it under it makes it warn),
    // then the directory.
    const QDir dir(m_dir);
    const QString lockName = QString::fromLatin1(LockFileName);
    bool removed = true;
    const QFileInfoList entries
        = dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QFileInfo& entry : entries) {
        if (entry.fileName() == lockName) {
            continue;
        }
        removed = (entry.isDir() && !entry.isSymLink()
                          ? QDir(entry.absoluteFilePath()).removeRecursively()
                          : QFile::remove(entry.absoluteFilePath()))
            && removed;
    }
    m_lock.reset();
    if (!QDir(m_dir).removeRecursively() || !removed) {
        qCWarning(lcClient) << "could not remove all of the guest directory" << m_dir;
    }
    m_dir.clear();
}

QStringList GuestVault::removeOrphans()
{
    QStringList removed;
    const QDir parent(parentDir());
    if (!parent.exists()) {
        return removed;
    }
    const QFileInfoList dirs = parent.entryInfoList(
        { QString::fromLatin1(DirPrefix) + QLatin1Char('*') }, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QFileInfo& info : dirs) {
        const QString dir = info.absoluteFilePath();
        const QString lockPath = QDir(dir).filePath(QString::fromLatin1(LockFileName));
        if (!QFile::exists(lockPath)) {
            if (info.lastModified().msecsTo(QDateTime::currentDateTime()) < UnlockedGraceMs) {
                continue;
            }
        } else {
            QLockFile lock(lockPath);
            lock.setStaleLockTime(0);
            // Held by a live process: a guest session running right now.
            if (!lock.tryLock(0)) {
                continue;
            }
            lock.unlock();
        }
        if (QDir(dir).removeRecursively()) {
            qCInfo(lcClient) << "removed the orphaned guest directory" << dir;
            removed.append(dir);
        } else {
            qCWarning(lcClient) << "cannot remove the orphaned guest directory" << dir;
        }
    }
    return removed;
}

} // namespace cpm
