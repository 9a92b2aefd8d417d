// SPDX-License-Identifier: GPL-3.0-or-later
// Failed sign-ins per key: refused after the limit within the window, free again when the
// oldest failure leaves it, forgotten on success, and pruned. Attempts still being checked
// count until they are settled, so a burst gets no more checks than the limit.

#include "failonwarning.h"
#include "loginthrottle.h"

#include <QTest>

using cpm::server::LoginThrottle;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
constexpr qint64 Window = 300000;
} // namespace

class tst_LoginThrottle : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testRefusedAfterTheLimitUntilTheWindowPasses()
    {
        LoginThrottle t;
        for (int i = 0; i < 4; ++i) {
            t.recordFailure(Alice, 1000 + i);
            QCOMPARE(t.retryAfter(Alice, 5, Window, 1000 + i), 0);
        }
        t.recordFailure(Alice, 1004);
        // The fifth failure at 1.000 s: free again when it leaves the window.
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1004), 300);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1000 + Window - 1000), 1);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1000 + Window + 1), 0);
        // Another address is not affected.
        QCOMPARE(t.retryAfter(Bob, 5, Window, 1004), 0);
    }

    void testSuccessForgetsFailures()
    {
        LoginThrottle t;
        for (int i = 0; i < 5; ++i) {
            t.recordFailure(Alice, 1000);
        }
        QVERIFY(t.retryAfter(Alice, 5, Window, 1000) > 0);
        t.recordSuccess(Alice);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1000), 0);
    }

    void testOtherNodesFailuresCountAndAreSharedAndCleared()
    {
        // Several nodes on one store (docs/scaling.md): the other nodes' failures count with
        // this node's, what this node records is shared, and a success clears everyone's.
        QHash<QString, QList<qint64>> elsewhere { { QStringLiteral("a:") + Alice,
            { 1000, 1001, 1002 } } };
        QStringList recorded;
        QStringList cleared;
        LoginThrottle t;
        LoginThrottle::Shared shared;
        shared.failuresElsewhere = [&](const QString& key, qint64 since) {
            QList<qint64> out;
            for (qint64 at : elsewhere.value(key)) {
                if (at > since) {
                    out.append(at);
                }
            }
            return out;
        };
        shared.recorded = [&](const QString& key, qint64) { recorded.append(key); };
        shared.cleared = [&](const QString& key) {
            cleared.append(key);
            elsewhere.remove(key);
        };
        t.setShared(shared, QStringLiteral("a:"));
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1003), 0); // 3 elsewhere, none here
        t.recordFailure(Alice, 1003);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1004), 0);
        t.recordFailure(Alice, 1004);
        // Five in all, the oldest (elsewhere, at 1.000 s) frees a try when it leaves.
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1005), 300);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1000 + Window + 1), 0);
        QCOMPARE(
            recorded, QStringList({ QStringLiteral("a:") + Alice, QStringLiteral("a:") + Alice }));
        // A reserved check counts too, with the others' failures.
        t.reserve(Bob);
        elsewhere.insert(QStringLiteral("a:") + Bob, { 2000, 2001, 2002, 2003 });
        QCOMPARE(t.retryAfter(Bob, 5, Window, 2004), 1);
        t.settle(Bob, false, 2004);
        t.recordSuccess(Bob);
        QCOMPARE(cleared, QStringList({ QStringLiteral("a:") + Bob }));
        QCOMPARE(t.retryAfter(Bob, 5, Window, 2005), 0);
    }

    void testZeroLimitNeverThrottles()
    {
        LoginThrottle t;
        for (int i = 0; i < 20; ++i) {
            t.recordFailure(Alice, 1000);
        }
        QCOMPARE(t.retryAfter(Alice, 0, Window, 1000), 0);
    }

    void testAttemptsBeingCheckedCountUntilSettled()
    {
        LoginThrottle t;
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(t.retryAfter(Alice, 5, Window, 1000), 0);
            t.reserve(Alice);
        }
        // The sixth of a burst waits for the five in progress.
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1000), 1);
        t.settle(Alice, false, 1100); // one was right
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1100), 0);
        t.reserve(Alice);
        for (int i = 0; i < 5; ++i) {
            t.settle(Alice, true, 1200); // the rest were wrong
        }
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1200), 300);
        t.prune(Window, 1200);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1200), 300); // pruning keeps what counts
    }

    void testPendingAttemptsSurvivePruning()
    {
        LoginThrottle t;
        t.reserve(Alice);
        t.prune(Window, 1000 + 2 * Window);
        QCOMPARE(t.retryAfter(Alice, 1, Window, 1000 + 2 * Window), 1);
        t.settle(Alice, false, 1000 + 2 * Window);
        QCOMPARE(t.retryAfter(Alice, 1, Window, 1000 + 2 * Window), 0);
    }

    void testPruneDropsOldFailures()
    {
        LoginThrottle t;
        for (int i = 0; i < 5; ++i) {
            t.recordFailure(Alice, 1000);
        }
        t.prune(Window, 1000 + Window + 1);
        QCOMPARE(t.retryAfter(Alice, 5, Window, 1000 + Window + 1), 0);
        // A later failure counts alone.
        t.recordFailure(Alice, 1000 + Window + 2);
        QCOMPARE(t.retryAfter(Alice, 2, Window, 1000 + Window + 2), 0);
    }
};

QTEST_GUILESS_MAIN(tst_LoginThrottle)
#include "tst_loginthrottle.moc"
