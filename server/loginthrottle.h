// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Counts failed sign-ins per key (an address, or a network source) so guessing is slowed
// to a crawl. An attempt still being checked counts as a failure until it is settled
// (reserve, then settle), so a burst of parallel attempts gets no more checks than the
// limit. Kept in memory: a restart forgets the count, which costs an attacker a restart
// they cannot cause. Where several nodes serve one store, each failure is also written
// there (Shared), and a node counts the other nodes' failures with its own.

#include <QHash>
#include <QList>
#include <QString>

#include <functional>

namespace cpm::server {

class LoginThrottle final {
public:
    //! The failures other nodes recorded (a shared store), for a key namespaced by the caller.
    struct Shared {
        //! Times of the other nodes' failures of \a key after \a since.
        std::function<QList<qint64>(const QString& key, qint64 since)> failuresElsewhere;
        std::function<void(const QString& key, qint64 now)> recorded;
        std::function<void(const QString& key)> cleared;
    };
    //! Counts with other nodes through \a shared; keys are prefixed with \a scope there.
    void setShared(Shared shared, const QString& scope)
    {
        m_shared = std::move(shared);
        m_scope = scope;
    }

    /*!
     * Seconds \a key must wait before trying again, 0 when it may try now: its failures in
     * the last \a windowMs plus its attempts still being checked must stay below
     * \a maxFailures (0: no limit). When attempts in progress are what fills the budget,
     * the wait is one second: by then they are usually settled.
     */
    int retryAfter(const QString& key, int maxFailures, qint64 windowMs, qint64 now);
    //! An attempt of \a key is being checked; it counts as a failure until settle().
    void reserve(const QString& key);
    //! The attempt reserve() counted has ended: kept as a failure when \a failed.
    void settle(const QString& key, bool failed, qint64 now);
    //! A failure of an attempt that was checked at once (nothing reserved).
    void recordFailure(const QString& key, qint64 now);
    //! A successful sign-in forgets the key's failures.
    void recordSuccess(const QString& key);
    //! Forgets failures older than \a windowMs (called periodically to bound memory).
    void prune(qint64 windowMs, qint64 now);

private:
    struct Entry {
        QList<qint64> failures; //!< oldest first, at most a bounded number kept
        int pending = 0; //!< reserved, not yet settled
    };
    QHash<QString, Entry> m_entries;
    Shared m_shared;
    QString m_scope;
};

} // namespace cpm::server
