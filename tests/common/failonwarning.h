// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Every suite calls this from its init(): a qWarning during a test function fails it
// (KDDockWidgets' rule), unless the test announced it with QTest::ignoreMessage. A warning
// nobody expected is a bug the assertions did not look for. Widget suites get the same from
// UiTestFixture (tests/ui), which also knows the offscreen platform's own chatter.

#include <QRegularExpression>
#include <QTest>

namespace cpm::test {

//! The offscreen platform's warnings about window-manager features it lacks are the test
//! platform talking, not the application (as in UiTestFixture).
inline void failOnWarnings()
{
    QTest::failOnWarning(
        QRegularExpression(QStringLiteral("^(?!This plugin does not support ).*")));
}

} // namespace cpm::test
