// SPDX-License-Identifier: GPL-3.0-or-later
// Every error a person can meet has its own sentence, with what to do next: none falls
// through to "Something went wrong". (The window once mapped a code nothing produced and
// missed `unreachable`, so an unreachable server read as an unknown failure.)

#include "errortext.h"
#include "failonwarning.h"

#include <QTest>

using cpm::Error;
using cpm::ErrorCode;
using cpm::makeError;
using cpm::ui::ErrorText;

namespace {
const QLatin1StringView Generic("Something went wrong");
}

class tst_ErrorText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testEveryActionErrorHasItsOwnSentence_data()
    {
        QTest::addColumn<int>("code");
        for (const ErrorCode c : { ErrorCode::QuotaExceeded, ErrorCode::NoSuchUser,
                 ErrorCode::NotFound, ErrorCode::TooLarge, ErrorCode::BadRequest,
                 ErrorCode::Conflict, ErrorCode::AccountDisabled, ErrorCode::Throttled,
                 ErrorCode::Unavailable, ErrorCode::StorageFull, ErrorCode::Offline,
                 ErrorCode::Unreachable, ErrorCode::Disconnected, ErrorCode::Timeout,
                 ErrorCode::DiskFull, ErrorCode::StoreCorrupt, ErrorCode::StoreReadOnly,
                 ErrorCode::StoreBusy, ErrorCode::StoreFailed, ErrorCode::ProfileBusy,
                 ErrorCode::ProfileUnusable, ErrorCode::NoAccount, ErrorCode::DeviceSignedOut,
                 ErrorCode::Cancelled, ErrorCode::TlsUntrusted, ErrorCode::TlsExpired,
                 ErrorCode::TlsWrongHost, ErrorCode::TlsFailed, ErrorCode::Insecure,
                 ErrorCode::LimitReached, ErrorCode::AlreadyAnswered, ErrorCode::SessionEnded,
                 ErrorCode::NotBound, ErrorCode::DeviceOffline, ErrorCode::Forbidden }) {
            QTest::addRow("%s-%d", Error::name(c).data(), int(c)) << int(c);
        }
    }

    void testEveryActionErrorHasItsOwnSentence()
    {
        QFETCH(int, code);
        const QString text = ErrorText::forAction(makeError(ErrorCode(code), QStringLiteral("x")));
        QVERIFY(!text.isEmpty());
        QVERIFY2(!text.contains(Generic), qPrintable(text));
        // The developer's message is for the log, not for the person.
        QVERIFY2(!text.contains(QLatin1StringView(": x")), qPrintable(text));
    }

    void testEverySignInErrorHasItsOwnSentence_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        QTest::newRow("auth_failed") << int(ErrorCode::AuthFailed) << QStringLiteral("password");
        QTest::newRow("throttled") << int(ErrorCode::Throttled) << QStringLiteral("5 min");
        QTest::newRow("disabled") << int(ErrorCode::AccountDisabled) << QStringLiteral("disabled");
        QTest::newRow("signed-out")
            << int(ErrorCode::DeviceSignedOut) << QStringLiteral("signed out");
        QTest::newRow("version") << int(ErrorCode::VersionUnsupported)
                                 << QStringLiteral("ws://server.example");
        QTest::newRow("unreachable")
            << int(ErrorCode::Unreachable)
            << QStringLiteral("Cannot reach the server at ws://server.example");
        QTest::newRow("timeout") << int(ErrorCode::Timeout) << QStringLiteral("Cannot reach");
        QTest::newRow("unavailable") << int(ErrorCode::Unavailable) << QStringLiteral("busy");
        QTest::newRow("tls-untrusted")
            << int(ErrorCode::TlsUntrusted) << QStringLiteral("does not trust");
        QTest::newRow("tls-expired") << int(ErrorCode::TlsExpired) << QStringLiteral("expired");
        QTest::newRow("tls-wrong-host")
            << int(ErrorCode::TlsWrongHost) << QStringLiteral("for another name");
        QTest::newRow("tls-failed") << int(ErrorCode::TlsFailed) << QStringLiteral("secure");
        QTest::newRow("insecure") << int(ErrorCode::Insecure) << QStringLiteral("in the clear");
        QTest::newRow("too-many-devices")
            << int(ErrorCode::LimitReached) << QStringLiteral("Sign out a device");
        QTest::newRow("host-not-found")
            << int(ErrorCode::HostNotFound) << QStringLiteral("no computer named server.example");
        QTest::newRow("refused") << int(ErrorCode::ConnectionRefused)
                                 << QStringLiteral("Nothing answers at server.example, port 80");
        QTest::newRow("not-cpm") << int(ErrorCode::NotCpmServer)
                                 << QStringLiteral("not a CPM server");
        QTest::newRow("profile-busy")
            << int(ErrorCode::ProfileBusy) << QStringLiteral("another window");
    }

    void testEverySignInErrorHasItsOwnSentence()
    {
        QFETCH(int, code);
        QFETCH(QString, says);
        const QString text
            = ErrorText::forSignIn(makeError(ErrorCode(code), QStringLiteral("x"), 300),
                QUrl(QStringLiteral("ws://server.example/")));
        QVERIFY2(text.contains(says), qPrintable(text));
        QVERIFY2(!text.contains(Generic), qPrintable(text));
    }

    void testAShortThrottleSaysSeconds()
    {
        // A full queue of password checks answers retryAfter 1: not "1 min".
        const QString text
            = ErrorText::forSignIn(makeError(ErrorCode::Throttled, QStringLiteral("x"), 1), QUrl());
        QVERIFY2(text.contains(QLatin1StringView("seconds")), qPrintable(text));
    }

    void testUnknownCodesStillSayWhatToDo()
    {
        Error e
            = Error::fromJson({ { QStringLiteral("code"), QStringLiteral("from_the_future") } });
        const QString text = ErrorText::forAction(e);
        QVERIFY(text.contains(QLatin1StringView("from_the_future")));
        QVERIFY(text.contains(QLatin1StringView("diagnostics")));
    }
};

QTEST_MAIN(tst_ErrorText)
#include "tst_errortext.moc"
