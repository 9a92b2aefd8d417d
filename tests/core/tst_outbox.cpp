// SPDX-License-Identifier: GPL-3.0-or-later
// The on-disk outbox: a message survives restarts until the server's answer, and a
// resend after a lost answer reuses its clientId so the server stores it once.
#include "client.h"
#include "failonwarning.h"
#include "faketransport.h"
#include "localstore.h"
#include "must.h"
#include "secretbox.h"

#include <QSignalSpy>
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

QJsonObject syncDone(qint64 position)
{
    return { { QStringLiteral("events"), QJsonArray() }, { QStringLiteral("next"), position },
        { QStringLiteral("head"), position }, { QStringLiteral("more"), false } };
}

//! Registers a Client in \a dir through \a t, leaving it online.
void registerOnline(Client& client, FakeTransport* t)
{
    client.setServerUrl(QUrl(QStringLiteral("ws://127.0.0.1:1/")));
    client.registerDevice(
        Alice, QStringLiteral("pw"), QStringLiteral("Laptop"), QStringLiteral("laptop"));
    t->respond(t->takeRequest(QStringLiteral("hello")), { { QStringLiteral("version"), 1 } });
    t->respond(t->takeRequest(QStringLiteral("register")),
        { { QStringLiteral("address"), Alice }, { QStringLiteral("deviceId"), 3 },
            { QStringLiteral("token"), QStringLiteral("tok") } });
    t->respond(t->takeRequest(QStringLiteral("sync")), syncDone(client.syncPosition()));
}

//! Logs an existing Client in through \a t, leaving it online.
void loginOnline(Client& client, FakeTransport* t)
{
    client.connectToServer();
    t->respond(t->takeRequest(QStringLiteral("hello")), { { QStringLiteral("version"), 1 } });
    t->respond(t->takeRequest(QStringLiteral("login")),
        { { QStringLiteral("address"), Alice }, { QStringLiteral("deviceId"), 3 } });
    t->respond(t->takeRequest(QStringLiteral("sync")), syncDone(client.syncPosition()));
}
} // namespace

class TestOutbox final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }
    void testOutboxSurvivesReopen()
    {
        QTemporaryDir dir;
        SecretBox box(SecretKey::generate());
        const QString path = dir.filePath(QStringLiteral("db.sqlite"));
        qint64 pendingId = 0;
        {
            LocalStore store(&box);
            QVERIFY(must(store.open(path)));
            pendingId = must(store.enqueue(QStringLiteral("c-1"), Alice, Bob, QStringLiteral("Hi"),
                QStringLiteral("Hello Bob"), 100));
            QVERIFY(pendingId < 0);
            QCOMPARE(must(store.message(pendingId))->status, Message::Status::Pending);
        }
        LocalStore store(&box);
        QVERIFY(must(store.open(path)));
        const QList<OutboxEntry> outbox = must(store.outbox());
        QCOMPARE(outbox.size(), 1);
        QCOMPARE(outbox.first().clientId, QStringLiteral("c-1"));
        QCOMPARE(outbox.first().body, QStringLiteral("Hello Bob"));
        QCOMPARE(outbox.first().subject, QStringLiteral("Hi"));
        QCOMPARE(outbox.first().pendingId, pendingId);
    }

    void testRemovedOnlyOnAnswer_data()
    {
        QTest::addColumn<bool>("eventFirst"); // the sentbox copy's event before the answer
        QTest::newRow("answer-first") << false;
        QTest::newRow("sentbox-event-first") << true;
    }
    void testRemovedOnlyOnAnswer()
    {
        QFETCH(bool, eventFirst);
        QTemporaryDir dir;
        SecretBox box(SecretKey::generate());
        LocalStore store(&box);
        QVERIFY(must(store.open(dir.filePath(QStringLiteral("db.sqlite")))));
        const qint64 pendingId
            = must(store.enqueue(QStringLiteral("c-1"), Alice, Bob, {}, QStringLiteral("x"), 100));
        StoreChanges changes;
        if (eventFirst) {
            const auto frame = protocol::Frame::fromJson(
                messageEvent(5,
                    messageJson(42, Alice, Bob, QStringLiteral("x"), QStringLiteral("sent"), 200,
                        QStringLiteral("c-1"))),
                nullptr);
            QVERIFY(must(store.applyEvents({ *frame }, 5, &changes)));
        } else {
            QVERIFY(must(store.markSent(QStringLiteral("c-1"), 42, 200, &changes)));
        }
        QCOMPARE(must(store.outboxSize()), 0);
        QCOMPARE(changes.sent.size(), 1);
        QCOMPARE(changes.sent.first().pendingId, pendingId);
        QVERIFY(!must(store.message(pendingId)).has_value());
        QCOMPARE(must(store.message(42))->status, Message::Status::Sent);
        QCOMPARE(must(store.message(42))->time, 200);
        QCOMPARE(must(store.messages(Bob, 10)).size(), 1); // one message, not a copy beside it
        // The other one arriving later changes nothing.
        changes = {};
        QVERIFY(must(store.markSent(QStringLiteral("c-1"), 42, 200, &changes)));
        QVERIFY(changes.sent.isEmpty());
        QCOMPARE(must(store.messages(Bob, 10)).size(), 1);
    }

    void testSendKeepsPendingUntilAnswerAndResendsSameClientId()
    {
        QTemporaryDir dir;
        QString clientId;
        {
            auto transport = std::make_unique<FakeTransport>();
            FakeTransport* t = transport.get();
            Client client(dir.path(), std::move(transport));
            QVERIFY(must(client.open()));
            registerOnline(client, t);
            QSignalSpy added(&client, &Client::messageAdded);
            clientId
                = must(client.send(Bob, QStringLiteral("Subj"), QStringLiteral("Hello there")));
            QVERIFY(!clientId.isEmpty());
            QCOMPARE(added.size(), 1);
            QVERIFY(added.first().at(0).toLongLong() < 0);
            const QJsonObject send = t->takeRequest(QStringLiteral("send"));
            const QJsonObject args = send.value(QLatin1StringView("args")).toObject();
            QCOMPARE(args.value(QLatin1StringView("clientId")).toString(), clientId);
            QCOMPARE(
                args.value(QLatin1StringView("body")).toString(), QStringLiteral("Hello there"));
            QCOMPARE(must(client.outboxSize()), 1);
            // The process ends before the answer.
        }
        auto transport = std::make_unique<FakeTransport>();
        FakeTransport* t = transport.get();
        Client client(dir.path(), std::move(transport));
        QVERIFY(must(client.open()));
        QCOMPARE(must(client.outboxSize()), 1);
        QCOMPARE(must(client.messages(Bob)).size(), 1);
        QVERIFY(must(client.messages(Bob)).first().isPending());
        QSignalSpy sent(&client, &Client::messageSent);
        loginOnline(client, t);
        const QJsonObject resend = t->takeRequest(QStringLiteral("send"));
        QCOMPARE(resend.value(QLatin1StringView("args"))
                     .toObject()
                     .value(QLatin1StringView("clientId"))
                     .toString(),
            clientId);
        t->respond(resend,
            { { QStringLiteral("messageId"), 42 }, { QStringLiteral("seq"), 1 },
                { QStringLiteral("time"), 1000 }, { QStringLiteral("duplicate"), true } });
        QCOMPARE(sent.size(), 1);
        QCOMPARE(sent.first().at(1).toLongLong(), 42);
        QCOMPARE(sent.first().at(2).toString(), clientId);
        QCOMPARE(must(client.outboxSize()), 0);
        const auto m = must(client.message(42));
        QVERIFY(m.has_value());
        QCOMPARE(m->status, Message::Status::Sent);
        QCOMPARE(m->body, QStringLiteral("Hello there"));
        // Exactly one send per connection: nothing else went out.
        QVERIFY(t->takeRequest(QStringLiteral("send"), 100).isEmpty());
    }

    void testPermanentRefusalMarksFailed()
    {
        QTemporaryDir dir;
        auto transport = std::make_unique<FakeTransport>();
        FakeTransport* t = transport.get();
        Client client(dir.path(), std::move(transport));
        QVERIFY(must(client.open()));
        registerOnline(client, t);
        QSignalSpy failed(&client, &Client::sendFailed);
        must(client.send(QStringLiteral("nobody@cpm.example"), {}, QStringLiteral("hi")));
        t->fail(t->takeRequest(QStringLiteral("send")), QStringLiteral("no_such_user"));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(2).value<Error>().code, ErrorCode::NoSuchUser);
        QCOMPARE(must(client.outboxSize()), 0);
        QCOMPARE(must(client.messages(QStringLiteral("nobody@cpm.example"))).first().status,
            Message::Status::Failed);
    }

    void testTransientFailureKeepsMessageQueued()
    {
        QTemporaryDir dir;
        auto transport = std::make_unique<FakeTransport>();
        FakeTransport* t = transport.get();
        Client client(dir.path(), std::move(transport));
        QVERIFY(must(client.open()));
        registerOnline(client, t);
        must(client.send(Bob, {}, QStringLiteral("hi")));
        t->takeRequest(QStringLiteral("send"));
        t->serverClose(1006); // the answer is lost with the connection
        QCOMPARE(must(client.outboxSize()), 1);
        QVERIFY(must(client.messages(Bob)).first().isPending());
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
