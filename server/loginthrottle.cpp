// SPDX-License-Identifier: GPL-3.0-or-later
#include "loginthrottle.h"

#include <algorithm>

namespace cpm::server {

namespace {
// Enough for any sane login.maxFailures; older failures are dropped first.
constexpr qsizetype MaxKept = 1000;
} // namespace

int LoginThrottle::retryAfter(const QString& address, int maxFailures, qint64 windowMs, qint64 now)
{
    auto it = m_failures.find(address);
    if (it == m_failures.end() || maxFailures <= 0) {
        return 0;
    }
    QList<qint64>& times = it.value();
    const qint64 cutoff = now - windowMs;
    times.erase(times.begin(),
        std::find_if(times.begin(), times.end(), [cutoff](qint64 t) { return t > cutoff; }));
    if (times.isEmpty()) {
        m_failures.erase(it);
        return 0;
    }
    if (times.size() < maxFailures) {
        return 0;
    }
    // Free again when the oldest failure that keeps the count at the limit leaves the window.
    const qint64 freeAt = times.at(times.size() - maxFailures) + windowMs;
    return static_cast<int>(std::max<qint64>(1, (freeAt - now + 999) / 1000));
}

void LoginThrottle::recordFailure(const QString& address, qint64 now)
{
    QList<qint64>& times = m_failures[address];
    times.append(now);
    if (times.size() > MaxKept) {
        times.remove(0, times.size() - MaxKept);
    }
}

void LoginThrottle::recordSuccess(const QString& address) { m_failures.remove(address); }

void LoginThrottle::prune(qint64 windowMs, qint64 now)
{
    for (auto it = m_failures.begin(); it != m_failures.end();) {
        if (it.value().isEmpty() || it.value().constLast() <= now - windowMs) {
            it = m_failures.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace cpm::server
