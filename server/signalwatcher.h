// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Turns SIGTERM and SIGINT into a Qt signal. A signal handler may do almost nothing, so
// it writes one byte to a socket pair (the self-pipe trick) and the event loop reads it.

#include <QObject>

class QSocketNotifier;

namespace cpm::server {

class SignalWatcher final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    //! Installs the handlers; only one SignalWatcher may exist at a time.
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    //! SIGTERM or SIGINT arrived (\a signal is its number).
    void terminationRequested(int signal);

private:
    void readSignal();

    QSocketNotifier* m_notifier = nullptr;
};

} // namespace cpm::server
