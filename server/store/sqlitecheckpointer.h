// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Checkpoints SqliteStore's WAL into the database file from a thread of its own, with its
// own connection: a checkpoint copies pages and fsyncs twice, which on the serving thread
// would stall every connection behind it. PASSIVE never blocks the writer.
//
// The WAL only starts over when a write transaction begins while every frame in it has been
// copied back. With group commit the serving thread is nearly always inside a transaction
// when busy, so a checkpoint here almost never finishes in such a gap and the file would grow
// without end. So this thread does the copying and reports the WAL's size, and when it is
// large the serving thread copies the last few commits itself, between two batches
// (SqliteStore::maintain()), so that its next write resets the WAL. Only if even that fails
// for long (a reader pinning an old snapshot) does TRUNCATE hold writers back briefly.

#include <QMutex>
#include <QString>
#include <QThread>
#include <QWaitCondition>

#include <atomic>

namespace cpm::server {

class SqliteCheckpointer final : public QThread {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SqliteCheckpointer)

public:
    explicit SqliteCheckpointer(const QString& path, QObject* parent = nullptr);
    ~SqliteCheckpointer() override;

    //! Frames in the WAL after the last checkpoint (-1: it failed).
    qint64 walFrames() const { return m_walFrames.load(std::memory_order_relaxed); }
    void setWalFrames(qint64 frames) { m_walFrames.store(frames, std::memory_order_relaxed); }
    void stop();

protected:
    void run() override;

private:
    QString m_path;
    QMutex m_mutex;
    QWaitCondition m_wake;
    bool m_stopping = false;
    std::atomic<qint64> m_walFrames { 0 };
};

} // namespace cpm::server
