// SPDX-License-Identifier: GPL-3.0-or-later
#include "attachmentcache.h"

#include "protocol.h"
#include "sealedfile.h"
#include "secretbox.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace cpm {

namespace {
qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }
// Decrypting for Save as: pieces of this size, never the whole file in memory.
constexpr qint64 ExportPieceBytes = 1024 * 1024;

qint64 contentBytes(const QList<LocalFile>& files)
{
    qint64 used = 0;
    for (const LocalFile& f : files) {
        used += f.kind == LocalFile::Kind::Content ? f.bytes : 0;
    }
    return used;
}
} // namespace

AttachmentCache::AttachmentCache(LocalStore* store, const SecretBox* box, QString directory)
    : m_store(store)
    , m_box(box)
    , m_dir(std::move(directory))
{
}

QString AttachmentCache::pathOf(const QString& id, LocalFile::Kind kind) const
{
    // Ids are 32 hex digits (checked by the codec that brought them): safe as names.
    return m_dir + QLatin1Char('/') + id
        + (kind == LocalFile::Kind::Thumbnail ? QStringLiteral(".thumb") : QString());
}

// Binds a file's records to the attachment and to what it holds: a thumbnail cannot pass
// for the content, nor one attachment's file for another's.
QByteArray AttachmentCache::fileIdOf(const QString& id, LocalFile::Kind kind)
{
    return (kind == LocalFile::Kind::Thumbnail ? QByteArrayLiteral("thumbnail:")
                                               : QByteArrayLiteral("content:"))
        + id.toLatin1();
}

bool AttachmentCache::hasContent(const QString& id) const
{
    const Result<std::optional<LocalFile>> f = m_store->localFile(id, LocalFile::Kind::Content);
    return f && f->has_value() && (*f)->complete
        && QFile::exists(pathOf(id, LocalFile::Kind::Content));
}

Result<std::unique_ptr<SealedFileWriter>> AttachmentCache::contentWriter(const QString& id)
{
    if (!QDir().mkpath(m_dir)) {
        return makeError(ErrorCode::ProfileUnusable,
            QStringLiteral("cannot create the attachments directory %1").arg(m_dir));
    }
    QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString path = pathOf(id, LocalFile::Kind::Content);
    const QByteArray fileId = fileIdOf(id, LocalFile::Kind::Content);
    if (QFile::exists(path)) {
        Result<std::unique_ptr<SealedFileWriter>> resumed
            = SealedFileWriter::resume(path, *m_box, fileId);
        if (resumed) {
            return resumed;
        }
        if (resumed.error().code != ErrorCode::StoreCorrupt
            && resumed.error().code != ErrorCode::Conflict) {
            return resumed.error();
        }
        // Finished (its record was lost) or not ours: start again.
    }
    Result<std::unique_ptr<SealedFileWriter>> created
        = SealedFileWriter::create(path, *m_box, fileId);
    if (created) {
        if (const Result<void> recorded
            = m_store->setLocalFile({ id, LocalFile::Kind::Content, false, 0, now() });
            !recorded) {
            return recorded.error();
        }
    }
    return created;
}

Result<void> AttachmentCache::contentComplete(const QString& id, qint64 bytes)
{
    if (const Result<void> recorded
        = m_store->setLocalFile({ id, LocalFile::Kind::Content, true, bytes, now() });
        !recorded) {
        return recorded;
    }
    return trim();
}

Result<std::unique_ptr<QIODevice>> AttachmentCache::openContent(const QString& id)
{
    Result<std::unique_ptr<SealedFileReader>> reader = SealedFileReader::open(
        pathOf(id, LocalFile::Kind::Content), *m_box, fileIdOf(id, LocalFile::Kind::Content));
    if (!reader) {
        return reader.error();
    }
    auto device = std::make_unique<SealedFileDevice>(std::move(reader).value());
    if (!device->open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::StoreFailed, device->errorString());
    }
    [[maybe_unused]] const Result<void> touched
        = m_store->touchLocalFile(id, LocalFile::Kind::Content, now());
    return std::unique_ptr<QIODevice>(std::move(device));
}

Result<void> AttachmentCache::exportContent(const QString& id, const QString& path)
{
    Result<std::unique_ptr<QIODevice>> source = openContent(id);
    if (!source) {
        return source.error();
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    }
    while (!(*source)->atEnd()) {
        const QByteArray piece = (*source)->read(ExportPieceBytes);
        if (piece.isEmpty() || out.write(piece) != piece.size()) {
            out.cancelWriting();
            return makeError(piece.isEmpty() ? ErrorCode::StoreCorrupt : ErrorCode::StoreFailed,
                QStringLiteral("cannot save %1: %2")
                    .arg(path, piece.isEmpty() ? (*source)->errorString() : out.errorString()));
        }
    }
    if (!out.commit()) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot save %1: %2").arg(path, out.errorString()));
    }
    return {};
}

Result<void> AttachmentCache::storeThumbnail(const QString& id, const QByteArray& encoded)
{
    if (!QDir().mkpath(m_dir)) {
        return makeError(ErrorCode::ProfileUnusable,
            QStringLiteral("cannot create the attachments directory %1").arg(m_dir));
    }
    Result<std::unique_ptr<SealedFileWriter>> writer = SealedFileWriter::create(
        pathOf(id, LocalFile::Kind::Thumbnail), *m_box, fileIdOf(id, LocalFile::Kind::Thumbnail));
    if (!writer) {
        return writer.error();
    }
    if (const Result<void> written = (*writer)->write(encoded); !written) {
        return written;
    }
    if (const Result<void> finished = (*writer)->finish(); !finished) {
        return finished;
    }
    return m_store->setLocalFile({ id, LocalFile::Kind::Thumbnail, true, encoded.size(), now() });
}

Result<QByteArray> AttachmentCache::thumbnail(const QString& id)
{
    const QString path = pathOf(id, LocalFile::Kind::Thumbnail);
    if (!QFile::exists(path)) {
        return QByteArray();
    }
    Result<std::unique_ptr<SealedFileReader>> reader
        = SealedFileReader::open(path, *m_box, fileIdOf(id, LocalFile::Kind::Thumbnail));
    if (!reader) {
        return reader.error();
    }
    return (*reader)->read(0, (*reader)->size());
}

Result<void> AttachmentCache::remove(const QString& id)
{
    for (const LocalFile::Kind kind : { LocalFile::Kind::Content, LocalFile::Kind::Thumbnail }) {
        QFile::remove(pathOf(id, kind));
        if (const Result<void> removed = m_store->removeLocalFile(id, kind); !removed) {
            return removed;
        }
    }
    return {};
}

Result<qint64> AttachmentCache::usedBytes() const
{
    const Result<QList<LocalFile>> files = m_store->localFiles();
    if (!files) {
        return files.error();
    }
    return contentBytes(*files);
}

Result<void> AttachmentCache::trim()
{
    const Result<QList<LocalFile>> files = m_store->localFiles();
    if (!files) {
        return files.error();
    }
    qint64 used = contentBytes(*files);
    // Oldest use first; the newest one stays even when it alone is over the limit.
    for (qsizetype i = 0; used > m_limit && i + 1 < files->size(); ++i) {
        const LocalFile& f = files->at(i);
        if (f.kind != LocalFile::Kind::Content || !f.complete) {
            continue;
        }
        QFile::remove(pathOf(f.attachmentId, f.kind));
        if (const Result<void> removed = m_store->removeLocalFile(f.attachmentId, f.kind);
            !removed) {
            return removed;
        }
        used -= f.bytes;
    }
    return {};
}

} // namespace cpm
