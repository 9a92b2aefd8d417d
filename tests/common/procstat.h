// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What /proc/PID/stat says of a process, for tests and benchmarks that measure the server
// (and PostgreSQL) from outside: CPU time used and the parent.

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

#include <unistd.h>

namespace cpm::test {

//! The fields of /proc/PID/stat after the command (which may hold spaces): [0] is the state,
//! [1] the parent's pid, [11] utime, [12] stime. Empty when the process is gone.
inline QList<QByteArray> procStatFields(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray line = stat.readAll();
    return line.mid(line.lastIndexOf(')') + 2).split(' ');
}

//! User and system CPU time process \a pid has used, in ns; -1 when it is gone.
inline qint64 processCpuNs(qint64 pid)
{
    const QList<QByteArray> fields = procStatFields(pid);
    if (fields.size() < 13) {
        return -1;
    }
    static const long ticks = sysconf(_SC_CLK_TCK);
    return (fields.at(11).toLongLong() + fields.at(12).toLongLong()) * 1000000000LL / ticks;
}

} // namespace cpm::test
