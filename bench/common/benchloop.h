// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the benches that drive real client cores in their own process share: running the
// event loop until something happened, and the statistics of their tables.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <algorithm>
#include <functional>
#include <vector>

namespace cpm::bench {

//! Runs the event loop until \a done() or \a timeoutMs; false on timeout.
inline bool waitFor(const std::function<bool()>& done, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
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
