// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The commands of cpm-cli (docs/cli.md): each runs against one Client and answers one
// JSON value, so one-shot runs, `watch` and `shell` share the same code.

#include "client.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QSocketNotifier;
class QTimer;

namespace cpm::cli {

class Cli final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Cli)

public:
    explicit Cli(QObject* parent = nullptr);
    ~Cli() override;

    //! Starts running \a arguments (without the program name); the application's exit
    //! code tells the outcome.
    void start(const QStringList& arguments);

private:
    using Done = std::function<void(const QJsonValue& result, const Error& error)>;

    void finish(const QJsonValue& result, const Error& error);
    //! Everything the run's options say about the server: --server, --ca, --insecure.
    Error configure(const QString& server, const std::optional<QString>& caFile, bool insecure);
    //! `guest …`: signs in as a guest (GST-1), then runs the shell until sign-out.
    void startGuest(const QStringList& args, const QString& server,
        const std::optional<QString>& caFile, bool insecure);
    /*!
     * Signs this guest out: the local wipe at once, then the server is told; \a then gets
     * the sign-out's answer once the server confirmed or after a bounded wait.
     */
    void endGuest(std::function<void(const QJsonObject& answer)> then);
    //! SIGTERM, SIGINT and SIGHUP end a guest session like `sign-out` (a self-pipe).
    void catchSignals();
    void handleSignal();
    //! Connects, syncs and sends the outbox, then runs \a then; on failure \a failed (by
    //! default the command fails with the connection's error).
    void connectThen(std::function<void()> then, std::function<void(const Error&)> failed = {});
    void execute(const QStringList& args, Done done);
    void startWatching(int seconds);
    void startShell();
    void readStdin();
    void processQueue();
    void printLine(const QJsonObject& object);
    void hookProgress();
    //! Progress of uploads and downloads holds off the command's deadline.
    void hookTransfersKeepAlive();
    void hookEvents();

    std::unique_ptr<Client> m_client;
    QTimer* m_deadline;
    QSocketNotifier* m_stdin = nullptr;
    QSocketNotifier* m_signals = nullptr;
    QByteArray m_stdinBuffer;
    QStringList m_pendingLines;
    bool m_busy = false;
    bool m_offline = false;
    bool m_finished = false;
    bool m_progressHooked = false;
    bool m_keepAliveHooked = false;
    //! Per transfer, the state and tenth last printed (one line per step, not per chunk).
    QHash<qint64, std::pair<int, int>> m_transferShown;
    //! This device is being signed out on purpose (`sign-out`, a guest's end).
    bool m_signingOut = false;
    //! ... and it has been: the shell ends after the answer.
    bool m_signedOutSelf = false;
    int m_timeoutSeconds = 30;
};

} // namespace cpm::cli
