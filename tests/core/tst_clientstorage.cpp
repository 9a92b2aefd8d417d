// SPDX-License-Identifier: GPL-3.0-or-later
// The client's own storage when it fails: a profile database that is damaged or not a
// database at all is set aside (kept, still encrypted) and the device syncs everything
// again, never a crash; a second Client on one profile is refused at once; a full disk is
// DiskFull with nothing half-stored; a store failure reaches the views as an error, never
// as an empty list.

#include "client.h"
#include "failonwarning.h"
#include "faketransport.h"
#include "localstore.h"
#include "must.h"
#include "profile.h"
#include "secretbox.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;
using cpm::test::FakeTransport;
using cpm::test::messageEvent;
using cpm::test::messageJson;
using cpm::test::must;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

QJsonObject syncResult(const QJsonArray& events, qint64 next)
{
    return { { QStringLiteral("events"), events }, { QStringLiteral("next"), next },
        { QStringLiteral("head"), next }, { QStringLiteral("more"), false } };
}

//! Signs \a client in through \a t and answers its first sync with \a events.
void signIn(Client& client, FakeTransport* t, const QJsonArray& events, qint64 next,
    qint64* since = nullptr)
{
    if (client.hasAccount()) {
        client.connectToServer();
        t->respond(t->takeRequest(QStringLiteral("hello")), { { QStringLiteral("version"), 1 } });
        t->respond(t->takeRequest(QStringLiteral("login")),
            { { QStringLiteral("address"), Alice }, { QStringLiteral("deviceId"), 3 } });
    } else {
        client.setServerUrl(QUrl(QStringLiteral("ws://127.0.0.1:1/")));
        client.registerDevice(
            Alice, QStringLiteral("pw"), QStringLiteral("Laptop"), QStringLiteral("laptop"));
        t->respond(t->takeRequest(QStringLiteral("hello")), { { QStringLiteral("version"), 1 } });
        t->respond(t->takeRequest(QStringLiteral("register")),
            { { QStringLiteral("address"), Alice }, { QStringLiteral("deviceId"), 3 },
                { QStringLiteral("token"),
                    QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") } });
    }
    const QJsonObject sync = t->takeRequest(QStringLiteral("sync"));
    if (since) {
        *since = sync.value(QLatin1StringView("args"))
                     .toObject()
                     .value(QLatin1StringView("since"))
                     .toInteger(-1);
    }
    t->respond(sync, syncResult(events, next));
}

protocol::Frame frameOf(const QJsonObject& o) { return *protocol::Frame::fromJson(o, nullptr); }

QJsonArray history()
{
    return { messageEvent(1, messageJson(11, Bob, Alice, QStringLiteral("first"))),
        messageEvent(2, messageJson(12, Bob, Alice, QStringLiteral("second"))) };
}
} // namespace

class tst_ClientStorage final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }

    void testServerLists_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("servers");
        QTest::addColumn<QString>("bad");
        QTest::newRow("one") << QStringLiteral("ws://127.0.0.1:7878/")
                             << QStringList { QStringLiteral("ws://127.0.0.1:7878/") } << QString();
        QTest::newRow("several, spaced")
            << QStringLiteral(" wss://a.example:7879/ ,wss://b.example:7879/, ")
            << QStringList { QStringLiteral("wss://a.example:7879/"),
                   QStringLiteral("wss://b.example:7879/") }
            << QString();
        QTest::newRow("the same twice")
            << QStringLiteral("ws://127.0.0.1:1/, ws://127.0.0.1:1/")
            << QStringList { QStringLiteral("ws://127.0.0.1:1/") } << QString();
        QTest::newRow("empty") << QStringLiteral(" , ") << QStringList() << QString();
        QTest::newRow("not a server") << QStringLiteral("ws://127.0.0.1:1/, http://b.example/")
                                      << QStringList() << QStringLiteral("http://b.example/");
        QTest::newRow("no host") << QStringLiteral("wss:///x") << QStringList()
                                 << QStringLiteral("wss:///x");
        QStringList many;
        for (int i = 1; i <= Profile::MaxServers + 1; ++i) {
            many.append(QStringLiteral("ws://127.0.0.1:%1/").arg(i));
        }
        QTest::newRow("too many") << many.join(u',') << QStringList() << many.join(u',');
    }
    void testServerLists()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, servers);
        QFETCH(QString, bad);
        QString found;
        const QList<QUrl> urls = Profile::parseServers(text, &found);
        QCOMPARE(QUrl::toStringList(urls), servers);
        QCOMPARE(found, bad);
        if (!urls.isEmpty()) {
            QCOMPARE(Profile::parseServers(Profile::serversText(urls)), urls);
        }
    }

    void testAProfileKeepsItsServers()
    {
        QTemporaryDir dir;
        const QList<QUrl> nodes { QUrl(QStringLiteral("wss://a.example:7879/")),
            QUrl(QStringLiteral("wss://b.example:7879/")) };
        {
            Profile profile(dir.path());
            QString error;
            QVERIFY2(profile.open(&error), qPrintable(error));
            // A profile of one server, as every one was before lists.
            profile.setServerUrl(nodes.at(0));
            QCOMPARE(profile.serverUrls(), QList<QUrl> { nodes.at(0) });
            profile.setServerUrls(nodes);
        }
        Profile again(dir.path());
        QString error;
        QVERIFY2(again.open(&error), qPrintable(error));
        QCOMPARE(again.serverUrls(), nodes);
        QCOMPARE(again.serverUrl(), nodes.at(0));
    }

    void testDamagedDatabaseIsSetAsideAndSyncedAgain_data()
    {
        QTest::addColumn<bool>("wholeFile");
        QTest::newRow("not-a-database") << true; // the header gone: SQLITE_NOTADB
        QTest::newRow("damaged-page") << false; // a page overwritten: quick_check finds it
    }

    void testDamagedDatabaseIsSetAsideAndSyncedAgain()
    {
        QFETCH(bool, wholeFile);
        QTemporaryDir dir;
        {
            auto transport = std::make_unique<FakeTransport>();
            FakeTransport* t = transport.get();
            Client client(dir.path(), std::move(transport));
            QVERIFY(must(client.open()));
            // Enough rows that the file has pages past the schema's.
            QJsonArray events = history();
            for (int i = 0; i < 300; ++i) {
                events.append(messageEvent(
                    3 + i, messageJson(100 + i, Bob, Alice, QString(300, QLatin1Char('x')))));
            }
            signIn(client, t, events, 302);
            QCOMPARE(must(client.messages(Bob, 500)).size(), 302);
            client.disconnectFromServer();
        }
        const QString db = dir.filePath(QStringLiteral("cpm.sqlite"));
        {
            QFile file(db);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.size() > 16 * 4096);
            if (!wholeFile) {
                file.seek(10 * 4096);
            }
            file.write(QByteArray(wholeFile ? file.size() : 4096, '\x5a'));
        }
        if (wholeFile) {
            QTest::ignoreMessage(
                QtWarningMsg, QRegularExpression(QStringLiteral("not a database")));
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("is damaged")));
        auto transport = std::make_unique<FakeTransport>();
        FakeTransport* t = transport.get();
        Client client(dir.path(), std::move(transport));
        QVERIFY(must(client.open())); // no crash, no refusal: the device carries on
        const QString aside = client.recoveredStore();
        QVERIFY(aside.startsWith(db + QStringLiteral(".damaged-")));
        QVERIFY2(QFile::exists(aside), qPrintable(aside)); // kept for a bug report
        QVERIFY(QFile::exists(db));
        QCOMPARE(client.syncPosition(), 0);
        QVERIFY(must(client.messages(Bob)).isEmpty());
        QCOMPARE(client.diagnostics().recoveredStore, aside);
        // The account is in the profile, not the database: it signs in and syncs from 0.
        QVERIFY(client.hasAccount());
        qint64 since = -1;
        signIn(client, t, history(), 2, &since);
        QCOMPARE(since, 0);
        QCOMPARE(must(client.messages(Bob)).size(), 2);
    }

    void testASecondClientOnTheProfileIsRefusedAtOnce()
    {
        QTemporaryDir dir;
        Client first(dir.path(), std::make_unique<FakeTransport>());
        QVERIFY(must(first.open()));
        Client second(dir.path(), std::make_unique<FakeTransport>());
        const Result<void> opened = second.open();
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::ProfileBusy);
        QCOMPARE(opened.error().name(), QStringLiteral("profile"));
        QVERIFY(opened.error().message.contains(dir.path()));
        QVERIFY(!second.isOpen());
    }

    void testTheProfileIsFreeAgainWhenTheFirstCloses()
    {
        QTemporaryDir dir;
        {
            Client first(dir.path(), std::make_unique<FakeTransport>());
            QVERIFY(must(first.open()));
        }
        Client second(dir.path(), std::make_unique<FakeTransport>());
        QVERIFY(must(second.open()));
    }

    void testAFullDiskStoresNothingHalfway()
    {
        QTemporaryDir dir;
        SecretBox box(SecretKey::generate());
        LocalStore store(&box);
        QVERIFY(must(store.open(dir.filePath(QStringLiteral("db.sqlite")))));
        const QList<protocol::Frame> first { frameOf(
            messageEvent(1, messageJson(1, Bob, Alice, QStringLiteral("kept")))) };
        QVERIFY(must(store.applyEvents(first, 1, nullptr)));
        // The database may not grow: as on a full disk, SQLite answers SQLITE_FULL.
        QSqlQuery q(store.database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA max_page_count = 1")));
        QList<protocol::Frame> batch;
        for (int i = 0; i < 100; ++i) {
            batch.append(frameOf(messageEvent(
                2 + i, messageJson(10 + i, Bob, Alice, QString(2000, QLatin1Char('y'))))));
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("full")));
        StoreChanges changes;
        const Result<void> applied = store.applyEvents(batch, 101, &changes);
        QVERIFY(!applied);
        QCOMPARE(applied.error().code, ErrorCode::DiskFull);
        // All or nothing: the position and the messages are as before.
        QCOMPARE(must(store.syncPosition()), 1);
        QCOMPARE(must(store.messages(Bob, 500)).size(), 1);
        QVERIFY(changes.added.isEmpty());
        // Reading goes on.
        QCOMPARE(must(store.message(1))->body, QStringLiteral("kept"));
    }

    void testAFailedReadIsAnErrorNotAnEmptyList()
    {
        QTemporaryDir dir;
        Client client(dir.path(), std::make_unique<FakeTransport>());
        QVERIFY(must(client.open()));
        QSignalSpy errors(&client, &Client::errorOccurred);
        // The summary table goes missing under the client (a damaged schema, say).
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("x"));
            db.setDatabaseName(dir.filePath(QStringLiteral("cpm.sqlite")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DROP TABLE conversations")));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("x"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no such table")));
        const Result<QList<Conversation>> conversations = client.conversations();
        QVERIFY(!conversations);
        QCOMPARE(conversations.error().code, ErrorCode::StoreFailed);
        QCOMPARE(errors.size(), 1); // the window hears of it too
    }
};

QTEST_GUILESS_MAIN(tst_ClientStorage)
#include "tst_clientstorage.moc"
