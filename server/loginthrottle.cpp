// SPDX-License-Identifier: GPL-3.0-or-later
#include "loginthrottle.h"

#include <algorithm>

namespace cpm::server {

namespace {
// Enough for any sane limit; older failures are dropped first.
constexpr qsizetype MaxKept = 1000;
} // namespace

int LoginThrottle::retryAfter(const QString& key, int maxFailures, qint64 windowMs, qint64 now)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end() || maxFailures <= 0) {
        return 0;
    }
    QList<qint64>& times = it->failures;
    const qint64 cutoff = now - windowMs;
    times.erase(times.begin(),
        std::find_if(times.begin(), times.end(), [cutoff](qint64 t) { return t > cutoff; }));
    if (times.isEmpty() && it->pending == 0) {
        m_entries.erase(it);
        return 0;
    }
    if (times.size() + it->pending < maxFailures) {
        return 0;
    }
    if (times.size() < maxFailures) {
        return 1; // full of attempts still being checked
    }
    // Free again when the oldest failure that keeps the count at the limit leaves the window.
    const qint64 freeAt = times.at(times.size() - maxFailures) + windowMs;
    return static_cast<int>(std::max<qint64>(1, (freeAt - now + 999) / 1000));
}

void LoginThrottle::reserve(const QString& key) { ++m_entries[key].pending; }

void LoginThrottle::settle(const QString& key, bool failed, qint64 now)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        return; // nothing was reserved
    }
    it->pending = std::max(0, it->pending - 1);
    if (failed) {
        recordFailure(key, now);
    } else if (it->pending == 0 && it->failures.isEmpty()) {
        m_entries.erase(it);
    }
}

void LoginThrottle::recordFailure(const QString& key, qint64 now)
{
    QList<qint64>& times = m_entries[key].failures;
    times.append(now);
    if (times.size() > MaxKept) {
        times.remove(0, times.size() - MaxKept);
    }
}

void LoginThrottle::recordSuccess(const QString& key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        return;
    }
    it->failures.clear();
    if (it->pending == 0) {
        m_entries.erase(it);
    }
}

void LoginThrottle::prune(qint64 windowMs, qint64 now)
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        const bool old = it->failures.isEmpty() || it->failures.constLast() <= now - windowMs;
        if (old && it->pending == 0) {
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace cpm::server
