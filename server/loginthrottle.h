// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Counts failed sign-ins per address so password guessing is slowed to a crawl. Kept in
// memory: a restart forgets the count, which costs an attacker a restart they cannot cause.

#include <QHash>
#include <QList>
#include <QString>

namespace cpm::server {

class LoginThrottle final {
public:
    //! Seconds \a address must wait before trying again; 0 when it may try now.
    int retryAfter(const QString& address, int maxFailures, qint64 windowMs, qint64 now);
    void recordFailure(const QString& address, qint64 now);
    //! A successful sign-in forgets the address's failures.
    void recordSuccess(const QString& address);
    //! Forgets failures older than \a windowMs (called periodically to bound memory).
    void prune(qint64 windowMs, qint64 now);

private:
    // Failure times per address, oldest first, at most a bounded number kept.
    QHash<QString, QList<qint64>> m_failures;
};

} // namespace cpm::server
