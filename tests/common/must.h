// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The value of a call that must succeed: when it did not, the test fails here, saying
// which error came (and a default value is answered so the test can stop on its next check).

#include "result.h"

#include <QTest>

namespace cpm::test {

template <typename T>
T must(Result<T> result, const char* file = __builtin_FILE(), int line = __builtin_LINE())
{
    if (!result) {
        QTest::qFail(
            qPrintable(result.error().name() + QStringLiteral(": ") + result.error().message), file,
            line);
        return T();
    }
    return std::move(result).value();
}

inline bool must(
    Result<void> result, const char* file = __builtin_FILE(), int line = __builtin_LINE())
{
    if (!result) {
        QTest::qFail(
            qPrintable(result.error().name() + QStringLiteral(": ") + result.error().message), file,
            line);
        return false;
    }
    return true;
}

} // namespace cpm::test

namespace cpm {
//! QCOMPARE prints error codes by name.
inline char* toString(ErrorCode code) { return QTest::toString(QString(Error::name(code))); }
} // namespace cpm
