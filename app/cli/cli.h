// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The commands of cpm-cli (docs/cli.md): each runs against one Client and answers one
// JSON value, so one-shot runs, `watch` and `shell` share the same code.

#include "client.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

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
    //! Connects, syncs and sends the outbox, then runs \a then; on failure \a failed (by
    //! default the command fails with the connection's error).
    void connectThen(std::function<void()> then, std::function<void(const Error&)> failed = {});
    void execute(const QStringList& args, Done done);
    void startWatching(int seconds);
    void startShell();
    void readStdin();
    void processQueue();
    void printLine(const QJsonObject& object);
    void hookEvents();

    std::unique_ptr<Client> m_client;
    QTimer* m_deadline;
    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_stdinBuffer;
    QStringList m_pendingLines;
    bool m_busy = false;
    bool m_offline = false;
    bool m_finished = false;
    int m_timeoutSeconds = 30;
};

} // namespace cpm::cli
