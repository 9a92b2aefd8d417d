// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

#include <unistd.h>

namespace cpm::test {

/*!
 * Arguments for `unshare` that give a command a mount namespace of its own, so a test can
 * mount a small tmpfs (to fill up, or to make read-only) that nothing else sees and that
 * goes away with the command. Root gets a plain mount namespace; anyone else also gets a
 * user namespace where they are root, which Debian allows by default. Where neither works
 * the mount fails and the test says so (exit 97); it never skips.
 *
 * Inside, make a mount read-only with `mount -o remount,bind,ro`: a plain `remount,ro` of
 * the file system is refused in a user namespace.
 */
inline QStringList privateMountNamespace()
{
    QStringList args { QStringLiteral("--mount"), QStringLiteral("--propagation"),
        QStringLiteral("private") };
    if (::geteuid() != 0) {
        args.prepend(QStringLiteral("--map-root-user"));
    }
    return args;
}

/*!
 * Arguments for `nsenter` that run a command in the mount namespace privateMountNamespace()
 * gave process \a pid (and in its user namespace, when that made one).
 */
inline QStringList enterPrivateMountNamespace(qint64 pid)
{
    QStringList args { QStringLiteral("--target"), QString::number(pid),
        QStringLiteral("--mount") };
    if (::geteuid() != 0) {
        // The user namespace forbids setgroups(): keep our credentials, which map to root.
        args << QStringLiteral("--user") << QStringLiteral("--preserve-credentials");
    }
    return args;
}

} // namespace cpm::test
