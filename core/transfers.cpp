// SPDX-License-Identifier: GPL-3.0-or-later
#include "transfers.h"

#include "binaryframecodec.h"
#include "connection.h"
#include "logging.h"
#include "protocol.h"
#include "sha256.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QMetaEnum>
#include <QPointer>
#include <QTimer>
#include <QtConcurrent>

#include <atomic>
#include <filesystem>
#include <system_error>

namespace cpm {

namespace {
constexpr QLatin1StringView OpBegin = protocol::op::AttachmentBegin;
constexpr QLatin1StringView OpPut = protocol::op::AttachmentPut;
constexpr QLatin1StringView OpGet = protocol::op::AttachmentGet;
constexpr QLatin1StringView OpFilesDelete = protocol::op::FilesDelete;
constexpr QLatin1StringView HashMismatch { "hash_mismatch" };

//! Conflicts, vanished uploads and server failures in a row before a transfer gives up;
//! a dropped connection is waited out however often it happens.
constexpr int MaxRetries = 8;
constexpr int MaxRetryDelayMs = 30000;

//! The error named \a name: its ErrorCode when this build has one, else Unknown keeping
//! the name, so that name() answers \a name either way.
Error namedError(QLatin1StringView name, const QString& message)
{
    Error error = makeError(Error::codeFromName(QString(name)), message);
    if (error.code == ErrorCode::Unknown) {
        error.unknownName = name;
    }
    return error;
}

//! Errors that say nothing about the transfer: the connection is gone, or the server
//! could not answer; it continues where it stands once the connection is back (or after
//! retryAfter).
bool isTransient(const Error& error)
{
    switch (error.code) {
    case ErrorCode::Offline:
    case ErrorCode::Disconnected:
    case ErrorCode::Timeout:
    case ErrorCode::Unavailable:
    case ErrorCode::StorageFull:
    case ErrorCode::Internal:
        return true;
    default:
        return false;
    }
}

//! Waiting for the connection costs nothing; the others are counted (MaxRetries).
bool isConnectionLoss(const Error& error)
{
    return error.code == ErrorCode::Offline || error.code == ErrorCode::Disconnected;
}

Error fileError(const QFileDevice& file, const QString& what)
{
    return makeError(ErrorCode::StoreFailed,
        QStringLiteral("%1 %2: %3").arg(what, file.fileName(), file.errorString()));
}

Error malformed(QLatin1StringView op, const QString& why)
{
    return makeError(
        ErrorCode::Internal, QStringLiteral("malformed answer to %1: %2").arg(op, why));
}

struct HashOutcome {
    QByteArray sha256; //!< hex, lower case
    qint64 size = 0;
    Error error;
};

//! The SHA-256 of the file at \a path, read in ReadBytes pieces (for a worker thread).
HashOutcome hashFile(const QString& path, const std::atomic_bool& stop)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return { {}, 0, fileError(file, QStringLiteral("cannot read")) };
    }
    protocol::Sha256 hash;
    qint64 size = 0;
    QByteArray buffer(Transfers::ReadBytes, Qt::Uninitialized);
    while (!stop.load()) {
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0) {
            return { {}, 0, fileError(file, QStringLiteral("cannot read")) };
        }
        if (n == 0) {
            return { hash.result().toHex(), size, {} };
        }
        hash.addData(QByteArrayView(buffer.constData(), n));
        size += n;
    }
    return { {}, 0, makeError(ErrorCode::Cancelled, QStringLiteral("stopped")) };
}

//! Feeds the first \a held bytes of \a sink into \a hash (for a worker thread).
HashOutcome hashHeld(
    DownloadSink* sink, qint64 held, protocol::Sha256* hash, const std::atomic_bool& stop)
{
    qint64 offset = 0;
    while (offset < held) {
        if (stop.load()) {
            return { {}, 0, makeError(ErrorCode::Cancelled, QStringLiteral("stopped")) };
        }
        const Result<QByteArray> piece
            = sink->readHeld(offset, std::min(Transfers::ReadBytes, held - offset));
        if (!piece) {
            return { {}, 0, piece.error() };
        }
        if (piece->isEmpty()) {
            return { {}, 0,
                makeError(ErrorCode::StoreFailed,
                    QStringLiteral("the partial download ends at %1 of %2 bytes")
                        .arg(offset)
                        .arg(held)) };
        }
        hash->addData(*piece);
        offset += piece->size();
    }
    return { {}, held, {} };
}
} // namespace

// --- PlainFileSink ---

PlainFileSink::PlainFileSink(const QString& path)
    : m_path(path)
    , m_part(partPath(path))
{
}

PlainFileSink::~PlainFileSink() = default;

QString PlainFileSink::partPath(const QString& path) { return path + QLatin1StringView(".part"); }

qint64 PlainFileSink::bytesHeld() const
{
    // Unbuffered writes: the size on disk is what was written.
    return m_part.isOpen() ? m_part.size() : QFileInfo(m_part.fileName()).size();
}

Result<QByteArray> PlainFileSink::readHeld(qint64 offset, qint64 maxBytes)
{
    // A handle of its own: this runs on a worker thread, m_part is the writer's.
    QFile file(m_part.fileName());
    if (!file.open(QIODevice::ReadOnly) || !file.seek(offset)) {
        return fileError(file, QStringLiteral("cannot read"));
    }
    QByteArray bytes = file.read(maxBytes);
    if (bytes.isNull() && file.error() != QFileDevice::NoError) {
        return fileError(file, QStringLiteral("cannot read"));
    }
    return bytes;
}

Result<void> PlainFileSink::write(QByteArrayView bytes)
{
    if (!m_part.isOpen()
        && !m_part.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        return fileError(m_part, QStringLiteral("cannot write"));
    }
    if (m_part.write(bytes.data(), bytes.size()) != bytes.size()) {
        return fileError(m_part, QStringLiteral("cannot write"));
    }
    return {};
}

Result<void> PlainFileSink::finish()
{
    if (!m_part.isOpen()) {
        // Nothing written by this sink (an empty file, or all held before): it still
        // becomes the file.
        if (!m_part.open(QIODevice::WriteOnly | QIODevice::Append)) {
            return fileError(m_part, QStringLiteral("cannot write"));
        }
    }
    m_part.close();
    // std::filesystem replaces an existing PATH in one step where QFile::rename refuses.
    std::error_code error;
    std::filesystem::rename(std::filesystem::path(m_part.fileName().toStdU16String()),
        std::filesystem::path(m_path.toStdU16String()), error);
    if (error) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot rename %1 to %2: %3")
                .arg(m_part.fileName(), m_path, QString::fromStdString(error.message())));
    }
    return {};
}

void PlainFileSink::discard()
{
    m_part.close();
    if (QFile::exists(m_part.fileName()) && !QFile::remove(m_part.fileName())) {
        qCWarning(lcClient) << "cannot remove" << m_part.fileName() << m_part.errorString();
    }
}

// --- TransferInfo ---

QString TransferInfo::stateName(State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<State>().valueToKey(int(state)));
}

// --- Transfers ---

struct Transfers::Transfer {
    TransferInfo info;
    std::unique_ptr<QFile> file; //!< upload: open while it runs
    std::unique_ptr<DownloadSink> sink;
    //! download: the hash of the bytes the sink holds, kept across reconnects
    std::shared_ptr<protocol::Sha256> hash;
    //! Answers ahead of what the sink holds (answers come in order, so normally none).
    std::map<qint64, QByteArray> early;
    //! upload: its size and SHA-256 are known; download: the held prefix is in hash
    bool hashed = false;
    //! The hashing worker, while one runs; it is told to stop through stop.
    QFutureWatcher<HashOutcome>* worker = nullptr;
    std::shared_ptr<std::atomic_bool> stop;
    qint64 nextOffset = 0; //!< the next chunk to send (upload) or ask for (download)
    int inFlight = 0; //!< requests not answered yet, of any generation
    //! Answers to requests of an older generation are only counted, not used: bumped
    //! when a transfer must start over from where the server or the sink stands.
    quint64 generation = 0;
    bool needsBegin = true; //!< upload: attachment.begin before the next chunk
    //! upload: a `conflict` came; the next chunks wait until every answer in flight is in
    //! and says where the server stands (serverOffset).
    bool resyncing = false;
    qint64 serverOffset = 0;
    int retries = 0; //!< counted failures since the last progress
    //! Chunks it may have in flight: ChunksInFlight, halved after a timeout (a slow link
    //! cannot carry 8 chunks within the request timeout), grown back by answers.
    int window = Transfers::ChunksInFlight;
    //! Set by the retry timer or the connection coming back; proceed once drained.
    bool readyToRetry = false;
    quint64 retryToken = 0; //!< tells an armed retry timer whether it is still wanted
    bool forgotten = false; //!< forget()ed: invisible, erased once nothing refers to it
    QJsonObject begun; //!< upload: the Attachment attachment.begin answered
};

Transfers::Transfers(Connection* connection, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
{
    connect(m_connection, &Connection::stateChanged, this, &Transfers::onConnectionState);
}

Transfers::~Transfers()
{
    // A hashing worker may be reading a sink that dies with its transfer.
    for (auto& [id, t] : m_transfers) {
        if (t->worker) {
            t->stop->store(true);
            t->worker->disconnect(this);
            t->worker->waitForFinished();
        }
    }
}

Transfers::Transfer* Transfers::find(qint64 id) const
{
    const auto it = m_transfers.find(id);
    return it == m_transfers.end() ? nullptr : it->second.get();
}

qint64 Transfers::upload(const QString& localPath, const QString& name, const QString& type)
{
    auto t = std::make_unique<Transfer>();
    t->info.direction = TransferInfo::Direction::Upload;
    t->info.localPath = localPath;
    t->info.name = name;
    t->info.type = type;
    t->info.size = QFileInfo(localPath).size();
    return add(std::move(t));
}

qint64 Transfers::download(const QString& attachmentId, qint64 size, const QString& sha256,
    std::unique_ptr<DownloadSink> sink, const QString& name)
{
    auto t = std::make_unique<Transfer>();
    t->info.direction = TransferInfo::Direction::Download;
    t->info.attachmentId = attachmentId;
    t->info.size = size;
    t->info.sha256 = sha256.toLower();
    t->info.name = name;
    t->sink = std::move(sink);
    t->hash = std::make_shared<protocol::Sha256>();
    return add(std::move(t)); // checked in start(), so that finished() comes after this
}

qint64 Transfers::add(std::unique_ptr<Transfer> transfer)
{
    const qint64 id = m_nextId++;
    transfer->info.id = id;
    m_transfers.emplace(id, std::move(transfer));
    scheduleLater();
    return id;
}

void Transfers::pause(qint64 id)
{
    Transfer* t = find(id);
    if (!t || t->info.isFinished() || t->info.state == TransferInfo::State::Paused) {
        return;
    }
    // What is in flight still lands (and counts); nothing more is sent.
    setState(*t, TransferInfo::State::Paused);
    scheduleLater();
}

void Transfers::resume(qint64 id)
{
    Transfer* t = find(id);
    if (!t || t->info.state != TransferInfo::State::Paused) {
        return;
    }
    setState(*t, TransferInfo::State::Queued);
    scheduleLater();
}

void Transfers::cancel(qint64 id)
{
    Transfer* t = find(id);
    if (!t || t->info.isFinished()) {
        return;
    }
    ++t->generation;
    if (t->worker) {
        t->stop->store(true); // the sink is discarded once the worker let go of it
    }
    if (t->info.direction == TransferInfo::Direction::Upload && !t->info.attachmentId.isEmpty()) {
        // An unfinished upload counts against the quota at its full size until its TTL;
        // when offline it is left to that.
        m_connection->request(OpFilesDelete,
            { { QStringLiteral("attachmentId"), t->info.attachmentId } },
            [](const QJsonObject&, const Error& error) {
                if (!error.isNull()) {
                    qCInfo(lcClient) << "cancelled upload not deleted:" << error.name();
                }
            });
    }
    if (t->sink && !t->worker) {
        t->sink->discard();
        t->sink.reset();
    }
    const Error error = makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
    t->info.error = error;
    release(*t);
    setState(*t, TransferInfo::State::Cancelled);
    scheduleLater();
    Q_EMIT finished(id, {}, error);
}

void Transfers::forget(qint64 id)
{
    Transfer* t = find(id);
    if (!t || !t->info.isFinished() || t->forgotten) {
        return;
    }
    t->forgotten = true;
    // Erased later: this may run in a slot of a signal about that very transfer.
    QTimer::singleShot(0, this, [this, id] {
        if (const Transfer* x = find(id); x && !x->worker) {
            m_transfers.erase(id);
        }
    });
}

std::optional<TransferInfo> Transfers::info(qint64 id) const
{
    const Transfer* t = find(id);
    if (!t || t->forgotten) {
        return std::nullopt;
    }
    return t->info;
}

QList<TransferInfo> Transfers::transfers() const
{
    QList<TransferInfo> list;
    for (const auto& [id, t] : m_transfers) {
        if (!t->forgotten) {
            list.append(t->info);
        }
    }
    return list;
}

void Transfers::setMaxRunning(int uploads, int downloads)
{
    m_maxUploads = std::max(1, uploads);
    m_maxDownloads = std::max(1, downloads);
    scheduleLater();
}

qint64 Transfers::chunkBytes() const
{
    const qint64 limit = m_connection->serverLimits()
                             .value(QLatin1StringView("maxChunkBytes"))
                             .toInteger(DefaultChunkBytes);
    return limit > 0 ? std::min<qint64>(limit, binaryframe::MaxPayloadBytes) : DefaultChunkBytes;
}

void Transfers::scheduleLater()
{
    // One pass after the current call: signals never come from inside upload() & co.
    if (!m_scheduleQueued) {
        m_scheduleQueued = true;
        QTimer::singleShot(0, this, &Transfers::schedule);
    }
}

void Transfers::schedule()
{
    m_scheduleQueued = false;
    int uploads = 0;
    int downloads = 0;
    QList<qint64> queued;
    for (const auto& [id, t] : m_transfers) {
        switch (t->info.state) {
        case TransferInfo::State::Hashing:
        case TransferInfo::State::Running:
        case TransferInfo::State::WaitingForConnection:
            ++(t->info.direction == TransferInfo::Direction::Upload ? uploads : downloads);
            break;
        case TransferInfo::State::Queued:
            queued.append(id);
            break;
        default:
            break;
        }
    }
    for (const qint64 id : std::as_const(queued)) {
        Transfer* x = find(id);
        if (!x || x->info.state != TransferInfo::State::Queued) {
            continue;
        }
        const bool upload = x->info.direction == TransferInfo::Direction::Upload;
        int& running = upload ? uploads : downloads;
        if (running < (upload ? m_maxUploads : m_maxDownloads)) {
            ++running;
            start(*x);
        }
    }
}

void Transfers::start(Transfer& t)
{
    if (t.worker) {
        setState(t, TransferInfo::State::Hashing); // paused and resumed while hashing
        return;
    }
    if (t.hashed) {
        proceed(t);
        return;
    }
    if (t.info.direction == TransferInfo::Direction::Download) {
        if (!t.sink || t.info.size < 0 || t.info.sha256.size() != 64) {
            fail(t,
                makeError(ErrorCode::BadRequest,
                    QStringLiteral("a download needs a sink, a size and a SHA-256")));
            return;
        }
        qint64 held = t.sink->bytesHeld();
        if (held > t.info.size) {
            qCInfo(lcClient) << "partial download" << t.info.id
                             << "is longer than the attachment; starting over";
            t.sink->discard();
            held = 0;
        }
        t.info.done = held;
        t.nextOffset = held;
        if (held == 0) {
            t.hashed = true;
            proceed(t);
            return;
        }
    }
    startHashing(t);
}

void Transfers::startHashing(Transfer& t)
{
    setState(t, TransferInfo::State::Hashing);
    t.stop = std::make_shared<std::atomic_bool>(false);
    t.worker = new QFutureWatcher<HashOutcome>(this);
    const qint64 id = t.info.id;
    connect(t.worker, &QFutureWatcher<HashOutcome>::finished, this, [this, id] {
        Transfer* x = find(id);
        if (!x) {
            return;
        }
        const HashOutcome outcome = x->worker->result();
        x->worker->deleteLater();
        x->worker = nullptr;
        if (x->info.state == TransferInfo::State::Cancelled) {
            if (x->sink) {
                x->sink->discard();
                x->sink.reset();
            }
            if (x->forgotten) {
                m_transfers.erase(id);
            }
            return;
        }
        if (!outcome.error.isNull()) {
            fail(*x, outcome.error);
            return;
        }
        x->hashed = true;
        if (x->info.direction == TransferInfo::Direction::Upload) {
            x->info.sha256 = QString::fromLatin1(outcome.sha256);
            x->info.size = outcome.size;
            const qint64 maxFile = m_connection->serverLimits()
                                       .value(QLatin1StringView("maxFileBytes"))
                                       .toInteger(-1);
            if (maxFile >= 0 && outcome.size > maxFile) {
                fail(*x,
                    makeError(ErrorCode::TooLarge,
                        QStringLiteral("the file is %1 bytes; the server takes at most %2")
                            .arg(outcome.size)
                            .arg(maxFile)));
                return;
            }
        }
        if (x->info.state == TransferInfo::State::Hashing) {
            proceed(*x);
        }
    });
    // Hashing 256 MiB takes a second or two: off the thread the UI runs on.
    if (t.info.direction == TransferInfo::Direction::Upload) {
        t.worker->setFuture(QtConcurrent::run(
            [path = t.info.localPath, stop = t.stop] { return hashFile(path, *stop); }));
    } else {
        t.worker->setFuture(QtConcurrent::run(
            [sink = t.sink.get(), held = t.info.done, hash = t.hash, stop = t.stop] {
                return hashHeld(sink, held, hash.get(), *stop);
            }));
    }
}

void Transfers::proceed(Transfer& t)
{
    t.readyToRetry = false;
    if (m_connection->state() != ConnectionState::Online) {
        setState(t, TransferInfo::State::WaitingForConnection);
        return;
    }
    setState(t, TransferInfo::State::Running);
    if (t.info.direction == TransferInfo::Direction::Download) {
        if (t.info.done == t.info.size) {
            storeArrived(t); // all held already: only the check is left
            return;
        }
        pumpDownload(t);
        return;
    }
    afterAnswer(t);
}

void Transfers::onConnectionState()
{
    if (m_connection->state() != ConnectionState::Online) {
        return;
    }
    QList<qint64> waiting;
    for (const auto& [id, t] : m_transfers) {
        if (t->info.state == TransferInfo::State::WaitingForConnection) {
            waiting.append(id);
        }
    }
    for (const qint64 id : std::as_const(waiting)) {
        if (Transfer* x = find(id);
            x && x->info.state == TransferInfo::State::WaitingForConnection) {
            x->readyToRetry = true;
            afterAnswer(*x);
        }
    }
}

void Transfers::interrupt(Transfer& t, const Error& error)
{
    qCInfo(lcClient) << "transfer" << t.info.id << "interrupted:" << error.name();
    // Whatever else is in flight is stale now: the next attempt asks where things stand.
    ++t.generation;
    t.info.error = error;
    t.needsBegin = true;
    t.resyncing = false;
    t.early.clear();
    if (t.info.direction == TransferInfo::Direction::Download) {
        t.nextOffset = t.info.done;
    }
    if (error.code == ErrorCode::Timeout) {
        t.window = std::max(1, t.window / 2);
    }
    if (!isConnectionLoss(error) && ++t.retries > MaxRetries) {
        fail(t, error);
        return;
    }
    if (t.info.state == TransferInfo::State::Running) {
        setState(t, TransferInfo::State::WaitingForConnection);
    }
    // A lost connection comes back by itself (onConnectionState). A server that failed,
    // or did not answer on a connection still up, is asked again after a while.
    const int delayMs = error.retryAfterSeconds > 0
        ? error.retryAfterSeconds * 1000
        : std::min(MaxRetryDelayMs, 250 << std::min(t.retries, 7)); // 0.5 s, 1 s, ...
    const qint64 id = t.info.id;
    const quint64 token = ++t.retryToken;
    QTimer::singleShot(delayMs, this, [this, id, token] {
        Transfer* x = find(id);
        if (x && x->retryToken == token
            && x->info.state == TransferInfo::State::WaitingForConnection) {
            x->readyToRetry = true;
            afterAnswer(*x);
        }
    });
}

Transfers::Transfer* Transfers::answered(qint64 id, quint64 generation)
{
    Transfer* t = find(id);
    if (!t) {
        return nullptr;
    }
    --t->inFlight;
    if (generation != t->generation || t->info.isFinished()) {
        // An answer from before a reconnect, a pause or the end: counted, not used.
        afterAnswer(*t);
        return nullptr;
    }
    return t;
}

void Transfers::afterAnswer(Transfer& t)
{
    if (t.info.isFinished()) {
        return;
    }
    const bool upload = t.info.direction == TransferInfo::Direction::Upload;
    if (t.info.state == TransferInfo::State::WaitingForConnection) {
        // A new attempt starts once every stale answer is in, so that attachment.begin
        // comes after the last chunk and answers where the server really stands.
        if (t.inFlight == 0 && t.readyToRetry && m_connection->state() == ConnectionState::Online) {
            proceed(t);
        }
        return;
    }
    if (t.info.state != TransferInfo::State::Running) {
        return;
    }
    if (!upload) {
        pumpDownload(t);
        return;
    }
    if (t.inFlight > 0) {
        pumpUpload(t); // sends nothing while a begin or a resync waits for the answers
        return;
    }
    if (t.resyncing) {
        // Every answer is in: the last one said where the server stands.
        t.resyncing = false;
        t.nextOffset = t.serverOffset;
        setProgress(t, t.serverOffset);
    }
    if (!t.needsBegin && t.nextOffset >= t.info.size) {
        // All sent and answered, yet not complete: ask the server where it stands.
        if (++t.retries > MaxRetries) {
            fail(t, malformed(OpPut, QStringLiteral("the upload never completed")));
            return;
        }
        t.needsBegin = true;
    }
    if (t.needsBegin) {
        sendBegin(t);
    } else {
        pumpUpload(t);
    }
}

void Transfers::sendBegin(Transfer& t)
{
    if (!t.file) {
        t.file = std::make_unique<QFile>(t.info.localPath);
        if (!t.file->open(QIODevice::ReadOnly)) {
            fail(t, fileError(*t.file, QStringLiteral("cannot read")));
            return;
        }
    }
    const QJsonObject args { { QStringLiteral("name"), t.info.name },
        { QStringLiteral("type"), t.info.type }, { QStringLiteral("size"), t.info.size },
        { QStringLiteral("sha256"), t.info.sha256 } };
    ++t.inFlight;
    const qint64 id = t.info.id;
    const quint64 generation = t.generation;
    m_connection->request(OpBegin, args,
        [self = QPointer(this), id, generation](const QJsonObject& result, const Error& error) {
            Transfer* x = self ? self->answered(id, generation) : nullptr;
            if (!x) {
                return;
            }
            if (!error.isNull()) {
                if (isTransient(error)) {
                    self->interrupt(*x, error);
                    self->afterAnswer(*x);
                } else {
                    // too_large, over_quota, bad_request: asking again changes nothing.
                    self->fail(*x, error);
                }
                return;
            }
            const QJsonObject attachment = result.value(QLatin1StringView("attachment")).toObject();
            const qint64 offset = result.value(QLatin1StringView("offset")).toInteger(-1);
            const QString attachmentId = attachment.value(QLatin1StringView("id")).toString();
            if (attachmentId.isEmpty() || offset < 0 || offset > x->info.size) {
                self->fail(*x, malformed(OpBegin, QStringLiteral("no attachment id or offset")));
                return;
            }
            x->begun = attachment;
            x->info.attachment = attachment;
            x->info.attachmentId = attachmentId;
            x->info.error = {};
            x->needsBegin = false;
            if (attachment.value(QLatin1StringView("state")).toString()
                == QLatin1StringView("complete")) {
                self->succeed(*x, attachment); // a duplicate, or a file of 0 bytes
                return;
            }
            x->nextOffset = offset;
            x->serverOffset = offset;
            self->setProgress(*x, offset);
            self->afterAnswer(*x);
        });
}

void Transfers::pumpUpload(Transfer& t)
{
    const qint64 chunk = chunkBytes();
    while (t.info.state == TransferInfo::State::Running && !t.needsBegin && !t.resyncing
        && t.inFlight < t.window && t.nextOffset < t.info.size) {
        const qint64 offset = t.nextOffset;
        const qint64 length = std::min(chunk, t.info.size - offset);
        if (t.file->size() != t.info.size) {
            fail(t,
                namedError(
                    HashMismatch, QStringLiteral("the file changed while it was being uploaded")));
            return;
        }
        // Chunk by chunk: never more of the file in memory than what is in flight.
        const QByteArray bytes = t.file->seek(offset) ? t.file->read(length) : QByteArray();
        if (bytes.size() != length) {
            fail(t, fileError(*t.file, QStringLiteral("cannot read")));
            return;
        }
        t.nextOffset += length;
        ++t.inFlight;
        const qint64 id = t.info.id;
        const quint64 generation = t.generation;
        const QJsonObject args { { QStringLiteral("attachmentId"), t.info.attachmentId },
            { QStringLiteral("offset"), offset } };
        m_connection->request(OpPut, args, bytes,
            [self = QPointer(this), id, generation](const QJsonObject& result, const Error& error) {
                Transfer* x = self ? self->answered(id, generation) : nullptr;
                if (!x) {
                    return;
                }
                if (error.code == ErrorCode::Conflict
                    && error.details.value(QLatin1StringView("offset")).isDouble()) {
                    // The server stands elsewhere (a lost answer, a crash that lost a tail):
                    // the answers still in flight say where it ends up; resend from there.
                    qCInfo(lcClient) << "upload" << id << "conflict at"
                                     << error.details.value(QLatin1StringView("offset"));
                    // Counted once per resync: the answers behind it conflict as well.
                    if (!x->resyncing && ++x->retries > MaxRetries) {
                        self->fail(*x, error);
                        return;
                    }
                    x->resyncing = true;
                    x->serverOffset = std::clamp<qint64>(
                        error.details.value(QLatin1StringView("offset")).toInteger(), 0,
                        x->info.size);
                    self->afterAnswer(*x);
                    return;
                }
                if (error.name() == HashMismatch) {
                    self->fail(*x,
                        namedError(HashMismatch,
                            QStringLiteral(
                                "the file changed while it was being uploaded (%1); upload it "
                                "again")
                                .arg(error.message)));
                    return;
                }
                if (isTransient(error) || error.code == ErrorCode::NotFound
                    || error.code == ErrorCode::Conflict) {
                    // not_found: the unfinished upload is gone (deleted, or past its TTL);
                    // attachment.begin makes it anew.
                    self->interrupt(*x, error);
                    self->afterAnswer(*x);
                    return;
                }
                if (!error.isNull()) {
                    self->fail(*x, error);
                    return;
                }
                const qint64 reached = result.value(QLatin1StringView("offset")).toInteger(-1);
                if (reached < 0 || reached > x->info.size) {
                    self->fail(*x, malformed(OpPut, QStringLiteral("offset out of range")));
                    return;
                }
                x->serverOffset = reached;
                if (result.value(QLatin1StringView("complete")).toBool()) {
                    QJsonObject attachment
                        = result.value(QLatin1StringView("attachment")).toObject();
                    if (attachment.isEmpty()) {
                        attachment = x->begun;
                        attachment.insert(QStringLiteral("state"), QStringLiteral("complete"));
                    }
                    self->setProgress(*x, x->info.size);
                    self->succeed(*x, attachment);
                    return;
                }
                if (!x->resyncing) {
                    x->retries = 0;
                    x->window = std::min(x->window + 1, int(ChunksInFlight));
                    self->setProgress(*x, std::max(x->info.done, reached));
                }
                self->afterAnswer(*x);
            });
    }
}

void Transfers::pumpDownload(Transfer& t)
{
    const qint64 chunk = chunkBytes();
    while (t.info.state == TransferInfo::State::Running && t.inFlight < t.window
        && t.nextOffset < t.info.size) {
        const qint64 offset = t.nextOffset;
        const qint64 length = std::min(chunk, t.info.size - offset);
        t.nextOffset += length;
        ++t.inFlight;
        const qint64 id = t.info.id;
        const quint64 generation = t.generation;
        const QJsonObject args { { QStringLiteral("attachmentId"), t.info.attachmentId },
            { QStringLiteral("offset"), offset }, { QStringLiteral("length"), length } };
        m_connection->requestWithPayload(OpGet, args,
            [self = QPointer(this), id, generation, offset, length](
                const QJsonObject& result, const QByteArray& payload, const Error& error) {
                Transfer* x = self ? self->answered(id, generation) : nullptr;
                if (!x) {
                    return;
                }
                if (isTransient(error)) {
                    self->interrupt(*x, error);
                    self->afterAnswer(*x);
                    return;
                }
                if (!error.isNull()) {
                    self->fail(*x, error); // not_found: deleted, or no longer ours to fetch
                    return;
                }
                const qint64 size = result.value(QLatin1StringView("size")).toInteger(-1);
                if (size != x->info.size) {
                    self->fail(*x,
                        makeError(ErrorCode::Conflict,
                            QStringLiteral("the attachment has %1 bytes, not %2 as expected")
                                .arg(size)
                                .arg(x->info.size)));
                    return;
                }
                if (result.value(QLatin1StringView("offset")).toInteger(-1) != offset
                    || payload.size() != length) {
                    self->fail(*x,
                        malformed(OpGet,
                            QStringLiteral("%1 bytes at %2 for %3 at %4")
                                .arg(payload.size())
                                .arg(result.value(QLatin1StringView("offset")).toInteger(-1))
                                .arg(length)
                                .arg(offset)));
                    return;
                }
                if (offset >= x->info.done) {
                    x->early.emplace(offset, payload);
                }
                self->storeArrived(*x);
            });
    }
}

void Transfers::storeArrived(Transfer& t)
{
    // Writes what follows the held bytes, in order.
    qint64 held = t.info.done;
    for (auto it = t.early.begin(); it != t.early.end() && it->first == held;
         it = t.early.erase(it)) {
        if (const Result<void> written = t.sink->write(it->second); !written) {
            // What the sink holds stays for a later attempt (the hash check guards it).
            fail(t, written.error());
            return;
        }
        t.hash->addData(it->second);
        held += it->second.size();
    }
    t.retries = 0;
    t.window = std::min(t.window + 1, int(ChunksInFlight));
    t.info.error = {};
    setProgress(t, held);
    if (held < t.info.size) {
        afterAnswer(t);
        return;
    }
    const QString actual = QString::fromLatin1(t.hash->result().toHex());
    if (actual != t.info.sha256) {
        qCInfo(lcClient) << "download" << t.info.id << "does not match its SHA-256; discarded";
        t.sink->discard();
        t.info.done = 0;
        fail(t,
            namedError(HashMismatch,
                QStringLiteral("the downloaded bytes hash to %1, not %2 as the message said")
                    .arg(actual, t.info.sha256)));
        return;
    }
    if (const Result<void> finishedOk = t.sink->finish(); !finishedOk) {
        fail(t, finishedOk.error());
        return;
    }
    QJsonObject attachment { { QStringLiteral("id"), t.info.attachmentId },
        { QStringLiteral("size"), t.info.size }, { QStringLiteral("sha256"), t.info.sha256 } };
    if (!t.info.name.isEmpty()) {
        attachment.insert(QStringLiteral("name"), t.info.name);
    }
    succeed(t, attachment);
}

void Transfers::setState(Transfer& t, TransferInfo::State state)
{
    if (t.info.state == state) {
        return;
    }
    t.info.state = state;
    Q_EMIT stateChanged(t.info.id, state);
}

void Transfers::setProgress(Transfer& t, qint64 done)
{
    if (t.info.done == done) {
        return;
    }
    t.info.done = done;
    Q_EMIT progressChanged(t.info.id, done, t.info.size);
}

void Transfers::succeed(Transfer& t, const QJsonObject& attachment)
{
    t.info.attachment = attachment;
    t.info.error = {};
    const qint64 id = t.info.id;
    release(t);
    t.sink.reset();
    setState(t, TransferInfo::State::Done);
    scheduleLater();
    Q_EMIT finished(id, attachment, {});
}

void Transfers::fail(Transfer& t, const Error& error)
{
    qCInfo(lcClient) << "transfer" << t.info.id << "failed:" << error.name() << error.message;
    ++t.generation;
    t.info.error = error;
    const qint64 id = t.info.id;
    release(t);
    if (!t.worker) {
        t.sink.reset(); // keeps what it holds, for a later attempt
    }
    setState(t, TransferInfo::State::Failed);
    scheduleLater();
    Q_EMIT finished(id, {}, error);
}

void Transfers::release(Transfer& t)
{
    ++t.retryToken;
    t.file.reset();
    t.early.clear();
}

} // namespace cpm
