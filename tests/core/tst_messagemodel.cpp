// SPDX-License-Identifier: GPL-3.0-or-later
// The conversation view's model: a long history loads a page at a time, and live
// changes show up in place.
#include "client.h"
#include "conversationmodel.h"
#include "failonwarning.h"
#include "faketransport.h"
#include "keystore.h"
#include "localstore.h"
#include "messagemodel.h"
#include "must.h"
#include "secretbox.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
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
const QString Carol = QStringLiteral("carol@cpm.example");
constexpr int HistorySize = 10000;
} // namespace

class TestMessageModel final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Client> m_client;
    FakeTransport* m_transport = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("CPM_KEYSTORE", "file");
        // Fill the profile's database directly: 10,000 messages with Bob, 3 with Carol.
        {
            Client bootstrap(m_dir.path());
            QVERIFY(must(bootstrap.open()));
        }
        Keystore keystore(m_dir.path(), QString());
        QString error;
        SecretBox box(keystore.load(Keystore::Kind::KeyFile, &error));
        LocalStore store(&box);
        QVERIFY(must(store.open(m_dir.filePath(QString::fromLatin1(LocalStore::FileName)))));
        QList<protocol::Frame> batch;
        for (int i = 1; i <= HistorySize + 3; ++i) {
            const bool carol = i > HistorySize;
            const bool mine = i % 2 == 0;
            const QString peer = carol ? Carol : Bob;
            const auto json = messageEvent(i,
                messageJson(i, mine ? Alice : peer, mine ? peer : Alice,
                    QStringLiteral("message %1").arg(i),
                    mine ? QStringLiteral("sent") : QStringLiteral("inbox"), 1000000 + i));
            batch.append(*protocol::Frame::fromJson(json, nullptr));
            if (batch.size() == 500) {
                QVERIFY(must(store.applyEvents(batch, i, nullptr)));
                batch.clear();
            }
        }
        QVERIFY(must(store.applyEvents(batch, HistorySize + 3, nullptr)));
    }

    void init()
    {
        cpm::test::failOnWarnings();
        auto transport = std::make_unique<FakeTransport>();
        m_transport = transport.get();
        m_client = std::make_unique<Client>(m_dir.path(), std::move(transport));
        QVERIFY(must(m_client->open()));
    }
    void cleanup() { m_client.reset(); }

    //! Registers the test's Client through the fake transport; sync finds nothing new.
    void registerOnline()
    {
        FakeTransport* t = m_transport;
        m_client->setServerUrl(QUrl(QStringLiteral("ws://127.0.0.1:1/")));
        m_client->registerDevice(
            Alice, QStringLiteral("pw"), QStringLiteral("Laptop"), QStringLiteral("laptop"));
        t->respond(t->takeRequest(QStringLiteral("hello")), { { QStringLiteral("version"), 1 } });
        t->respond(t->takeRequest(QStringLiteral("register")),
            { { QStringLiteral("address"), Alice }, { QStringLiteral("deviceId"), 3 },
                { QStringLiteral("token"), QStringLiteral("tok") } });
        const qint64 position = m_client->syncPosition();
        t->respond(t->takeRequest(QStringLiteral("sync")),
            { { QStringLiteral("events"), QJsonArray() }, { QStringLiteral("next"), position },
                { QStringLiteral("head"), position }, { QStringLiteral("more"), false } });
        QCOMPARE(m_client->state(), ConnectionState::Online);
    }

    void testOpeningLongConversationLoadsOnePage()
    {
        MessageModel model(m_client.get());
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QElapsedTimer timer;
        timer.start();
        model.setPeer(Bob);
        QCOMPARE(model.rowCount(), MessageModel::DefaultPageSize);
        QVERIFY2(timer.elapsed() < 1000, "opening a conversation must not scan its history");
        // Oldest first, ending with the newest message.
        QCOMPARE(model.index(model.rowCount() - 1).data(MessageModel::BodyRole).toString(),
            QStringLiteral("message %1").arg(HistorySize));
        QCOMPARE(model.index(0).data(MessageModel::IdRole).toLongLong(),
            HistorySize - MessageModel::DefaultPageSize + 1);
        QVERIFY(model.canLoadOlder());
    }

    void testLoadOlderLoadsOlderPages()
    {
        // No model tester here: it fetches everything it can, which is what this checks.
        MessageModel model(m_client.get());
        model.setPageSize(1000);
        model.setPeer(Bob);
        QCOMPARE(model.rowCount(), 1000);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.loadOlder();
        QCOMPARE(model.rowCount(), 2000);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(model.index(0).data(MessageModel::IdRole).toLongLong(), HistorySize - 2000 + 1);
        // Ids strictly increase: no gap, no duplicate at the page seam.
        for (int row = 1; row < model.rowCount(); ++row) {
            QCOMPARE(model.index(row).data(MessageModel::IdRole).toLongLong(),
                model.index(row - 1).data(MessageModel::IdRole).toLongLong() + 1);
        }
        while (model.canLoadOlder()) {
            model.loadOlder();
        }
        QCOMPARE(model.rowCount(), HistorySize);
    }

    void testShortConversationHasNoMore()
    {
        MessageModel model(m_client.get());
        model.setPeer(Carol);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(!model.canLoadOlder());
        QCOMPARE(model.index(0).data(MessageModel::OutgoingRole).toBool(), false);
        QCOMPARE(model.index(1).data(MessageModel::OutgoingRole).toBool(), true);
    }

    void testLiveUpdates()
    {
        MessageModel model(m_client.get());
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPeer(Carol);
        registerOnline();
        // A message queued here shows at once as pending.
        const QString clientId = must(m_client->send(Carol, {}, QStringLiteral("new one")));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(3).data(MessageModel::PendingRole).toBool(), true);
        QCOMPARE(model.index(3).data(MessageModel::ClientIdRole).toString(), clientId);
        QVERIFY(model.index(3).data(MessageModel::IdRole).toLongLong() < 0);
        // Deleting locally removes the row.
        const qint64 first = model.index(0).data(MessageModel::IdRole).toLongLong();
        must(m_client->deleteLocally(first));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(first), -1);
        // Reading an incoming message updates the row in place.
        const int unreadRow = model.rowOf(HistorySize + 3);
        QVERIFY(unreadRow >= 0);
        QCOMPARE(model.index(unreadRow).data(MessageModel::ReadRole).toBool(), false);
        m_client->markRead(HistorySize + 3);
        QCOMPARE(model.index(unreadRow).data(MessageModel::ReadRole).toBool(), true);
    }

    void testConversationModel()
    {
        ConversationModel model(m_client.get());
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 2);
        // Most recent first.
        QCOMPARE(model.index(0).data(ConversationModel::PeerAddressRole).toString(), Carol);
        QCOMPARE(model.index(1).data(ConversationModel::PeerAddressRole).toString(), Bob);
        QCOMPARE(model.index(1).data(ConversationModel::UnreadCountRole).toInt(), HistorySize / 2);
        QCOMPARE(
            model.index(1).data(ConversationModel::InitialsRole).toString(), QStringLiteral("B"));
        QCOMPARE(model.index(1).data(ConversationModel::LastMessageTextRole).toString(),
            QStringLiteral("message %1").arg(HistorySize));
    }

    void testConversationModelResetsOnlyOnChange()
    {
        ConversationModel model(m_client.get());
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        const int unread
            = model.index(model.rowOf(Bob)).data(ConversationModel::UnreadCountRole).toInt();
        const int total = must(m_client->unreadCount());
        model.reload();
        QCOMPARE(resets.size(), 0); // nothing changed: the view keeps its state
        // Odd ids are Bob's, incoming and unread.
        m_client->markRead(HistorySize - 1);
        QTRY_COMPARE(resets.size(), 1);
        QCOMPARE(model.index(model.rowOf(Bob)).data(ConversationModel::UnreadCountRole).toInt(),
            unread - 1);
        QCOMPARE(must(m_client->unreadCount()), total - 1);
    }
};

QTEST_GUILESS_MAIN(TestMessageModel)
#include "tst_messagemodel.moc"
