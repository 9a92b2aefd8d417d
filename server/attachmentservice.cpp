// SPDX-License-Identifier: GPL-3.0-or-later
#include "attachmentservice.h"

#include "argreader.h"
#include "clientconnection.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "request.h"
#include "server.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QStorageInfo>

#include <fcntl.h>
#include <unistd.h>

namespace cpm::server {

namespace {
namespace lim = protocol::limits;
namespace state = protocol::attachmentState;
using protocol::ArgReader;

// Uploads held open at once: each is a file descriptor and a hash state. More are opened
// again (and their bytes hashed again) when their next chunk comes.
constexpr qsizetype MaxOpenUploads = 256;
// How often unfinished uploads are looked at for expiry: a minute, or sooner when the
// operator keeps them for less.
constexpr qint64 ExpiryEveryMs = 60 * 1000;
// Hashing what an upload holds when it is opened again: read in pieces this large.
constexpr qint64 HashReadBytes = 1024 * 1024;
// files.list pages: with the longest names every page stays far under the frame limit.
constexpr int MaxFilesPage = 200;
// With several nodes on one attachments directory (a shared store), a file may be another
// node's work in progress: an upload renamed at its last chunk but not yet marked complete,
// or a one-frame attachment written just before its row. Only files untouched this long are
// taken for a dead process's leftovers there.
constexpr qint64 SharedOrphanAgeMs = 60 * 60 * 1000;

QString newAttachmentId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char*>(words), sizeof words).toHex());
}

bool hasControlCharacters(QStringView s)
{
    return std::any_of(
        s.begin(), s.end(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

//! Reads `attachmentId`, or answers the request's error and returns an empty string.
QString attachmentIdOf(const Request& request, ArgReader& reader)
{
    const QString id = reader.string(QLatin1StringView("attachmentId"), 32);
    if (reader.ok() && !protocol::isAttachmentId(id)) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'attachmentId' must be 32 lower-case hex digits"));
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return {};
    }
    return id;
}

Error noAttachment(const QString& id)
{
    return makeError(ErrorCode::NotFound, QStringLiteral("no attachment %1 for you").arg(id));
}

//! What a failed write on \a file means: a full disk, or another I/O failure.
Error writeError(const QFile& file, const QString& directory)
{
    const QStorageInfo storage(directory);
    if (storage.isValid() && storage.bytesAvailable() < lim::MaxChunkBytes) {
        return makeError(ErrorCode::DiskFull, QStringLiteral("no room left for attachments"));
    }
    return makeError(ErrorCode::StoreFailed,
        QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
}

bool syncDirectory(const QString& path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}
} // namespace

AttachmentService::AttachmentService(Server& server)
    : m_server(server)
{
}

AttachmentService::~AttachmentService() = default;

void AttachmentService::addOperations(Operations& operations)
{
    namespace op = protocol::op;
    operations.add(op::AttachmentBegin, true, [this](const Request& r) { begin(r); });
    operations.add(
        op::AttachmentPut, true, [this](const Request& r) { put(r); }, Operations::TakesPayload);
    operations.add(op::AttachmentGet, true, [this](const Request& r) { get(r); });
    operations.add(op::FilesList, true, [this](const Request& r) { list(r); });
    operations.add(op::FilesDelete, true, [this](const Request& r) { remove(r); });
}

Result<void> AttachmentService::setDirectory(const QString& directory)
{
    if (!QDir().mkpath(directory)) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot create the attachments directory %1").arg(directory));
    }
    QFile::setPermissions(directory, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    m_dir = QDir(directory).absolutePath();
    return {};
}

// Two hex digits of the id name a subdirectory, so that no directory holds millions.
QString AttachmentService::pathOf(const QString& id) const
{
    return m_dir + QLatin1Char('/') + id.left(2) + QLatin1Char('/') + id;
}

QString AttachmentService::partPathOf(const QString& id) const
{
    return pathOf(id) + QStringLiteral(".part");
}

// --- uploading -----------------------------------------------------------------------------

void AttachmentService::begin(const Request& request)
{
    ArgReader reader(request.args());
    const QString name = reader.string(QLatin1StringView("name"), lim::MaxAttachmentNameChars);
    QString type = reader.string(QLatin1StringView("type"), lim::MaxAttachmentTypeChars);
    const qint64 size = reader.integer(QLatin1StringView("size"), 0, protocol::MaxSafeInteger);
    const QString sha256 = reader.string(QLatin1StringView("sha256"), 64);
    if (reader.ok() && hasControlCharacters(name)) {
        reader.fail(ErrorCode::BadRequest, QStringLiteral("field 'name' holds control characters"));
    }
    if (reader.ok() && !protocol::isMediaType(type)) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'type' must be a media type such as image/jpeg"));
    }
    if (reader.ok() && !protocol::isSha256Hex(sha256)) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'sha256' must be 64 lower-case hex digits"));
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    if (m_dir.isEmpty()) {
        request.fail(ErrorCode::Internal, QStringLiteral("this server keeps no attachments"));
        return;
    }
    type = type.toLower();
    Store& store = m_server.store();
    const qint64 owner = request.userId();
    const qint64 maxFile = store.settingInt(settings::AttachmentsMaxFileBytes);
    if (size > maxFile) {
        request.fail(ErrorCode::TooLarge,
            QStringLiteral("attachments may have %1 bytes at most").arg(maxFile));
        return;
    }
    auto answer = [&request](const protocol::Attachment& a, qint64 offset, bool duplicate) {
        request.reply({ { QStringLiteral("attachment"), a.toJson() },
            { QStringLiteral("offset"), offset }, { QStringLiteral("duplicate"), duplicate } });
    };
    const Result<std::optional<protocol::Attachment>> found
        = store.findAttachment(owner, name, type, size, sha256);
    if (!found) {
        request.fail(found.error());
        return;
    }
    if (found->has_value()) {
        const protocol::Attachment& a = **found;
        if (a.state == state::Complete) {
            answer(a, a.size, true);
            return;
        }
        // Resumed: what the server holds is what the file holds (a crash may have cut what
        // was answered but not yet on disk).
        const Result<Upload*> upload = openUpload(a.id, owner);
        if (!upload) {
            request.fail(upload.error());
            return;
        }
        answer(a, (*upload)->offset, false);
        return;
    }
    const Result<qint64> used = store.storageUsed(owner);
    if (!used) {
        request.fail(used.error());
        return;
    }
    const qint64 quota = store.settingInt(settings::AttachmentsQuotaBytes);
    if (*used + size > quota) {
        request.fail(ErrorCode::OverQuota,
            QStringLiteral("your network storage would pass its quota of %1 bytes (%2 used)")
                .arg(quota)
                .arg(*used));
        return;
    }
    protocol::Attachment a;
    a.id = newAttachmentId();
    a.name = name;
    a.type = type;
    a.size = size;
    a.sha256 = sha256;
    a.state = QString(state::Uploading);
    a.time = now();
    if (!QDir().mkpath(QFileInfo(pathOf(a.id)).path())) {
        request.fail(ErrorCode::StoreFailed, QStringLiteral("cannot create a directory for it"));
        return;
    }
    QFile part(partPathOf(a.id));
    if (!part.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        request.fail(writeError(part, m_dir));
        return;
    }
    part.close();
    if (size == 0) {
        // Nothing to send: complete now, if the hash is that of nothing.
        auto upload = std::make_shared<Upload>();
        upload->ownerId = owner;
        upload->sha256 = sha256;
        if (const Result<void> done = complete(a.id, *upload); !done) {
            discardFiles(a.id);
            request.fail(done.error());
            return;
        }
        a.state = QString(state::Complete);
    }
    if (const Result<void> created = store.createAttachment(owner, a); !created) {
        discardFiles(a.id);
        request.fail(created.error());
        return;
    }
    answer(a, 0, false);
}

Result<AttachmentService::Upload*> AttachmentService::openUpload(const QString& id, qint64 ownerId)
{
    if (const auto it = m_uploads.constFind(id); it != m_uploads.constEnd()) {
        if ((*it)->ownerId == ownerId) {
            return it->get();
        }
        return noAttachment(id);
    }
    const Result<std::optional<std::pair<qint64, protocol::Attachment>>> found
        = m_server.store().attachment(id);
    if (!found) {
        return found.error();
    }
    if (!found->has_value() || (*found)->first != ownerId
        || (*found)->second.state != state::Uploading) {
        return noAttachment(id);
    }
    const protocol::Attachment& a = (*found)->second;
    auto upload = std::make_shared<Upload>();
    upload->ownerId = ownerId;
    upload->size = a.size;
    upload->sha256 = a.sha256;
    upload->file.setFileName(partPathOf(id));
    QDir().mkpath(QFileInfo(upload->file.fileName()).path());
    if (!upload->file.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        return writeError(upload->file, m_dir);
    }
    // Whatever is past the declared size cannot be the file's (it was checked on the way
    // in); the rest is hashed once, so the next chunks only add to it.
    if (upload->file.size() > a.size && !upload->file.resize(a.size)) {
        return writeError(upload->file, m_dir);
    }
    QByteArray buffer;
    while (!upload->file.atEnd()) {
        buffer = upload->file.read(HashReadBytes);
        if (buffer.isEmpty()) {
            return makeError(ErrorCode::StoreFailed,
                QStringLiteral("cannot read %1: %2")
                    .arg(upload->file.fileName(), upload->file.errorString()));
        }
        upload->hash.addData(buffer);
        upload->offset += buffer.size();
    }
    if (m_uploads.size() >= MaxOpenUploads) {
        m_uploads.erase(m_uploads.begin());
    }
    Upload* raw = upload.get();
    m_uploads.insert(id, std::move(upload));
    return raw;
}

void AttachmentService::put(const Request& request)
{
    ArgReader reader(request.args());
    const QString id = attachmentIdOf(request, reader);
    if (id.isEmpty()) {
        return;
    }
    const qint64 offset = reader.integer(QLatin1StringView("offset"), 0, protocol::MaxSafeInteger);
    if (reader.ok() && request.payload().isEmpty()) {
        reader.fail(ErrorCode::BadRequest, QStringLiteral("a chunk of at least 1 byte is needed"));
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const Result<Upload*> opened = openUpload(id, request.userId());
    if (!opened) {
        request.fail(opened.error());
        return;
    }
    Upload& upload = **opened;
    upload.connection = &request.connection();
    if (offset != upload.offset) {
        Error wrong = makeError(ErrorCode::Conflict,
            QStringLiteral("the upload stands at offset %1, not %2")
                .arg(upload.offset)
                .arg(offset));
        wrong.details.insert(QStringLiteral("offset"), upload.offset);
        request.fail(wrong);
        return;
    }
    const QByteArray& chunk = request.payload();
    if (chunk.size() > upload.size - upload.offset) {
        request.fail(ErrorCode::BadRequest,
            QStringLiteral("the chunk goes past the attachment's size of %1 bytes")
                .arg(upload.size));
        return;
    }
    if (!upload.file.seek(offset) || upload.file.write(chunk) != chunk.size()) {
        const Error failed = writeError(upload.file, m_dir);
        // A torn write leaves bytes we did not confirm: the file holds what was confirmed.
        upload.file.resize(offset);
        request.fail(failed);
        return;
    }
    upload.hash.addData(chunk);
    upload.offset += chunk.size();
    if (upload.offset < upload.size) {
        request.replyText(QStringLiteral("\"offset\":%1,\"complete\":false").arg(upload.offset));
        return;
    }
    const std::shared_ptr<Upload> keep = m_uploads.value(id); // complete() forgets it
    if (const Result<void> done = complete(id, upload); !done) {
        request.fail(done.error());
        return;
    }
    const Result<std::optional<std::pair<qint64, protocol::Attachment>>> found
        = m_server.store().attachment(id);
    if (!found || !found->has_value()) {
        request.fail(found ? noAttachment(id) : found.error());
        return;
    }
    request.reply(
        { { QStringLiteral("offset"), upload.offset }, { QStringLiteral("complete"), true },
            { QStringLiteral("attachment"), (*found)->second.toJson() } });
}

Result<void> AttachmentService::complete(const QString& id, Upload& upload)
{
    const QString part = partPathOf(id);
    if (upload.hash.result().toHex() != upload.sha256.toLatin1()) {
        qCInfo(lcServer) << "upload" << id << "does not match its sha256: discarded";
        discardFiles(id);
        if (const Result<void> marked = m_server.store().setAttachmentState(id, state::Deleted);
            !marked) {
            return marked;
        }
        return makeError(ErrorCode::HashMismatch,
            QStringLiteral("the upload's bytes do not hash to its sha256; it was discarded"));
    }
    // Durable before it is called complete: the data, the name, the directory entry.
    if (upload.file.isOpen()) {
        if (::fsync(upload.file.handle()) != 0) {
            return writeError(upload.file, m_dir);
        }
        upload.file.close();
    } else if (QFile f(part); !f.open(QIODevice::ReadWrite) || ::fsync(f.handle()) != 0) {
        return writeError(f, m_dir);
    }
    if (!QFile::rename(part, pathOf(id)) || !syncDirectory(QFileInfo(pathOf(id)).path())) {
        return makeError(
            ErrorCode::StoreFailed, QStringLiteral("cannot complete the upload %1").arg(id));
    }
    m_uploads.remove(id);
    return m_server.store().setAttachmentState(id, state::Complete);
}

void AttachmentService::discardFiles(const QString& id)
{
    m_uploads.remove(id);
    QFile::remove(partPathOf(id));
    QFile::remove(pathOf(id));
}

// --- downloading ---------------------------------------------------------------------------

void AttachmentService::get(const Request& request)
{
    ArgReader reader(request.args());
    const QString id = attachmentIdOf(request, reader);
    if (id.isEmpty()) {
        return;
    }
    const qint64 offset = reader.integer(
        QLatin1StringView("offset"), 0, protocol::MaxSafeInteger, ArgReader::Optional, 0);
    const qint64 length = reader.integer(QLatin1StringView("length"), 1, lim::MaxChunkBytes,
        ArgReader::Optional, lim::MaxChunkBytes);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Store& store = m_server.store();
    const Result<bool> may = store.mayFetch(request.userId(), id);
    if (!may) {
        request.fail(may.error());
        return;
    }
    const Result<std::optional<std::pair<qint64, protocol::Attachment>>> found = *may
        ? store.attachment(id)
        : Result<std::optional<std::pair<qint64, protocol::Attachment>>>(std::nullopt);
    if (!found) {
        request.fail(found.error());
        return;
    }
    if (!found->has_value()) {
        request.fail(noAttachment(id));
        return;
    }
    const qint64 size = (*found)->second.size;
    if (offset > size) {
        request.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'offset' is past the attachment's size of %1 bytes").arg(size));
        return;
    }
    QFile file(pathOf(id));
    const qint64 n = std::min(length, size - offset);
    QByteArray payload;
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered) || !file.seek(offset)
        || (payload = file.read(n)).size() != n) {
        qCWarning(lcServer) << "attachment" << id << "cannot be read:" << file.errorString();
        request.fail(ErrorCode::StoreFailed, QStringLiteral("the attachment cannot be read"));
        return;
    }
    request.replyWithPayload(
        { { QStringLiteral("offset"), offset }, { QStringLiteral("length"), n },
            { QStringLiteral("size"), size } },
        payload);
}

// --- my files ------------------------------------------------------------------------------

void AttachmentService::list(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 from = reader.integer(
        QLatin1StringView("offset"), 0, protocol::MaxSafeInteger, ArgReader::Optional, 0);
    const qint64 limit = reader.integer(
        QLatin1StringView("limit"), 1, MaxFilesPage, ArgReader::Optional, MaxFilesPage);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Store& store = m_server.store();
    const Result<QList<protocol::Attachment>> files = store.files(request.userId());
    if (!files) {
        request.fail(files.error());
        return;
    }
    qint64 used = 0;
    QJsonArray page;
    for (qsizetype i = 0; i < files->size(); ++i) {
        used += files->at(i).size;
        if (i >= from && i < from + limit) {
            page.append(files->at(i).toJson());
        }
    }
    request.reply({ { QStringLiteral("files"), page },
        { QStringLiteral("more"), from + limit < files->size() },
        { QStringLiteral("usedBytes"), used },
        { QStringLiteral("quotaBytes"), store.settingInt(settings::AttachmentsQuotaBytes) } });
}

void AttachmentService::remove(const Request& request)
{
    ArgReader reader(request.args());
    const QString id = attachmentIdOf(request, reader);
    if (id.isEmpty()) {
        return;
    }
    Store& store = m_server.store();
    const Result<std::optional<std::pair<qint64, protocol::Attachment>>> found
        = store.attachment(id);
    if (!found) {
        request.fail(found.error());
        return;
    }
    if (!found->has_value() || (*found)->first != request.userId()
        || (*found)->second.state == state::Deleted) {
        request.fail(noAttachment(id));
        return;
    }
    if (const Result<void> marked = store.setAttachmentState(id, state::Deleted); !marked) {
        request.fail(marked.error());
        return;
    }
    discardFiles(id);
    request.reply();
}

// --- upkeep ---------------------------------------------------------------------------------

void AttachmentService::expireUploads(qint64 nowMs)
{
    if (m_dir.isEmpty()) {
        return;
    }
    Store& store = m_server.store();
    const qint64 ttlMs = store.settingInt(settings::AttachmentsUploadTtlSeconds) * 1000;
    if (ttlMs == 0 || nowMs - m_lastExpiry < std::clamp<qint64>(ttlMs / 2, 1000, ExpiryEveryMs)) {
        return;
    }
    m_lastExpiry = nowMs;
    const Result<QList<protocol::Attachment>> old = store.uploadsBegunBefore(nowMs - ttlMs, 100);
    if (!old) {
        qCWarning(lcServer) << "cannot look for abandoned uploads:" << old.error().message;
        return;
    }
    for (const protocol::Attachment& a : *old) {
        // Begun long ago, but a chunk came lately: still going.
        const QFileInfo part(partPathOf(a.id));
        if (part.exists() && part.lastModified().toMSecsSinceEpoch() > nowMs - ttlMs) {
            continue;
        }
        if (const Result<void> marked = store.setAttachmentState(a.id, state::Deleted); !marked) {
            return;
        }
        discardFiles(a.id);
        qCInfo(lcServer) << "discarded the abandoned upload" << a.id;
    }
}

Result<int> AttachmentService::removeOrphans()
{
    if (m_dir.isEmpty()) {
        return 0;
    }
    Store& store = m_server.store();
    const qint64 youngest
        = store.isShared() ? QDateTime::currentMSecsSinceEpoch() - SharedOrphanAgeMs : 0;
    int removed = 0;
    QDirIterator it(m_dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (youngest > 0 && it.fileInfo().lastModified().toMSecsSinceEpoch() > youngest) {
            continue; // maybe another node's, still being written
        }
        QString id = it.fileName();
        const bool partial = id.endsWith(QLatin1StringView(".part"));
        if (partial) {
            id.chop(5);
        }
        if (!protocol::isAttachmentId(id) || path != (partial ? partPathOf(id) : pathOf(id))) {
            continue; // not a file this service writes
        }
        const Result<std::optional<std::pair<qint64, protocol::Attachment>>> a
            = store.attachment(id);
        if (!a) {
            return a.error();
        }
        const QLatin1StringView wanted = partial ? state::Uploading : state::Complete;
        if (a->has_value() && (*a)->second.state == wanted) {
            continue;
        }
        if (!partial && a->has_value() && (*a)->second.state == state::Uploading) {
            // Renamed by complete() but not yet marked complete when the process died: the
            // bytes go back to being the upload's, and its next attachment.put or a resumed
            // attachment.begin completes it.
            if (QFile::rename(path, partPathOf(id))) {
                qCInfo(lcServer) << "upload" << id << "was not marked complete: resumable again";
                continue;
            }
        }
        if (!QFile::remove(path)) {
            qCWarning(lcServer) << "cannot remove the orphaned attachment file" << path;
            continue;
        }
        qCInfo(lcServer) << "removed the orphaned attachment file" << path;
        ++removed;
    }
    return removed;
}

void AttachmentService::connectionClosed(const ClientConnection* connection)
{
    for (auto it = m_uploads.begin(); it != m_uploads.end();) {
        it = (*it)->connection == connection ? m_uploads.erase(it) : std::next(it);
    }
}

} // namespace cpm::server
