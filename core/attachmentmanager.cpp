// SPDX-License-Identifier: GPL-3.0-or-later
#include "attachmentmanager.h"

#include "attachmentcache.h"
#include "connection.h"
#include "logging.h"
#include "protocol.h"
#include "sealedfile.h"

#include <QFile>
#include <QJsonArray>
#include <QPointer>
#include <QTimer>

namespace cpm {

namespace {
//! A download into this device's sealed copy of an attachment.
class SealedSink final : public DownloadSink {
public:
    SealedSink(AttachmentCache& cache, QString id, std::unique_ptr<SealedFileWriter> writer)
        : m_cache(cache)
        , m_id(std::move(id))
        , m_writer(std::move(writer))
    {
    }
    qint64 bytesHeld() const override { return m_writer ? m_writer->size() : 0; }
    Result<QByteArray> readHeld(qint64, qint64) override
    {
        // Never asked: a sealed copy always starts from its first byte (bytesHeld() 0).
        return makeError(ErrorCode::StoreFailed, QStringLiteral("no partial copy to read"));
    }
    Result<void> write(QByteArrayView bytes) override { return m_writer->write(bytes); }
    Result<void> finish() override
    {
        const qint64 size = m_writer->size();
        if (const Result<void> done = m_writer->finish(); !done) {
            return done;
        }
        return m_cache.contentComplete(m_id, size);
    }
    void discard() override
    {
        m_writer.reset();
        [[maybe_unused]] const Result<void> removed = m_cache.remove(m_id);
    }

private:
    AttachmentCache& m_cache;
    QString m_id;
    std::unique_ptr<SealedFileWriter> m_writer;
};

void later(QObject* context, const AttachmentManager::Callback& done, const Error& error)
{
    if (done) {
        QTimer::singleShot(0, context, [done, error] { done(error); });
    }
}
} // namespace

AttachmentManager::AttachmentManager(Connection* connection, Backend& backend, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
    , m_backend(backend)
    , m_transfers(new Transfers(connection, this))
    , m_cacheLimit(AttachmentCache::DefaultLimitBytes)
{
    connect(m_transfers, &Transfers::progressChanged, this,
        [this](qint64 id, qint64, qint64) { Q_EMIT transferChanged(id); });
    connect(m_transfers, &Transfers::stateChanged, this,
        [this](qint64 id, TransferInfo::State) { Q_EMIT transferChanged(id); });
    connect(m_transfers, &Transfers::finished, this, &AttachmentManager::onFinished);
}

AttachmentManager::~AttachmentManager() = default;

void AttachmentManager::storeOpened()
{
    m_cache = std::make_unique<AttachmentCache>(
        m_backend.localStore(), m_backend.secretBox(), m_backend.attachmentsDirectory());
    m_cache->setLimit(m_cacheLimit);
}

void AttachmentManager::storeClosed()
{
    // Whatever runs writes into the store's files or for its outbox: stop it all.
    for (const TransferInfo& t : m_transfers->transfers()) {
        if (!t.isFinished()) {
            m_transfers->cancel(t.id);
        }
        m_transfers->forget(t.id);
    }
    m_uploads.clear();
    m_downloads.clear();
    m_cache.reset();
}

void AttachmentManager::setCacheLimit(qint64 bytes)
{
    m_cacheLimit = bytes;
    if (m_cache) {
        m_cache->setLimit(bytes);
    }
}

// --- outgoing ----------------------------------------------------------------------------

bool AttachmentManager::prepare(const OutboxEntry& entry)
{
    bool ready = true;
    for (qsizetype i = 0; i < entry.attachments.size(); ++i) {
        if (!entry.attachments.at(i).id.isEmpty()) {
            continue;
        }
        ready = false;
        const bool started = std::any_of(m_uploads.cbegin(), m_uploads.cend(),
            [&](const Upload& u) { return u.clientId == entry.clientId && u.index == i; });
        if (started) {
            continue;
        }
        const protocol::Attachment& a = entry.attachments.at(i);
        const qint64 id = m_transfers->upload(entry.sources.value(i), a.name, a.type);
        m_uploads.insert(id, { entry.clientId, entry.pendingId, i });
    }
    return ready;
}

// --- incoming ----------------------------------------------------------------------------

Result<protocol::Attachment> AttachmentManager::find(
    qint64 messageId, const QString& attachmentId) const
{
    LocalStore* store = m_backend.localStore();
    if (!store) {
        return makeError(ErrorCode::ProfileUnusable, QStringLiteral("the profile is not open"));
    }
    const Result<std::optional<Message>> m = store->message(messageId);
    if (!m) {
        return m.error();
    }
    if (m->has_value()) {
        for (const protocol::Attachment& a : (*m)->attachments) {
            if (a.id == attachmentId && !a.id.isEmpty()) {
                return a;
            }
        }
    }
    return makeError(ErrorCode::NotFound,
        QStringLiteral("message %1 has no attachment %2 on this device")
            .arg(messageId)
            .arg(attachmentId));
}

void AttachmentManager::fetch(qint64 messageId, const QString& attachmentId, Callback done)
{
    const Result<protocol::Attachment> a = find(messageId, attachmentId);
    if (!a) {
        return later(this, done, a.error());
    }
    if (has(attachmentId)) {
        return later(this, done, {});
    }
    for (auto it = m_downloads.begin(); it != m_downloads.end(); ++it) {
        if (it->attachmentId == attachmentId && it->toCache) {
            if (done) {
                it->waiting.append(std::move(done));
            }
            return; // one download serves everyone who asks
        }
    }
    Result<std::unique_ptr<SealedFileWriter>> writer = m_cache->contentWriter(attachmentId);
    if (!writer) {
        m_backend.recordError(writer.error());
        return later(this, done, writer.error());
    }
    startDownload(*a,
        std::make_unique<SealedSink>(*m_cache, attachmentId, std::move(writer).value()), true,
        std::move(done));
}

void AttachmentManager::download(
    qint64 messageId, const QString& attachmentId, const QString& path, Callback done)
{
    const Result<protocol::Attachment> a = find(messageId, attachmentId);
    if (!a) {
        return later(this, done, a.error());
    }
    if (has(attachmentId)) {
        // Here already: no need to ask the server again.
        return later(this, done, save(attachmentId, path).error());
    }
    startDownload(*a, std::make_unique<PlainFileSink>(path), false, std::move(done));
}

void AttachmentManager::downloadOwn(
    const protocol::Attachment& file, const QString& path, Callback done)
{
    if (!protocol::isAttachmentId(file.id) || !protocol::isSha256Hex(file.sha256)) {
        return later(this, done, makeError(ErrorCode::BadRequest, QStringLiteral("not a file")));
    }
    if (has(file.id)) {
        return later(this, done, save(file.id, path).error());
    }
    startDownload(file, std::make_unique<PlainFileSink>(path), false, std::move(done));
}

void AttachmentManager::startDownload(
    const protocol::Attachment& a, std::unique_ptr<DownloadSink> sink, bool toCache, Callback done)
{
    const qint64 id = m_transfers->download(a.id, a.size, a.sha256, std::move(sink), a.name);
    Download d { a.id, {}, toCache };
    if (done) {
        d.waiting.append(std::move(done));
    }
    m_downloads.insert(id, std::move(d));
}

void AttachmentManager::autoFetch(const Message& message, Moment moment)
{
    if (message.outgoing || message.partial || !m_cache
        || (moment == Arrived && m_backend.ownDelivery() != protocol::delivery::Full)) {
        return;
    }
    const qint64 limit = m_connection->serverLimits()
                             .value(QLatin1StringView("autoFetchBytes"))
                             .toInteger(10LL * 1024 * 1024);
    for (const protocol::Attachment& a : message.attachments) {
        if (a.isImage() && a.size <= limit && !a.id.isEmpty() && !has(a.id)) {
            fetch(message.id, a.id);
        }
    }
}

bool AttachmentManager::has(const QString& attachmentId) const
{
    return m_cache && m_cache->hasContent(attachmentId);
}

Result<std::unique_ptr<QIODevice>> AttachmentManager::open(const QString& attachmentId)
{
    if (!m_cache) {
        return makeError(ErrorCode::ProfileUnusable, QStringLiteral("the profile is not open"));
    }
    return m_cache->openContent(attachmentId);
}

Result<void> AttachmentManager::save(const QString& attachmentId, const QString& path)
{
    if (!m_cache) {
        return makeError(ErrorCode::ProfileUnusable, QStringLiteral("the profile is not open"));
    }
    return m_cache->exportContent(attachmentId, path);
}

Result<QByteArray> AttachmentManager::thumbnail(const QString& attachmentId)
{
    if (!m_cache) {
        return QByteArray();
    }
    return m_cache->thumbnail(attachmentId);
}

Result<void> AttachmentManager::storeThumbnail(
    const QString& attachmentId, const QByteArray& encoded)
{
    if (!m_cache) {
        return makeError(ErrorCode::ProfileUnusable, QStringLiteral("the profile is not open"));
    }
    return m_cache->storeThumbnail(attachmentId, encoded);
}

// --- transfers ---------------------------------------------------------------------------

void AttachmentManager::onFinished(
    qint64 transferId, const QJsonObject& attachment, const Error& error)
{
    Q_EMIT transferChanged(transferId);
    if (const auto u = m_uploads.constFind(transferId); u != m_uploads.constEnd()) {
        const Upload upload = *u;
        m_uploads.erase(u);
        LocalStore* store = m_backend.localStore();
        if (!store) {
            return;
        }
        if (!error.isNull()) {
            // The Transfers waits out dropped connections itself: this is for good (a file
            // gone or changed, over the limits or the quota).
            if (error.code != ErrorCode::Cancelled) {
                m_backend.uploadFailed(upload.clientId, error);
            }
            return;
        }
        const Result<protocol::Attachment> uploaded = protocol::Attachment::fromJson(attachment);
        if (!uploaded) {
            m_backend.uploadFailed(upload.clientId, uploaded.error());
            return;
        }
        StoreChanges changes;
        if (const Result<void> set
            = store->setOutboxAttachment(upload.pendingId, upload.index, *uploaded, &changes);
            !set) {
            m_backend.recordError(set.error());
            return;
        }
        m_backend.uploadsSettled();
        return;
    }
    if (const auto d = m_downloads.constFind(transferId); d != m_downloads.constEnd()) {
        const Download download = *d;
        m_downloads.erase(d);
        m_transfers->forget(transferId);
        if (error.isNull()) {
            if (download.toCache) {
                Q_EMIT attachmentReady(download.attachmentId);
            }
        } else {
            qCInfo(lcClient) << "attachment" << download.attachmentId
                             << "not fetched:" << error.name() << error.message;
            Q_EMIT attachmentFailed(download.attachmentId, error);
        }
        for (const Callback& done : download.waiting) {
            done(error);
        }
    }
}

QList<TransferInfo> AttachmentManager::transfers() const { return m_transfers->transfers(); }

std::optional<TransferInfo> AttachmentManager::transfer(qint64 transferId) const
{
    return m_transfers->info(transferId);
}

std::optional<TransferInfo> AttachmentManager::downloadOf(const QString& attachmentId) const
{
    for (auto it = m_downloads.cbegin(); it != m_downloads.cend(); ++it) {
        if (it->attachmentId == attachmentId) {
            return m_transfers->info(it.key());
        }
    }
    return std::nullopt;
}

std::optional<TransferInfo> AttachmentManager::uploadOf(qint64 pendingId, qsizetype index) const
{
    for (auto it = m_uploads.cbegin(); it != m_uploads.cend(); ++it) {
        if (it->pendingId == pendingId && it->index == index) {
            return m_transfers->info(it.key());
        }
    }
    return std::nullopt;
}

void AttachmentManager::pause(qint64 transferId) { m_transfers->pause(transferId); }

void AttachmentManager::resume(qint64 transferId) { m_transfers->resume(transferId); }

void AttachmentManager::cancel(qint64 transferId) { m_transfers->cancel(transferId); }

// --- my files ----------------------------------------------------------------------------

void AttachmentManager::listFiles(FilesCallback done)
{
    // Page by page: a large storage does not fit in one answer.
    struct State {
        QList<protocol::Attachment> files;
        FilesCallback done;
    };
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    auto page = std::make_shared<std::function<void(qint64)>>();
    QPointer<AttachmentManager> guard(this);
    *page = [this, guard, state, page](qint64 offset) {
        m_connection->request(protocol::op::FilesList, { { QStringLiteral("offset"), offset } },
            [guard, state, page, offset](const QJsonObject& result, const Error& error) {
                if (!guard) {
                    return;
                }
                if (!error.isNull()) {
                    state->done(error, {}, 0, 0);
                    *page = nullptr;
                    return;
                }
                const QJsonArray files = result.value(QLatin1StringView("files")).toArray();
                for (const QJsonValue& f : files) {
                    if (Result<protocol::Attachment> a
                        = protocol::Attachment::fromJson(f.toObject())) {
                        state->files.append(std::move(a).value());
                    }
                }
                if (result.value(QLatin1StringView("more")).toBool() && !files.isEmpty()) {
                    (*page)(offset + files.size());
                    return;
                }
                state->done({}, state->files,
                    result.value(QLatin1StringView("usedBytes")).toInteger(),
                    result.value(QLatin1StringView("quotaBytes")).toInteger());
                *page = nullptr; // breaks the cycle of the function holding itself
            });
    };
    (*page)(0);
}

void AttachmentManager::deleteFile(const QString& attachmentId, Callback done)
{
    m_connection->request(protocol::op::FilesDelete,
        { { QStringLiteral("attachmentId"), attachmentId } },
        [done = std::move(done)](const QJsonObject&, const Error& error) {
            if (done) {
                done(error);
            }
        });
}

} // namespace cpm
