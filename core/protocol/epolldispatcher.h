// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// An event dispatcher whose cost per wake-up follows what happened, not how many sockets are
// open (issue 12). Qt's dispatchers (GLib's main loop, or the UNIX one under QT_NO_GLIB) hand
// the kernel every socket notifier at each wake-up with poll(): with 2,000 connections half
// of a busy server's CPU went to scanning sockets that had nothing to say, and GLib's
// notifier lists made each enable/disable of a write notifier a walk of all of them. This
// one keeps the notifiers in an epoll set (level-triggered, the same semantics as poll) and
// the timers ordered by deadline, so a wake-up costs O(ready sockets + due timers · log n).
// Changes to the set wait until the next wait: a socket's write notifier goes on when a
// frame is queued and off when it is written, often several times per turn of the loop,
// and only the state at the wait is the kernel's business (one epoll_ctl, or none).
//
// It serves one thread: install it with QCoreApplication::setEventDispatcher() before the
// application object is made (cpm-server and the benches do). Coarse and very coarse timers
// are kept as precise ones: no timer fires late, a few fire at their exact deadline instead
// of one batched with others. CPM_EVENT_DISPATCHER=qt in the environment makes
// installEpollDispatcher() keep Qt's own dispatcher, to compare.

#include <QAbstractEventDispatcher>

#include <atomic>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace cpm::protocol {

class EpollDispatcher final : public QAbstractEventDispatcher {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollDispatcher)

public:
    explicit EpollDispatcher(QObject* parent = nullptr);
    ~EpollDispatcher() override;

    //! False when the kernel refused an epoll set or an eventfd (the dispatcher is unusable).
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier* notifier) override;
    void unregisterSocketNotifier(QSocketNotifier* notifier) override;
    void registerTimer(
        int timerId, qint64 interval, Qt::TimerType timerType, QObject* object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject* object) override;
    QList<TimerInfo> registeredTimers(QObject* object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct Notifiers {
        QSocketNotifier* read = nullptr;
        QSocketNotifier* write = nullptr;
        QSocketNotifier* exception = nullptr;
        quint32 events = 0; //!< what the epoll set watches for this descriptor now
        bool dirty = false; //!< in m_dirty: the set is to be brought in line before waiting
    };
    struct Timer {
        qint64 interval = 0; //!< ms
        Qt::TimerType type = Qt::CoarseTimer;
        QObject* object = nullptr;
        qint64 deadline = 0; //!< ns on m_clock
        bool firing = false; //!< in its timerEvent: not again from a nested loop
    };

    //! Marks \a fd's interest as changed (applied by applyWatches()).
    void updateWatch(int fd, Notifiers& n);
    //! Brings the epoll set in line with the registered notifiers.
    void applyWatches();
    void applyWatch(int fd, Notifiers& n, quint32 wanted);
    //! Milliseconds until the first timer is due (0: one is), -1 with none.
    int timeToNextTimer() const;
    int activateTimers();
    int activateNotifiers(int fd, quint32 events);
    void drainWakeUps();
    static qint64 now();

    int m_epoll = -1;
    int m_wake = -1; //!< eventfd: wakeUp() from any thread
    std::atomic<bool> m_wakeUpPending { false };
    std::atomic<bool> m_interrupted { false };
    std::unordered_map<int, Notifiers> m_notifiers;
    std::vector<int> m_dirty;
    std::unordered_map<int, Timer> m_timers;
    std::map<std::pair<qint64, int>, int> m_byDeadline; //!< (deadline, id) → id
};

/*!
 * Makes an EpollDispatcher the main thread's, unless CPM_EVENT_DISPATCHER=qt; call before the
 * QCoreApplication is made. False when Qt's own stays (asked for, or epoll unavailable).
 */
bool installEpollDispatcher();

} // namespace cpm::protocol
