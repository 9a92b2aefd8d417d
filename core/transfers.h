// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Attachment transfers (MSG-1, docs/protocol.md "Attachments"): uploads into the user's
// network storage and downloads from it, in chunks pipelined over the Connection, each
// resumable after a dropped connection. It knows neither the local store nor the UI: an
// upload reads a local file, a download writes into a DownloadSink (a plain file here,
// an encrypted one in the profile elsewhere).

#include "error.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <map>
#include <memory>
#include <optional>

namespace cpm {

class Connection;

/*!
 * Where a download's bytes go, in order. Transfers calls it from the thread it lives in,
 * except readHeld(), which it may call from a worker thread while nothing else calls the
 * sink.
 */
class DownloadSink {
public:
    virtual ~DownloadSink() = default;
    //! How many bytes of the content are held already (from an earlier attempt): the
    //! download continues from there.
    virtual qint64 bytesHeld() const = 0;
    //! Up to \a maxBytes of what is held, from \a offset: to hash a held prefix before
    //! continuing after it.
    virtual Result<QByteArray> readHeld(qint64 offset, qint64 maxBytes) = 0;
    //! Appends \a bytes to what is held.
    virtual Result<void> write(QByteArrayView bytes) = 0;
    //! Every byte is in and matches the SHA-256: makes the content final.
    virtual Result<void> finish() = 0;
    //! Throws away what is held (a hash mismatch, a cancel).
    virtual void discard() = 0;
};

/*!
 * A download into a plain file (cpm-cli `download --to PATH`). The bytes go to
 * `PATH.part` and only a complete, verified file is renamed to PATH (replacing one there):
 * a file at PATH is never half a download, and a second run after an interruption finds
 * `PATH.part` and continues after what it holds.
 */
class PlainFileSink final : public DownloadSink {
public:
    explicit PlainFileSink(const QString& path);
    ~PlainFileSink() override;

    static QString partPath(const QString& path);

    qint64 bytesHeld() const override;
    Result<QByteArray> readHeld(qint64 offset, qint64 maxBytes) override;
    Result<void> write(QByteArrayView bytes) override;
    Result<void> finish() override;
    void discard() override;

private:
    QString m_path;
    QFile m_part;
};

//! One transfer as the UI and cpm-cli show it.
struct TransferInfo {
    Q_GADGET
    Q_PROPERTY(qint64 id MEMBER id)
    Q_PROPERTY(Direction direction MEMBER direction)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(qint64 size MEMBER size)
    Q_PROPERTY(qint64 done MEMBER done)
    Q_PROPERTY(State state MEMBER state)

public:
    enum class Direction { Upload, Download };
    Q_ENUM(Direction)
    enum class State {
        Queued, //!< waiting for a free slot (see Transfers::setMaxRunning)
        Hashing, //!< computing the SHA-256 of the file (upload) or of the held prefix
        Running,
        Paused, //!< by pause(); resume() continues it
        WaitingForConnection, //!< the connection dropped (or the server was busy): it
                              //!< continues by itself once the connection is back
        Done,
        Failed, //!< error says why; not retried
        Cancelled,
    };
    Q_ENUM(State)

    qint64 id = 0; //!< local to this Transfers, never reused
    Direction direction = Direction::Upload;
    QString name; //!< the attachment's name (a download: what the caller gave)
    QString type; //!< upload: the media type given
    QString localPath; //!< upload: the file read
    QString attachmentId; //!< once known (an upload: after attachment.begin)
    QString sha256; //!< once known (an upload: after hashing)
    qint64 size = 0; //!< bytes in all (an upload: once stat'ed)
    //! Bytes the server confirmed (upload) or the sink holds (download).
    qint64 done = 0;
    State state = State::Queued;
    //! Why it failed; while waiting for the connection, the last error met (if any).
    Error error;
    //! The server's Attachment object (docs/protocol.md "Objects") once known, as it came
    //! (protocol::Attachment::fromJson reads it); complete when the transfer is Done.
    QJsonObject attachment;

    bool isFinished() const
    {
        return state == State::Done || state == State::Failed || state == State::Cancelled;
    }
    static QString stateName(State state);
};

/*!
 * Runs uploads and downloads of attachments over one Connection (which must outlive it):
 * a few at a time (the rest queued), each with ChunksInFlight chunks in flight and no more
 * than those in memory. A dropped connection pauses them in WaitingForConnection; they
 * continue where the server (upload) or the sink (download) stands once it is Online again.
 */
class Transfers final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Transfers)

public:
    //! Chunks sent (or asked for) before the first is answered.
    static constexpr int ChunksInFlight = 8;
    //! The chunk size when the server's hello does not say (`maxChunkBytes`).
    static constexpr qint64 DefaultChunkBytes = 256 * 1024;
    //! Files are read (and hashed) in pieces of this size.
    static constexpr qint64 ReadBytes = 1024 * 1024;

    explicit Transfers(Connection* connection, QObject* parent = nullptr);
    ~Transfers() override;

    //! Queues an upload of the file at \a localPath as \a name of media type \a type;
    //! returns its id. Signals follow only after this returns.
    qint64 upload(const QString& localPath, const QString& name, const QString& type);
    /*!
     * Queues a download of attachment \a attachmentId (\a size bytes hashing to \a sha256,
     * as the message said) into \a sink, continuing after what the sink holds already;
     * returns its id. \a name is for showing only.
     */
    qint64 download(const QString& attachmentId, qint64 size, const QString& sha256,
        std::unique_ptr<DownloadSink> sink, const QString& name = {});

    //! Stops sending (or asking for) chunks; those in flight still land. Frees its slot.
    void pause(qint64 id);
    //! Continues a paused transfer (queued again when no slot is free).
    void resume(qint64 id);
    //! Stops for good: a download's held bytes are discarded, an unfinished upload is
    //! deleted from the network storage (`files.delete`) when connected.
    void cancel(qint64 id);
    //! Drops a finished transfer from transfers().
    void forget(qint64 id);

    std::optional<TransferInfo> info(qint64 id) const;
    //! Every transfer not forgotten, oldest first.
    QList<TransferInfo> transfers() const;

    //! How many uploads and downloads may run at once (2 and 2 unless set).
    void setMaxRunning(int uploads, int downloads);

Q_SIGNALS:
    void progressChanged(qint64 id, qint64 done, qint64 total);
    void stateChanged(qint64 id, cpm::TransferInfo::State state);
    /*!
     * The transfer is over: Done with \a attachment (the server's Attachment object; for
     * a download the one known: id, size, sha256, name), or Failed or Cancelled with
     * \a error (Cancelled for cancel()).
     */
    void finished(qint64 id, const QJsonObject& attachment, const cpm::Error& error);

private:
    struct Transfer;
    Transfer* find(qint64 id) const;
    qint64 add(std::unique_ptr<Transfer> transfer);
    void scheduleLater();
    void schedule();
    void start(Transfer& t);
    void startHashing(Transfer& t);
    void proceed(Transfer& t);
    void onConnectionState();
    void sendBegin(Transfer& t);
    void pumpUpload(Transfer& t);
    void pumpDownload(Transfer& t);
    void storeArrived(Transfer& t);
    void interrupt(Transfer& t, const Error& error);
    void afterAnswer(Transfer& t);
    //! The transfer an answer is for, with its request counted out; null when it is gone
    //! or the answer is stale (sent before a reconnect, or the transfer ended meanwhile).
    Transfer* answered(qint64 id, quint64 generation);
    void setState(Transfer& t, TransferInfo::State state);
    void setProgress(Transfer& t, qint64 done);
    void succeed(Transfer& t, const QJsonObject& attachment);
    void fail(Transfer& t, const Error& error);
    void release(Transfer& t);
    qint64 chunkBytes() const;

    Connection* m_connection;
    std::map<qint64, std::unique_ptr<Transfer>> m_transfers;
    qint64 m_nextId = 1;
    int m_maxUploads = 2;
    int m_maxDownloads = 2;
    bool m_scheduleQueued = false;
};

} // namespace cpm

Q_DECLARE_METATYPE(cpm::TransferInfo)
