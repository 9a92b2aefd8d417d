// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A loopback port for a test to hand to a process it starts later (needs Qt Network).

#include <QHostAddress>
#include <QTcpServer>

namespace cpm::test {

//! A loopback port nothing listens on (just now).
inline quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace cpm::test
