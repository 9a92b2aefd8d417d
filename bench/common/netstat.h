// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The kernel's TCP counters the storm benches report.

#include <QByteArray>
#include <QFile>
#include <QList>

namespace cpm::bench {

/*!
 * TcpExtListenOverflows from /proc/net/netstat (all sockets of the machine): connections
 * dropped because a listen backlog was full, which a client only sees as a SYN retried a
 * second later. -1 if it cannot be read.
 */
inline qint64 listenOverflows()
{
    QFile f(QStringLiteral("/proc/net/netstat"));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        if (!lines[i].startsWith("TcpExt:") || !lines[i + 1].startsWith("TcpExt:")) {
            continue;
        }
        const QList<QByteArray> names = lines[i].simplified().split(' ');
        const QList<QByteArray> values = lines[i + 1].simplified().split(' ');
        const qsizetype at = names.indexOf("ListenOverflows");
        return at >= 0 ? values.value(at).toLongLong() : -1;
    }
    return -1;
}

} // namespace cpm::bench
