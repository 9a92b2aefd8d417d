// SPDX-License-Identifier: GPL-3.0-or-later
#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

namespace cpm::protocol {

namespace {
constexpr quint32 ReadEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
constexpr quint32 WriteEvents = EPOLLOUT | EPOLLERR | EPOLLHUP;
constexpr quint32 ExceptionEvents = EPOLLPRI;
constexpr int MaxEventsPerWait = 256;
} // namespace

EpollDispatcher::EpollDispatcher(QObject* parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (isValid()) {
        epoll_event e {};
        e.events = EPOLLIN;
        e.data.fd = m_wake;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &e) != 0) {
            ::close(m_wake);
            m_wake = -1;
        }
    }
}

EpollDispatcher::~EpollDispatcher()
{
    if (m_wake >= 0) {
        ::close(m_wake);
    }
    if (m_epoll >= 0) {
        ::close(m_epoll);
    }
}

qint64 EpollDispatcher::now()
{
    timespec t {};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// --- sockets -----------------------------------------------------------------------------

void EpollDispatcher::registerSocketNotifier(QSocketNotifier* notifier)
{
    const int fd = int(notifier->socket());
    Notifiers& n = m_notifiers[fd];
    QSocketNotifier** slot = &n.exception;
    if (notifier->type() == QSocketNotifier::Read) {
        slot = &n.read;
    } else if (notifier->type() == QSocketNotifier::Write) {
        slot = &n.write;
    }
    if (*slot && *slot != notifier) {
        // Another one still holds the number: its descriptor was closed while it was
        // enabled, which took it out of the epoll set. Add this one afresh.
        n.events = 0;
    }
    *slot = notifier;
    updateWatch(fd, n);
}

void EpollDispatcher::unregisterSocketNotifier(QSocketNotifier* notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_notifiers.find(fd);
    if (it == m_notifiers.end()) {
        return;
    }
    Notifiers& n = it->second;
    for (QSocketNotifier** slot : { &n.read, &n.write, &n.exception }) {
        if (*slot == notifier) {
            *slot = nullptr;
        }
    }
    if (n.read || n.write || n.exception) {
        updateWatch(fd, n);
        return;
    }
    // The last one: out of the set now, not at the next wait. The descriptor is about to be
    // closed, and the number may come back for a new socket before this turn ends.
    applyWatch(fd, n, 0);
    m_notifiers.erase(it);
}

void EpollDispatcher::updateWatch(int fd, Notifiers& n)
{
    if (!n.dirty) {
        n.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollDispatcher::applyWatches()
{
    for (const int fd : m_dirty) {
        const auto it = m_notifiers.find(fd);
        if (it == m_notifiers.end()) {
            continue;
        }
        Notifiers& n = it->second;
        n.dirty = false;
        const quint32 wanted = (n.read ? quint32(EPOLLIN | EPOLLRDHUP) : 0u)
            | (n.write ? quint32(EPOLLOUT) : 0u) | (n.exception ? quint32(EPOLLPRI) : 0u);
        applyWatch(fd, n, wanted);
    }
    m_dirty.clear();
}

void EpollDispatcher::applyWatch(int fd, Notifiers& n, quint32 wanted)
{
    if (wanted == n.events) {
        return;
    }
    epoll_event e {};
    e.events = wanted;
    e.data.fd = fd;
    int op = EPOLL_CTL_MOD;
    if (n.events == 0) {
        op = EPOLL_CTL_ADD;
    } else if (wanted == 0) {
        op = EPOLL_CTL_DEL;
    }
    if (epoll_ctl(m_epoll, op, fd, &e) != 0) {
        // A descriptor closed before its notifier went is no longer in the set (EBADF,
        // ENOENT); one reused meanwhile is not yet (ENOENT on MOD, EEXIST on ADD).
        if (op == EPOLL_CTL_MOD && errno == ENOENT) {
            op = EPOLL_CTL_ADD;
        } else if (op == EPOLL_CTL_ADD && errno == EEXIST) {
            op = EPOLL_CTL_MOD;
        } else {
            n.events = wanted;
            return;
        }
        if (epoll_ctl(m_epoll, op, fd, &e) != 0 && op == EPOLL_CTL_ADD) {
            qWarning("epoll: cannot watch descriptor %d: %s", fd, strerror(errno));
        }
    }
    n.events = wanted;
}

int EpollDispatcher::activateNotifiers(int fd, quint32 events)
{
    int activated = 0;
    // Each activation may unregister, replace or delete any notifier: look again each time.
    const auto activate = [&](QSocketNotifier* Notifiers::*slot, quint32 mask) {
        if ((events & mask) == 0) {
            return;
        }
        const auto it = m_notifiers.find(fd);
        if (it == m_notifiers.end()) {
            return;
        }
        QSocketNotifier* notifier = it->second.*slot;
        if (!notifier) {
            return;
        }
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;
    };
    activate(&Notifiers::read, ReadEvents);
    activate(&Notifiers::write, WriteEvents);
    activate(&Notifiers::exception, ExceptionEvents);
    return activated;
}

// --- timers ------------------------------------------------------------------------------

void EpollDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject* object)
{
    Timer& t = m_timers[timerId];
    if (t.object) {
        m_byDeadline.erase({ t.deadline, timerId });
    }
    t.interval = interval;
    t.type = timerType;
    t.object = object;
    t.firing = false;
    t.deadline = now() + interval * 1000000;
    m_byDeadline.emplace(std::pair { t.deadline, timerId }, timerId);
}

bool EpollDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end()) {
        return false;
    }
    m_byDeadline.erase({ it->second.deadline, timerId });
    m_timers.erase(it);
    return true;
}

bool EpollDispatcher::unregisterTimers(QObject* object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_byDeadline.erase({ it->second.deadline, it->first });
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollDispatcher::registeredTimers(QObject* object) const
{
    QList<TimerInfo> out;
    for (const auto& [id, t] : m_timers) {
        if (t.object == object) {
            out.append(TimerInfo(id, int(t.interval), t.type));
        }
    }
    return out;
}

int EpollDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end()) {
        return -1;
    }
    const qint64 left = it->second.deadline - now();
    return left <= 0 ? 0 : int((left + 999999) / 1000000);
}

int EpollDispatcher::timeToNextTimer() const
{
    for (const auto& [key, id] : m_byDeadline) {
        if (m_timers.at(id).firing) {
            continue; // running below us in a nested loop: not due again until it returns
        }
        const qint64 left = key.first - now();
        return left <= 0 ? 0 : int((left + 999999) / 1000000); // never wake up early
    }
    return -1;
}

int EpollDispatcher::activateTimers()
{
    // The due ones as of now; a timer started or restarted by a handler waits for the next
    // pass (a zero timer re-arming itself must not starve the sockets).
    const qint64 at = now();
    std::vector<int> due;
    for (const auto& [key, id] : m_byDeadline) {
        if (key.first > at) {
            break;
        }
        due.push_back(id);
    }
    int fired = 0;
    for (const int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.firing || it->second.deadline > at) {
            continue; // gone, running, or restarted meanwhile
        }
        Timer& t = it->second;
        m_byDeadline.erase({ t.deadline, id });
        // The next deadline follows the last one (no drift), or now if the loop fell behind.
        t.deadline += t.interval * 1000000;
        if (t.deadline <= at) {
            t.deadline = at + t.interval * 1000000;
        }
        m_byDeadline.emplace(std::pair { t.deadline, id }, id);
        QObject* object = t.object;
        t.firing = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        it = m_timers.find(id); // the handler may have killed or restarted it
        if (it != m_timers.end()) {
            it->second.firing = false;
        }
    }
    return fired;
}

// --- the loop ----------------------------------------------------------------------------

void EpollDispatcher::wakeUp()
{
    if (!m_wakeUpPending.exchange(true)) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t written = ::write(m_wake, &one, sizeof(one));
    }
}

void EpollDispatcher::interrupt()
{
    m_interrupted.store(true);
    wakeUp();
}

void EpollDispatcher::drainWakeUps()
{
    quint64 count = 0;
    [[maybe_unused]] const ssize_t read = ::read(m_wake, &count, sizeof(count));
    // Cleared after the read: a wakeUp() between the two finds the flag still set and does
    // not write, but its posted event is already queued, and the next processEvents()
    // sends posted events before it waits.
    m_wakeUpPending.store(false);
}

bool EpollDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool timers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool sockets = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents);
    if (m_interrupted.load()) {
        return false;
    }
    int timeout = 0;
    if (mayWait && !m_wakeUpPending.load()) {
        timeout = timers ? timeToNextTimer() : -1;
        if (timeout != 0) {
            Q_EMIT aboutToBlock();
        }
    }
    applyWatches();
    epoll_event ready[MaxEventsPerWait];
    int count = epoll_wait(m_epoll, ready, MaxEventsPerWait, timeout);
    if (count < 0) {
        count = 0; // EINTR: a signal; its handler's notifier says the rest
    }
    int handled = 0;
    for (int i = 0; i < count; ++i) {
        const int fd = ready[i].data.fd;
        if (fd == m_wake) {
            drainWakeUps();
            ++handled;
        } else if (sockets) {
            handled += activateNotifiers(fd, ready[i].events);
        }
    }
    if (timers && !m_interrupted.load()) {
        handled += activateTimers();
    }
    return handled > 0;
}

bool installEpollDispatcher()
{
    if (qEnvironmentVariable("CPM_EVENT_DISPATCHER") == QLatin1StringView("qt")) {
        return false;
    }
    auto dispatcher = std::make_unique<EpollDispatcher>();
    if (!dispatcher->isValid()) {
        return false;
    }
    QCoreApplication::setEventDispatcher(dispatcher.release());
    return true;
}

} // namespace cpm::protocol
