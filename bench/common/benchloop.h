// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the benches that drive real client cores in their own process share: running the
// event loop until something happened, and the statistics of their tables.

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <vector>

namespace cpm::bench {

/*!
 * Runs the event loop until \a done() or \a timeoutMs; false on timeout. It sleeps between
 * events: \a done() can only change when an event was handled, and a bench that spins the
 * loop (processEvents() with a time limit never blocks) burns a core the processes it
 * measures need, and counts that core as theirs.
 */
inline bool waitFor(const std::function<bool()>& done, int timeoutMs = 60000)
{
    const QDeadlineTimer deadline(timeoutMs, Qt::PreciseTimer);
    QTimer wake; // so that the last wait ends at the deadline even if nothing else happens
    wake.setSingleShot(true);
    wake.setTimerType(Qt::PreciseTimer);
    while (!done()) {
        if (deadline.hasExpired()) {
            return false;
        }
        if (!wake.isActive()) {
            wake.start(std::max<qint64>(1, deadline.remainingTime()));
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}

//! The \a p-quantile (0 … 1) of \a v, nearest rank; 0 for none.
inline double percentile(std::vector<double> v, double p)
{
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const auto i = static_cast<size_t>(p * double(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

inline double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

} // namespace cpm::bench
