// SPDX-License-Identifier: GPL-3.0-or-later
// Several cpm-server nodes on one PostgreSQL (issue 13, docs/scaling.md): three nodes, one
// throwaway cluster, and seed 003 §6.1.11's devices spread over the nodes, so that every
// step crosses from one node to another: what one node commits reaches the devices on the
// others, two devices on different nodes answering one session request get one winner, and
// a node killed with SIGKILL loses nothing acknowledged while its devices move on. The nodes
// share one data directory, as docs/scaling.md asks, so attachments cross nodes too.
// The test functions run in order and follow the flow, each step building on the last.

#include "attachmentmanager.h"
#include "client.h"
#include "failonwarning.h"
#include "freeport.h"
#include "must.h"
#include "protocol.h"
#include "testpostgres.h"
#include "testserver.h"
#include "wsclient.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>
#include <numeric>
#include <signal.h>

using namespace cpm;
using cpm::test::describe;
using cpm::test::must;

namespace {

constexpr int Timeout = 20000;
constexpr int Nodes = 3;
const QString Password = QStringLiteral("correct horse battery staple");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

QJsonObject dataOf(const QJsonObject& event)
{
    return event.value(QLatin1StringView("data")).toObject();
}

//! Writes \a size bytes of seeded noise to \a path, after a PNG's signature for a .png:
//! their SHA-256, or empty.
QByteArray writeFile(const QString& path, qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    generator.fillRange(reinterpret_cast<quint32*>(bytes.data()), size / 4);
    if (path.endsWith(QLatin1StringView(".png"))) {
        bytes.replace(0, 8, QByteArray("\x89PNG\r\n\x1a\n", 8));
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != size) {
        return {};
    }
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

QByteArray sha256Of(QIODevice& device)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    return hash.addData(&device) ? hash.result() : QByteArray();
}

struct TestDevice {
    QString profile;
    std::unique_ptr<Client> client;

    Client* operator->() const { return client.get(); }
};

} // namespace

class tst_MultiNode : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }
    void cleanupTestCase();

    void testAMessageReachesDevicesOnEveryNode();
    void testReadOnOneNodeIsReadOnEveryNode();
    void testDeleteEverywhereReachesEveryNode();
    void testDevicesOnTwoNodesAcceptingAtOnceHaveOneWinner();
    void testOneNodeTimesARequestOutForAll();
    void testASessionMovesToADeviceOnAnotherNode();
    void testAttachmentsCrossNodesAndOutliveTheirNode();
    void testAKilledNodeLosesNothingAndItsDevicesMoveOn();
    void testPresenceAndSignOutCrossNodes();
    void testWrongPasswordsCountOnEveryNode();
    void testChaosKillsLoseAndDoubleNothing();

private:
    QUrl url(int node) const { return m_nodes.at(node)->url(); }
    //! A client core registered as \a name of \a address on \a node (then the next ones).
    void registerDevice(TestDevice& device, const QString& address, const QString& name,
        const QString& kind, int node);
    //! A raw protocol device of \a address on \a node, signed in and live.
    std::unique_ptr<test::WsClient> enrol(
        const QString& address, const QString& name, int node, qint64* deviceId = nullptr);
    //! Whether \a viewer's device list says \a deviceId is online.
    static bool listedOnline(test::WsClient& viewer, qint64 deviceId);
    //! `session.invite` from \a inviter to \a to: the new session's id, or 0 (and says why).
    static qint64 invite(test::WsClient& inviter, const QString& to);

    QTemporaryDir m_profiles;
    //! The nodes' one data directory: what they keep outside the database is attachments.
    QTemporaryDir m_shared;
    test::TestPostgres m_postgres;
    std::array<std::unique_ptr<test::TestServer>, Nodes> m_nodes;
    std::array<quint16, Nodes> m_ports {};
    // Alice's laptop, phone and fixed phone on nodes 0, 1, 2; Bob's laptop, mobile and PDA
    // on nodes 1, 2, 0.
    TestDevice m_aliceLaptop, m_alicePhone, m_aliceFixed;
    TestDevice m_bobLaptop, m_bobMobile, m_bobPda;
    qint64 m_holidayId = 0;
};

void tst_MultiNode::initTestCase()
{
    QVERIFY(m_profiles.isValid() && m_shared.isValid());
    QVERIFY2(m_postgres.start(), m_postgres.log().constData());
    for (int i = 0; i < Nodes; ++i) {
        m_nodes[i] = std::make_unique<test::TestServer>();
        m_nodes[i]->setStore(m_postgres.uri());
        m_nodes[i]->setDataDir(m_shared.path());
        // Fixed ports, so that a node restarted after a kill is where its devices look.
        m_ports[i] = test::freeLoopbackPort();
        QVERIFY(m_ports[i] > 0);
        m_nodes[i]->setExtraArguments({ QStringLiteral("--port"), QString::number(m_ports[i]) });
        QVERIFY(m_nodes[i]->start());
    }
    // Accounts made on one node exist on all: they are rows of the one database.
    QVERIFY(m_nodes[0]->addUser(Alice, Password));
    QVERIFY(m_nodes[2]->addUser(Bob, Password));
    registerDevice(
        m_aliceLaptop, Alice, QStringLiteral("Alice's laptop"), QStringLiteral("laptop"), 0);
    registerDevice(
        m_alicePhone, Alice, QStringLiteral("Alice's phone"), QStringLiteral("mobile"), 1);
    registerDevice(
        m_aliceFixed, Alice, QStringLiteral("Alice's fixed phone"), QStringLiteral("fixed"), 2);
    registerDevice(m_bobLaptop, Bob, QStringLiteral("Bob's laptop"), QStringLiteral("laptop"), 1);
    registerDevice(m_bobMobile, Bob, QStringLiteral("Bob's mobile"), QStringLiteral("mobile"), 2);
    registerDevice(m_bobPda, Bob, QStringLiteral("Bob's PDA"), QStringLiteral("tablet"), 0);
}

void tst_MultiNode::cleanupTestCase()
{
    for (TestDevice* d :
        { &m_aliceLaptop, &m_alicePhone, &m_aliceFixed, &m_bobLaptop, &m_bobMobile, &m_bobPda }) {
        d->client.reset();
    }
    for (auto& node : m_nodes) {
        if (node) {
            node->stop();
        }
    }
}

void tst_MultiNode::registerDevice(
    TestDevice& device, const QString& address, const QString& name, const QString& kind, int node)
{
    device.profile = m_profiles.filePath(name);
    device.client = std::make_unique<Client>(device.profile);
    QVERIFY(must(device->open()));
    // Its node first, then the others: where a device goes when its node is gone.
    QList<QUrl> urls;
    for (int i = 0; i < Nodes; ++i) {
        urls.append(url((node + i) % Nodes));
    }
    device->setServerUrls(urls);
    bool done = false;
    Error result;
    device->registerDevice(address, Password, name, kind, [&](const Error& error) {
        result = error;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.name() + QLatin1Char(' ') + result.message));
    QTRY_COMPARE_WITH_TIMEOUT(device->state(), ConnectionState::Online, Timeout);
    QCOMPARE(device->currentServerUrl(), url(node));
}

std::unique_ptr<test::WsClient> tst_MultiNode::enrol(
    const QString& address, const QString& name, int node, qint64* deviceId)
{
    auto client = std::make_unique<test::WsClient>();
    if (!client->open(url(node)) || !client->hello()) {
        return nullptr;
    }
    const QJsonObject r = test::result(client->request(QStringLiteral("register"),
        { { QStringLiteral("address"), address }, { QStringLiteral("password"), Password },
            { QStringLiteral("device"),
                QJsonObject { { QStringLiteral("instanceId"), name },
                    { QStringLiteral("name"), name },
                    { QStringLiteral("kind"), QStringLiteral("laptop") },
                    { QStringLiteral("capabilities"),
                        QJsonArray { QStringLiteral("text") } } } } }));
    if (r.isEmpty()) {
        return nullptr;
    }
    if (deviceId) {
        *deviceId = r.value(QLatin1StringView("deviceId")).toInteger();
    }
    client->syncAll();
    return client;
}

qint64 tst_MultiNode::invite(test::WsClient& inviter, const QString& to)
{
    const QJsonObject invited
        = inviter.request(QStringLiteral("session.invite"), { { QStringLiteral("to"), to } });
    const qint64 id = test::result(invited)
                          .value(QLatin1StringView("session"))
                          .toObject()
                          .value(QLatin1StringView("id"))
                          .toInteger();
    if (id <= 0) {
        qWarning().noquote() << "session.invite failed:" << test::describe(invited);
    }
    return id;
}

bool tst_MultiNode::listedOnline(test::WsClient& viewer, qint64 deviceId)
{
    const QJsonArray devices = test::result(viewer.request(QStringLiteral("devices.list")))
                                   .value(QLatin1StringView("devices"))
                                   .toArray();
    for (const QJsonValue& d : devices) {
        if (d.toObject().value(QLatin1StringView("id")).toInteger() == deviceId) {
            return d.toObject().value(QLatin1StringView("online")).toBool();
        }
    }
    return false;
}

void tst_MultiNode::testAMessageReachesDevicesOnEveryNode()
{
    // Steps 1–9 with Bob's laptop on node 1 and Alice's devices on nodes 0, 1 and 2.
    QSignalSpy laptop(m_aliceLaptop.client.get(), &Client::incomingMessage);
    QSignalSpy phone(m_alicePhone.client.get(), &Client::incomingMessage);
    QSignalSpy fixed(m_aliceFixed.client.get(), &Client::incomingMessage);
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    QVERIFY(!must(m_bobLaptop->send(Alice, QStringLiteral("Holidays"),
                      QStringLiteral("Back from Sydney — the pictures are amazing!")))
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    m_holidayId = sent.at(0).at(1).toLongLong();
    QVERIFY(m_holidayId > 0);
    for (QSignalSpy* spy : { &laptop, &phone, &fixed }) {
        QTRY_COMPARE_WITH_TIMEOUT(spy->size(), 1, Timeout);
        QCOMPARE(spy->at(0).at(1).toString(), Bob);
        QCOMPARE(spy->at(0).at(2).toString(), QStringLiteral("Holidays"));
    }
    // Step 5: the sentbox copy on Bob's devices of nodes 2 and 0.
    for (TestDevice* d : { &m_bobMobile, &m_bobPda }) {
        QTRY_VERIFY_WITH_TIMEOUT(must((*d)->message(m_holidayId)).has_value(), Timeout);
        QVERIFY(must((*d)->message(m_holidayId))->outgoing);
    }
    // Alice's devices acknowledged it on their nodes; Bob's, on theirs, see it delivered.
    for (TestDevice* d : { &m_bobLaptop, &m_bobMobile, &m_bobPda }) {
        QTRY_COMPARE_WITH_TIMEOUT(
            must((*d)->message(m_holidayId))->status, Message::Status::Delivered, Timeout);
    }
}

void tst_MultiNode::testReadOnOneNodeIsReadOnEveryNode()
{
    // Step 10: opened on the laptop (node 0): read on the phone (1) and the fixed phone (2),
    // displayed on all of Bob's devices.
    QSignalSpy phoneCleared(m_alicePhone.client.get(), &Client::messageReadElsewhere);
    m_aliceLaptop->markRead(m_holidayId);
    QTRY_VERIFY_WITH_TIMEOUT(must(m_alicePhone->message(m_holidayId))->read, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(must(m_aliceFixed->message(m_holidayId))->read, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(phoneCleared.size(), 1, Timeout);
    for (TestDevice* d : { &m_bobLaptop, &m_bobMobile, &m_bobPda }) {
        QTRY_COMPARE_WITH_TIMEOUT(
            must((*d)->message(m_holidayId))->status, Message::Status::Displayed, Timeout);
    }
}

void tst_MultiNode::testDeleteEverywhereReachesEveryNode()
{
    // Step 10g from the fixed phone (node 2): gone from Alice's devices on 0 and 1 too.
    bool done = false;
    Error result;
    m_aliceFixed->deleteEverywhere(m_holidayId, [&](const Error& e) {
        result = e;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.message));
    QTRY_VERIFY_WITH_TIMEOUT(!must(m_aliceLaptop->message(m_holidayId)), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!must(m_alicePhone->message(m_holidayId)), Timeout);
    QVERIFY(must(m_bobPda->message(m_holidayId)));
}

void tst_MultiNode::testDevicesOnTwoNodesAcceptingAtOnceHaveOneWinner()
{
    // SES: Carol invites Dave; Dave's phone on node 1 and tablet on node 2 accept at once,
    // 100 times. The nodes decide in the database: exactly one accept wins each time.
    const QString carol = QStringLiteral("carol@cpm.example");
    const QString dave = QStringLiteral("dave@cpm.example");
    QVERIFY(m_nodes[0]->addUser(carol, Password));
    QVERIFY(m_nodes[0]->addUser(dave, Password));
    auto inviter = enrol(carol, QStringLiteral("Carol's laptop"), 0);
    auto phone = enrol(dave, QStringLiteral("Dave's phone"), 1);
    auto tablet = enrol(dave, QStringLiteral("Dave's tablet"), 2);
    QVERIFY(inviter && phone && tablet);
    int phoneWins = 0;
    for (int round = 0; round < 100; ++round) {
        const qint64 id = invite(*inviter, dave);
        QVERIFY(id > 0);
        test::WsClient* first = round % 2 == 0 ? phone.get() : tablet.get();
        test::WsClient* second = round % 2 == 0 ? tablet.get() : phone.get();
        const QJsonObject args { { QStringLiteral("id"), id } };
        const qint64 a = first->post(QStringLiteral("session.accept"), args);
        const qint64 b = second->post(QStringLiteral("session.accept"), args);
        const QJsonObject ra = first->response(a);
        const QJsonObject rb = second->response(b);
        const bool firstWon = ra.contains(QLatin1StringView("result"));
        const bool secondWon = rb.contains(QLatin1StringView("result"));
        QVERIFY2(firstWon != secondWon,
            qPrintable(test::describe(ra) + QStringLiteral(" / ") + test::describe(rb)));
        QCOMPARE(test::code(firstWon ? rb : ra), QStringLiteral("already_answered"));
        phoneWins += (first == phone.get()) == firstWon ? 1 : 0;
        QVERIFY_OK(inviter->request(QStringLiteral("session.end"), args));
    }
    qInfo() << "the phone (node 1) won" << phoneWins << "of 100, the tablet (node 2) the rest";
}

void tst_MultiNode::testAttachmentsCrossNodesAndOutliveTheirNode()
{
    // MSG-1 with the nodes on one attachments directory (docs/scaling.md). A picture Bob's
    // laptop uploads through node 1 comes to Alice's laptop through node 0.
    const QString beach = m_profiles.filePath(QStringLiteral("beach.png"));
    const QByteArray beachHash = writeFile(beach, 64 * 1024, 1);
    QVERIFY(!beachHash.isEmpty());
    QSignalSpy ready(&m_aliceLaptop->attachments(), &AttachmentManager::attachmentReady);
    QVERIFY(
        !must(m_bobLaptop->send(Alice, QStringLiteral("Beach"), QString(), { beach })).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, Timeout);
    {
        auto picture = must(m_aliceLaptop->attachments().open(ready.at(0).at(0).toString()));
        QVERIFY(picture);
        QCOMPARE(sha256Of(*picture), beachHash);
    }

    // Bob's mobile uploads a film through node 2, which dies at a fifth of it (frozen first,
    // so that what the mobile was told the node holds is all it holds). The mobile moves to
    // node 0 and goes on from what node 2 left in the shared directory, not from the start.
    constexpr qint64 Size = 6LL * 1000 * 1000;
    const QString film = m_profiles.filePath(QStringLiteral("film.mp4"));
    const QByteArray filmHash = writeFile(film, Size, 2);
    QVERIFY(!filmHash.isEmpty());
    QCOMPARE(m_bobMobile->currentServerUrl(), url(2));
    const qint64 node2 = m_nodes[2]->pid();
    AttachmentManager& uploads = m_bobMobile->attachments();
    qint64 cutAt = 0;
    qint64 lowestAfterCut = Size;
    const QMetaObject::Connection watch
        = connect(&uploads, &AttachmentManager::transferChanged, this, [&](qint64 transferId) {
              const std::optional<TransferInfo> t = uploads.transfer(transferId);
              if (!t || t->direction != TransferInfo::Direction::Upload) {
                  return;
              }
              if (cutAt == 0 && t->done >= Size / 5 && t->done < Size) {
                  cutAt = t->done;
                  ::kill(pid_t(node2), SIGSTOP);
              } else if (cutAt > 0 && t->state == TransferInfo::State::Running) {
                  lowestAfterCut = std::min(lowestAfterCut, t->done);
              }
          });
    QSignalSpy sent(m_bobMobile.client.get(), &Client::messageSent);
    QVERIFY(
        !must(m_bobMobile->send(Alice, QStringLiteral("The film"), QString(), { film })).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(cutAt > 0, Timeout);
    m_nodes[2]->kill();
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
    disconnect(watch);
    QCOMPARE(m_bobMobile->currentServerUrl(), url(0));
    QVERIFY2(lowestAfterCut >= cutAt,
        qPrintable(
            QStringLiteral("went on from %1 after the cut at %2").arg(lowestAfterCut).arg(cutAt)));
    // Node 2 comes back (on its port, for the tests after this one). At start a node removes
    // the files of attachments the database does not have — but in a shared directory only
    // old ones: a young one may be another node's, written just before its row.
    const QString attachments = m_shared.filePath(QStringLiteral("attachments"));
    const QString young = attachments + QStringLiteral("/ab/ab") + QString(30, u'1');
    const QString old = attachments + QStringLiteral("/cd/cd") + QString(30, u'2');
    for (const QString& path : { young, old }) {
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write("left behind") > 0 && file.flush());
        if (path == old) {
            QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(-2 * 3600),
                QFileDevice::FileModificationTime));
        }
    }
    QVERIFY(m_nodes[2]->start());
    QVERIFY(QFile::exists(young));
    QVERIFY(!QFile::exists(old));

    // Alice's phone (node 1) fetches it: the same bytes.
    QTRY_VERIFY_WITH_TIMEOUT(
        must(m_alicePhone->messages(Bob, 1)).constLast().subject == QStringLiteral("The film"),
        Timeout);
    const Message m = must(m_alicePhone->messages(Bob, 1)).constLast();
    QCOMPARE(m.attachments.size(), 1);
    bool fetched = false;
    Error error;
    m_alicePhone->attachments().fetch(m.id, m.attachments.first().id, [&](const Error& e) {
        error = e;
        fetched = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(fetched, Timeout);
    QVERIFY2(error.isNull(), qPrintable(error.message));
    auto copy = must(m_alicePhone->attachments().open(m.attachments.first().id));
    QVERIFY(copy);
    QCOMPARE(sha256Of(*copy), filmHash);
}

void tst_MultiNode::testPresenceAndSignOutCrossNodes()
{
    // DEV: Erin's laptop on node 0 sees her phone on node 1 come and go, and signs it out
    // wherever it is connected; a device whose node dies goes offline for the others.
    const QString erin = QStringLiteral("erin@cpm.example");
    QVERIFY(m_nodes[1]->addUser(erin, Password));
    qint64 phoneId = 0;
    qint64 tabletId = 0;
    auto laptop = enrol(erin, QStringLiteral("Erin's laptop"), 0);
    auto phone = enrol(erin, QStringLiteral("Erin's phone"), 1, &phoneId);
    QVERIFY(laptop && phone && phoneId > 0);
    // Node 1 tells the others at once (NOTIFY); what the laptop asks may be quicker.
    QTRY_VERIFY_WITH_TIMEOUT(listedOnline(*laptop, phoneId), Timeout);
    laptop->clearEvents();
    phone->close();
    QVERIFY(phone->waitClosed());
    const QJsonObject offline
        = laptop->eventWith(QStringLiteral("presence"), QLatin1StringView("deviceId"), phoneId);
    QCOMPARE(dataOf(offline).value(QLatin1StringView("online")), QJsonValue(false));
    QVERIFY(!listedOnline(*laptop, phoneId));

    // Signed out from node 0 while connected to node 2: told, and closed with 4001.
    auto tablet = enrol(erin, QStringLiteral("Erin's tablet"), 2, &tabletId);
    QVERIFY(tablet && tabletId > 0);
    QTRY_VERIFY_WITH_TIMEOUT(listedOnline(*laptop, tabletId), Timeout);
    QVERIFY_OK(laptop->request(
        QStringLiteral("devices.signOut"), { { QStringLiteral("deviceId"), tabletId } }));
    QVERIFY(tablet->waitClosed());
    QCOMPARE(tablet->closeCode(), protocol::close::SignedOut);

    // A node killed without a word: its devices are offline for the other nodes' devices
    // once its heartbeat is missed (PostgresStore::NodeTimeoutMs, 10 s).
    auto pda = enrol(erin, QStringLiteral("Erin's PDA"), 1, &phoneId);
    QVERIFY(pda);
    QTRY_VERIFY_WITH_TIMEOUT(listedOnline(*laptop, phoneId), Timeout);
    laptop->clearEvents();
    m_nodes[1]->kill();
    const QJsonObject gone
        = laptop->eventWith(QStringLiteral("presence"), QLatin1StringView("deviceId"), phoneId);
    QCOMPARE(dataOf(gone).value(QLatin1StringView("online")), QJsonValue(false));
    QVERIFY(!listedOnline(*laptop, phoneId));
    QVERIFY(m_nodes[1]->start());
}

void tst_MultiNode::testOneNodeTimesARequestOutForAll()
{
    // The upkeep of all users (timeouts, expiry) is one node's, whichever: a request nobody
    // answers times out, and both sides hear it on their nodes.
    const QString ivan = QStringLiteral("ivan@cpm.example");
    const QString judy = QStringLiteral("judy@cpm.example");
    QVERIFY(m_nodes[0]->addUser(ivan, Password));
    QVERIFY(m_nodes[0]->addUser(judy, Password));
    QVERIFY(m_nodes[0]->setSetting(
        QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("1")));
    auto inviter = enrol(ivan, QStringLiteral("Ivan's laptop"), 1);
    auto invitee = enrol(judy, QStringLiteral("Judy's phone"), 2);
    QVERIFY(inviter && invitee);
    const qint64 id = invite(*inviter, judy);
    QVERIFY(id > 0);
    for (test::WsClient* side : { inviter.get(), invitee.get() }) {
        const QJsonObject ended = side->eventWith(
            QStringLiteral("session"), QLatin1StringView("change"), QStringLiteral("timeout"));
        QVERIFY2(!ended.isEmpty(), "the request did not time out");
        QCOMPARE(dataOf(ended).value(QLatin1StringView("id")).toInteger(), id);
        QCOMPARE(
            dataOf(ended).value(QLatin1StringView("reason")).toString(), QStringLiteral("timeout"));
    }
    QVERIFY(m_nodes[0]->setSetting(
        QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("60")));
}

void tst_MultiNode::testASessionMovesToADeviceOnAnotherNode()
{
    // SES-6 across nodes: Gina (node 0) and Hank's phone (node 1) chat; the phone moves the
    // session to Hank's tablet (node 2) with the last 3 messages; the tablet is told, reads
    // that history, and what it says reaches Gina on node 0.
    const QString gina = QStringLiteral("gina@cpm.example");
    const QString hank = QStringLiteral("hank@cpm.example");
    QVERIFY(m_nodes[0]->addUser(gina, Password));
    QVERIFY(m_nodes[1]->addUser(hank, Password));
    qint64 tabletId = 0;
    auto laptop = enrol(gina, QStringLiteral("Gina's laptop"), 0);
    auto phone = enrol(hank, QStringLiteral("Hank's phone"), 1);
    auto tablet = enrol(hank, QStringLiteral("Hank's tablet"), 2, &tabletId);
    QVERIFY(laptop && phone && tablet);
    const qint64 id = invite(*laptop, hank);
    QVERIFY(id > 0);
    // The tablet on node 2 rings too (a stream event another node wrote).
    QVERIFY(!tablet->eventWith(QStringLiteral("session"), QLatin1StringView("id"), id).isEmpty());
    QVERIFY_OK(phone->request(QStringLiteral("session.accept"), { { QStringLiteral("id"), id } }));
    QList<qint64> said;
    for (int i = 0; i < 4; ++i) {
        test::WsClient& from = i % 2 == 0 ? *laptop : *phone;
        const QJsonObject r = from.request(QStringLiteral("send"),
            { { QStringLiteral("clientId"), QStringLiteral("move-%1").arg(i) },
                { QStringLiteral("to"), i % 2 == 0 ? hank : gina },
                { QStringLiteral("body"), QStringLiteral("line %1").arg(i) },
                { QStringLiteral("session"), id } });
        said.append(test::result(r).value(QLatin1StringView("messageId")).toInteger());
        QVERIFY2(said.constLast() > 0, qPrintable(test::describe(r)));
    }
    tablet->clearEvents();
    const QJsonObject moved = phone->request(QStringLiteral("session.transfer"),
        { { QStringLiteral("id"), id }, { QStringLiteral("device"), tabletId },
            { QStringLiteral("history"), QStringLiteral("last:3") } });
    QVERIFY_OK(moved);
    // Node 2 hears of the move and tells the tablet it holds the session now.
    for (;;) {
        const QJsonObject e
            = tablet->eventWith(QStringLiteral("session"), QLatin1StringView("id"), id);
        QVERIFY2(!e.isEmpty(), "no `transferred` event on the tablet");
        if (dataOf(e).value(QLatin1StringView("change")).toString()
            == QLatin1StringView("transferred")) {
            QCOMPARE(dataOf(e)
                         .value(QLatin1StringView("boundDevice"))
                         .toObject()
                         .value(QLatin1StringView("id"))
                         .toInteger(),
                tabletId);
            break;
        }
    }
    const QJsonArray history = test::result(
        tablet->request(QStringLiteral("session.history"), { { QStringLiteral("id"), id } }))
                                   .value(QLatin1StringView("messages"))
                                   .toArray();
    QList<qint64> granted;
    for (const QJsonValue& m : history) {
        granted.append(m.toObject().value(QLatin1StringView("id")).toInteger());
    }
    std::sort(granted.begin(), granted.end());
    QCOMPARE(granted, said.mid(1)); // the last three
    // The tablet speaks; Gina's laptop on node 0 gets it.
    const QJsonObject r = tablet->request(QStringLiteral("send"),
        { { QStringLiteral("clientId"), QStringLiteral("move-tablet") },
            { QStringLiteral("to"), gina },
            { QStringLiteral("body"), QStringLiteral("from the tablet") },
            { QStringLiteral("session"), id } });
    const qint64 fromTablet = test::result(r).value(QLatin1StringView("messageId")).toInteger();
    QVERIFY2(fromTablet > 0, qPrintable(test::describe(r)));
    bool arrived = false;
    for (int i = 0; i < 20 && !arrived; ++i) { // the session's earlier lines come first
        const QJsonObject e = laptop->event(QStringLiteral("message"));
        QVERIFY2(!e.isEmpty(), "the tablet's message did not reach node 0");
        arrived = dataOf(e)
                      .value(QLatin1StringView("message"))
                      .toObject()
                      .value(QLatin1StringView("id"))
                      .toInteger()
            == fromTablet;
    }
    QVERIFY(arrived);
    QVERIFY_OK(laptop->request(QStringLiteral("session.end"), { { QStringLiteral("id"), id } }));
}

void tst_MultiNode::testAKilledNodeLosesNothingAndItsDevicesMoveOn()
{
    // Alice's phone is on node 1. Node 1 is killed while Bob's laptop (moved to node 2 by
    // the kill) sends: every message acknowledged reaches each of Alice's devices once, in
    // order, and the phone carries on on node 2.
    constexpr int Count = 30;
    QSignalSpy sent(m_bobLaptop.client.get(), &Client::messageSent);
    QList<QSignalSpy*> arrivals;
    for (TestDevice* d : { &m_aliceLaptop, &m_alicePhone, &m_aliceFixed }) {
        arrivals.append(new QSignalSpy(d->client.get(), &Client::incomingMessage));
    }
    const auto cleanup = qScopeGuard([&] {
        qDeleteAll(arrivals);
        if (!m_nodes[1]->isRunning()) {
            m_nodes[1]->start(); // for the tests after this one, had it failed
        }
    });
    for (int i = 0; i < Count; ++i) {
        QVERIFY(!must(m_bobLaptop->send(Alice, QStringLiteral("Kill %1").arg(i),
                          QStringLiteral("body %1").arg(i)))
                     .isEmpty());
        if (i == Count / 3) {
            m_nodes[1]->kill();
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), Count, 60000);
    QCOMPARE(m_bobLaptop->currentServerUrl(), url(2));
    // The phone only listens: it notices the drop as soon, but tries again after a backoff.
    QTRY_COMPARE_WITH_TIMEOUT(m_alicePhone->currentServerUrl(), url(2), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_alicePhone->state(), ConnectionState::Online, Timeout);
    QVERIFY(m_nodes[1]->start()); // back, on its port, empty-handed: the database has it all
    for (QSignalSpy* spy : std::as_const(arrivals)) {
        QTRY_COMPARE_WITH_TIMEOUT(spy->size(), Count, Timeout);
    }
    for (TestDevice* d : { &m_aliceLaptop, &m_alicePhone, &m_aliceFixed }) {
        // Once each, in the order sent (message ids follow the order they were stored).
        const QList<Message> list = must((*d)->messages(Bob, 200));
        QMap<qint64, QString> byId;
        for (const Message& m : list) {
            if (m.subject.startsWith(QLatin1StringView("Kill "))) {
                byId.insert(m.id, m.subject);
            }
        }
        const QStringList subjects = byId.values();
        QCOMPARE(subjects.size(), Count);
        for (int i = 0; i < Count; ++i) {
            QCOMPARE(subjects.at(i), QStringLiteral("Kill %1").arg(i));
        }
    }
}

void tst_MultiNode::testWrongPasswordsCountOnEveryNode()
{
    // Guesses spread over the nodes get no more tries than on one (login.maxFailures, 5):
    // three wrong passwords on node 0 and two on node 1 leave none for node 2.
    const QString frank = QStringLiteral("frank@cpm.example");
    QVERIFY(m_nodes[0]->addUser(frank, Password));
    const auto guess = [&](int node) {
        test::WsClient c;
        if (!c.open(url(node)) || !c.hello()) {
            return QStringLiteral("(no connection)");
        }
        return test::code(c.registerDevice(frank, QStringLiteral("guess"), QStringLiteral("x")));
    };
    for (int node : { 0, 0, 0, 1, 1 }) {
        QCOMPARE(guess(node), QStringLiteral("auth_failed"));
    }
    QCOMPARE(guess(2), QStringLiteral("throttled"));
    QCOMPARE(guess(0), QStringLiteral("throttled"));
}

void tst_MultiNode::testChaosKillsLoseAndDoubleNothing()
{
    // Three users with three devices each, spread over the nodes; the first device of each
    // sends to the next user round the ring while nodes are killed (SIGKILL) and restarted
    // at random moments, one at a time. Every message is acknowledged in the end (the
    // outboxes survive every move), each of the recipient's devices has each once, in the
    // order sent, and every device ends online on a node that runs.
    // CPM_SOAK=1 (ctest -L soak, tst_multinode_chaos): 10,000 messages, 50 kills.
    const bool soak = qEnvironmentVariableIntValue("CPM_SOAK") == 1;
    const int total = soak ? 10000 : 300;
    const int kills = soak ? 50 : 4;
    // Named, not written into QTRY_*: the macro puts its timeout into an unbracketed `?:`.
    const int settleMs = soak ? 300000 : 60000;
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo() << total << "messages," << kills << "kills, seed" << seed;
    QRandomGenerator random(seed);

    constexpr int Users = 3;
    std::array<QString, Users> users;
    std::array<std::array<TestDevice, 3>, Users> devices;
    for (int u = 0; u < Users; ++u) {
        users[u] = QStringLiteral("chaos%1@cpm.example").arg(u);
        QVERIFY(m_nodes[0]->addUser(users[u], Password));
        for (int d = 0; d < 3; ++d) {
            registerDevice(devices[u][d], users[u],
                QStringLiteral("chaos %1 device %2").arg(u).arg(d), QStringLiteral("laptop"),
                (u + d) % Nodes);
        }
    }
    std::array<int, Users> acknowledged {};
    QList<QMetaObject::Connection> connections;
    for (int u = 0; u < Users; ++u) {
        connections.append(connect(devices[u][0].client.get(), &Client::messageSent, this,
            [&acknowledged, u] { ++acknowledged[u]; }));
    }
    const auto disconnectAll = qScopeGuard([&] {
        for (const QMetaObject::Connection& c : std::as_const(connections)) {
            disconnect(c);
        }
    });

    // Each sender keeps up to 50 messages unacknowledged (a busy user, not a flood), and
    // the kills are spread over the traffic as it is acknowledged.
    const int perUser = total / Users;
    std::array<int, Users> sent {};
    const auto acknowledgedInAll
        = [&] { return std::accumulate(acknowledged.cbegin(), acknowledged.cend(), 0); };
    int down = -1; // the node killed last, until it is started again
    int killed = 0;
    QDeadlineTimer deadline(soak ? 1500000 : 200000);
    const auto sentInAll = [&] { return std::accumulate(sent.cbegin(), sent.cend(), 0); };
    while (acknowledgedInAll() < perUser * Users && !deadline.hasExpired()) {
        // Sending stops at the next kill's mark until that kill: each one meets up to 50
        // messages per sender in flight.
        const int mark
            = killed < kills ? (killed + 1) * perUser * Users / (kills + 1) : perUser * Users;
        for (int u = 0; u < Users; ++u) {
            while (sent[u] < perUser && sent[u] - acknowledged[u] < 50 && sentInAll() < mark) {
                QVERIFY(!must(
                    devices[u][0]->send(users[(u + 1) % Users],
                        QStringLiteral("chaos %1 %2").arg(u).arg(sent[u], 5, 10, QLatin1Char('0')),
                        QStringLiteral("body")))
                             .isEmpty());
                ++sent[u];
            }
        }
        if (killed < kills && sentInAll() >= mark) {
            QTest::qWait(int(random.bounded(200)));
            if (down >= 0) {
                QVERIFY(m_nodes[down]->start());
            }
            down = int(random.bounded(Nodes));
            m_nodes[down]->kill();
            ++killed;
            if (soak) {
                qInfo() << "kill" << killed << "of node" << down << "at" << acknowledgedInAll()
                        << "acknowledged";
            }
        }
        QTest::qWait(5);
    }
    QCOMPARE(killed, kills);
    const int expected = perUser;
    for (int u = 0; u < Users; ++u) {
        QTRY_COMPARE_WITH_TIMEOUT(acknowledged[u], expected, settleMs);
    }
    if (down >= 0) {
        QVERIFY(m_nodes[down]->start());
    }
    for (int u = 0; u < Users; ++u) {
        const QString from = users[(u + Users - 1) % Users];
        const int sender = (u + Users - 1) % Users;
        for (int d = 0; d < 3; ++d) {
            TestDevice& device = devices[u][d];
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    const Result<QList<Message>> list = device->messages(from, expected + 10);
                    return list && list->size() >= expected;
                }(),
                settleMs);
            const QList<Message> list = must(device->messages(from, expected + 10));
            QMap<qint64, QString> byId;
            for (const Message& m : list) {
                byId.insert(m.id, m.subject);
            }
            const QStringList subjects = byId.values();
            QCOMPARE(subjects.size(), expected); // none lost, none twice
            for (int i = 0; i < expected; ++i) {
                QCOMPARE(subjects.at(i),
                    QStringLiteral("chaos %1 %2").arg(sender).arg(i, 5, 10, QLatin1Char('0')));
            }
            QTRY_COMPARE_WITH_TIMEOUT(device->state(), ConnectionState::Online, Timeout);
            bool onARunningNode = false;
            for (int n = 0; n < Nodes; ++n) {
                onARunningNode |= m_nodes[n]->isRunning() && device->currentServerUrl() == url(n);
            }
            QVERIFY(onARunningNode);
        }
    }
}

QTEST_MAIN(tst_MultiNode)
#include "tst_multinode.moc"
