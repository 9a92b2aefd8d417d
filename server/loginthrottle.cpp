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
    if (maxFailures <= 0) {
        return 0;
    }
    const qint64 cutoff = now - windowMs;
    const QList<qint64> elsewhere = m_shared.failuresElsewhere
        ? m_shared.failuresElsewhere(m_scope + key, cutoff)
        : QList<qint64>();
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        if (elsewhere.isEmpty()) {
            return 0;
        }
        it = m_entries.insert(key, Entry {});
    }
    QList<qint64>& local = it->failures;
    local.erase(local.begin(),
        std::find_if(local.begin(), local.end(), [cutoff](qint64 t) { return t > cutoff; }));
    if (local.isEmpty() && it->pending == 0 && elsewhere.isEmpty()) {
        m_entries.erase(it);
        return 0;
    }
    // This node's failures and the other nodes', oldest first.
    QList<qint64> times = local + elsewhere;
    std::sort(times.begin(), times.end());
    if (local.isEmpty() && it->pending == 0) {
        m_entries.erase(it); // nothing of this node's to keep
        it = m_entries.end();
    }
    const int pending = it == m_entries.end() ? 0 : it->pending;
    if (times.size() + pending < maxFailures) {
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
    if (m_shared.recorded) {
        m_shared.recorded(m_scope + key, now);
    }
    QList<qint64>& times = m_entries[key].failures;
    times.append(now);
    if (times.size() > MaxKept) {
        times.remove(0, times.size() - MaxKept);
    }
}

void LoginThrottle::recordSuccess(const QString& key)
{
    if (m_shared.cleared) {
        m_shared.cleared(m_scope + key);
    }
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
