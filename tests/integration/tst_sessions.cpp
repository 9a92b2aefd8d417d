// SPDX-License-Identifier: GPL-3.0-or-later
// Seed 003 §6.1.11 steps 11–25 and the alternative flow §6.1.12, end to end: a real
// cpm-server on a free loopback port, Alice and Bob on three devices each, real client
// cores. The first test functions follow the flow in order, each step building on the
// last; the later ones check what the flow must survive (races, traffic during moves,
// timeouts, a device away, a killed server).

#include "client.h"
#include "failonwarning.h"
#include "must.h"
#include "protocol.h"
#include "sessionmanager.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cpm;
using cpm::test::must;
using protocol::EndReason;
using protocol::HistoryChoice;
using protocol::SessionState;

namespace {

constexpr int Timeout = 15000;
const QString Password = QStringLiteral("correct horse battery staple");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

struct TestDevice {
    QString profile;
    std::unique_ptr<Client> client;

    Client* operator->() const { return client.get(); }
    SessionManager& sessions() const { return client->sessions(); }
};

//! The outcome of a SessionManager request, waited for.
struct Outcome {
    bool done = false;
    Error error;
    Session session;
};

SessionManager::SessionCallback into(Outcome& outcome)
{
    return [&outcome](const Error& error, const Session& session) {
        outcome.error = error;
        outcome.session = session;
        outcome.done = true;
    };
}

//! The full sizes of the issue (1,000 messages across 20 moves, 100 accept races) run in
//! the `soak` ctest label (tst_sessions_soak, CPM_SOAK=1); the default run is smaller.
bool soak() { return qEnvironmentVariableIntValue("CPM_SOAK") == 1; }

//! Whether a message was queued (its clientId came back); fails the test otherwise.
bool queued(
    Result<QString> clientId, const char* file = __builtin_FILE(), int line = __builtin_LINE())
{
    return !must(std::move(clientId), file, line).isEmpty();
}

//! The messages of session \a id on \a client, oldest first.
QList<Message> sessionMessages(Client* client, const QString& peer, qint64 id)
{
    QList<Message> out;
    const QList<Message> all = must(client->messages(peer, 5000));
    for (const Message& m : all) {
        if (m.session == id) {
            out.append(m);
        }
    }
    return out;
}

} // namespace

class tst_Sessions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }
    void cleanupTestCase();

    // §6.1.11, in order
    void testAliceInvitesAndItRingsOnBobsThreeDevices();
    void testBobAcceptsOnHisPdaAndTheOtherDevicesAreWithdrawn();
    void testTheyTalkAndTheOtherDevicesGetItSilently();
    void testAliceMovesTheSessionToHerPhoneWithHistory();
    // §6.1.12
    void testAlicePullsTheSessionOverFromAnotherDevice();
    void testEndingKeepsTheMessages();

    // what the flow must survive
    void testTwoDevicesAcceptingAtOnceHaveExactlyOneWinner();
    void testTransferUnderTrafficLosesAndDoublesNothing();
    void testDeclineCancelAndTimeoutReachEveryDevice();
    void testADeviceThatConnectsWhileItRingsRingsToo();
    void testADeviceThatWasAwaySeesTheMissedRequest();
    void testGracePeriodKeepsTheSessionThenEndsIt();
    void testTransferToAnOfflineDeviceChangesNothing();
    void testActiveSessionSurvivesServerKill9();

private:
    void registerDevice(
        TestDevice& device, const QString& address, const QString& name, const QString& kind);
    QList<TestDevice*> all()
    {
        return { &m_aliceLaptop, &m_alicePhone, &m_aliceTablet, &m_bobPda, &m_bobMobile,
            &m_bobLaptop };
    }
    QList<TestDevice*> bobs() { return { &m_bobPda, &m_bobMobile, &m_bobLaptop }; }
    QList<TestDevice*> alices() { return { &m_aliceLaptop, &m_alicePhone, &m_aliceTablet }; }
    //! Starts a session Alice (laptop) → Bob, accepted on Bob's PDA; its id.
    qint64 startSession(const QString& subject);
    void endSession(TestDevice& device, qint64 id);
    void waitOnline(TestDevice& device);

    QTemporaryDir m_profiles;
    test::TestServer m_server;
    TestDevice m_aliceLaptop, m_alicePhone, m_aliceTablet;
    TestDevice m_bobPda, m_bobMobile, m_bobLaptop;
    qint64 m_session = 0; //!< the flow's session
};

void tst_Sessions::registerDevice(
    TestDevice& device, const QString& address, const QString& name, const QString& kind)
{
    device.profile = m_profiles.filePath(name);
    device.client = std::make_unique<Client>(device.profile);
    QVERIFY(must(device->open()));
    device->setServerUrl(m_server.url());
    bool done = false;
    Error result;
    device->registerDevice(address, Password, name, kind, [&](const Error& error) {
        result = error;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.name() + QLatin1Char(' ') + result.message));
    waitOnline(device);
}

void tst_Sessions::waitOnline(TestDevice& device)
{
    QTRY_COMPARE_WITH_TIMEOUT(device->state(), ConnectionState::Online, Timeout);
}

void tst_Sessions::initTestCase()
{
    QVERIFY(m_profiles.isValid());
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    registerDevice(
        m_aliceLaptop, Alice, QStringLiteral("Alice's laptop"), QStringLiteral("laptop"));
    registerDevice(m_alicePhone, Alice, QStringLiteral("Alice's phone"), QStringLiteral("mobile"));
    registerDevice(
        m_aliceTablet, Alice, QStringLiteral("Alice's tablet"), QStringLiteral("tablet"));
    registerDevice(m_bobPda, Bob, QStringLiteral("Bob's PDA"), QStringLiteral("tablet"));
    registerDevice(m_bobMobile, Bob, QStringLiteral("Bob's mobile"), QStringLiteral("mobile"));
    registerDevice(m_bobLaptop, Bob, QStringLiteral("Bob's laptop"), QStringLiteral("laptop"));
    // Steps 1–10 happened already: Bob shared his holiday pictures with Alice.
    QVERIFY(!must(m_bobPda->send(Alice, QStringLiteral("Holidays"), QStringLiteral("Look!")))
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(must(m_aliceLaptop->messages(Bob)).size(), 1, Timeout);
}

void tst_Sessions::cleanupTestCase() { m_server.stop(); }

qint64 tst_Sessions::startSession(const QString& subject)
{
    Outcome invited;
    m_aliceLaptop.sessions().invite(Bob, subject, into(invited));
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
        QVERIFY2(invited.error.isNull(), qPrintable(invited.error.message));
    }();
    const qint64 id = invited.session.id;
    [&] { QTRY_VERIFY_WITH_TIMEOUT(m_bobPda.sessions().session(id).has_value(), Timeout); }();
    Outcome accepted;
    m_bobPda.sessions().accept(id, into(accepted));
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(accepted.done, Timeout);
        QVERIFY2(accepted.error.isNull(), qPrintable(accepted.error.message));
        QTRY_VERIFY_WITH_TIMEOUT(m_aliceLaptop.sessions().isHere(id), Timeout);
    }();
    return id;
}

void tst_Sessions::endSession(TestDevice& device, qint64 id)
{
    Outcome ended;
    device.sessions().end(id, into(ended));
    QTRY_VERIFY_WITH_TIMEOUT(ended.done, Timeout);
    QVERIFY2(ended.error.isNull(), qPrintable(ended.error.message));
    for (TestDevice* d : all()) {
        QTRY_VERIFY_WITH_TIMEOUT(
            !d->sessions().session(id) || !d->sessions().session(id)->isOpen(), Timeout);
    }
}

// Steps 11–17: Alice asks for a session from her computer; her rights are checked; Bob's
// system finds him on three devices and each of them notifies him.
void tst_Sessions::testAliceInvitesAndItRingsOnBobsThreeDevices()
{
    QList<std::shared_ptr<QSignalSpy>> rings;
    for (TestDevice* d : bobs()) {
        rings.append(
            std::make_shared<QSignalSpy>(&d->sessions(), &SessionManager::incomingRequest));
    }
    QSignalSpy aliceRings(&m_alicePhone.sessions(), &SessionManager::incomingRequest);
    Outcome invited;
    m_aliceLaptop.sessions().invite(Bob, QStringLiteral("About your holidays"), into(invited));
    QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
    QVERIFY2(invited.error.isNull(), qPrintable(invited.error.message));
    m_session = invited.session.id;
    QCOMPARE(invited.session.state, SessionState::Inviting);
    QVERIFY(invited.session.inviter);
    QCOMPARE(invited.session.boundDevice->name, QStringLiteral("Alice's laptop"));
    QVERIFY(invited.session.invitedDevices.isEmpty()); // Bob's devices are Bob's business
    for (const auto& spy : std::as_const(rings)) {
        QTRY_COMPARE_WITH_TIMEOUT(spy->size(), 1, Timeout);
        const Session s = spy->at(0).at(0).value<Session>();
        QCOMPARE(s.peer, Alice);
        QCOMPARE(s.subject, QStringLiteral("About your holidays"));
        QCOMPARE(s.invitedDevices.size(), 3);
    }
    for (TestDevice* d : bobs()) {
        QCOMPARE(d->sessions().ringing().size(), 1);
    }
    // The inviter's other devices know of it, and do not ring.
    QTRY_VERIFY_WITH_TIMEOUT(m_alicePhone.sessions().session(m_session).has_value(), Timeout);
    QCOMPARE(aliceRings.size(), 0);
}

// Steps 18–19: Bob accepts on his PDA; the requests on his mobile and laptop go, saying
// where it was answered.
void tst_Sessions::testBobAcceptsOnHisPdaAndTheOtherDevicesAreWithdrawn()
{
    QSignalSpy mobileEnded(&m_bobMobile.sessions(), &SessionManager::requestEnded);
    QSignalSpy laptopEnded(&m_bobLaptop.sessions(), &SessionManager::requestEnded);
    Outcome accepted;
    m_bobPda.sessions().accept(m_session, into(accepted));
    QTRY_VERIFY_WITH_TIMEOUT(accepted.done, Timeout);
    QVERIFY2(accepted.error.isNull(), qPrintable(accepted.error.message));
    QCOMPARE(accepted.session.state, SessionState::Active);
    QVERIFY(m_bobPda.sessions().isHere(m_session));
    for (QSignalSpy* spy : { &mobileEnded, &laptopEnded }) {
        QTRY_COMPARE_WITH_TIMEOUT(spy->size(), 1, Timeout);
        const Session s = spy->at(0).at(0).value<Session>();
        QCOMPARE(s.state, SessionState::Active);
        QCOMPARE(s.boundDevice->name, QStringLiteral("Bob's PDA"));
    }
    QVERIFY(m_bobMobile.sessions().ringing().isEmpty());
    QVERIFY(m_bobLaptop.sessions().ringing().isEmpty());
    QCOMPARE(m_bobLaptop.sessions().elsewhere().size(), 1);
    // Alice sees the session start, and nothing about which of Bob's devices took it.
    QTRY_VERIFY_WITH_TIMEOUT(m_aliceLaptop.sessions().isHere(m_session), Timeout);
    const Session alices = *m_aliceLaptop.sessions().session(m_session);
    QCOMPARE(alices.boundDevice->name, QStringLiteral("Alice's laptop"));
    QVERIFY(alices.invitedDevices.isEmpty());
}

// Step 20: they talk. Session messages are stored like any message: the other devices
// of both get them by their stream, silently.
void tst_Sessions::testTheyTalkAndTheOtherDevicesGetItSilently()
{
    QSignalSpy pdaNotified(m_bobPda.client.get(), &Client::incomingMessage);
    QSignalSpy laptopNotified(m_bobLaptop.client.get(), &Client::incomingMessage);
    QSignalSpy aliceComposing(&m_aliceLaptop.sessions(), &SessionManager::peerComposingChanged);
    m_bobPda.sessions().setComposing(m_session, true);
    QTRY_COMPARE_WITH_TIMEOUT(aliceComposing.size(), 1, Timeout);
    QVERIFY(m_aliceLaptop.sessions().isPeerComposing(m_session));
    for (int i = 0; i < 5; ++i) {
        QVERIFY(queued(m_aliceLaptop.sessions().say(m_session, QStringLiteral("alice %1").arg(i))));
        QVERIFY(queued(m_bobPda.sessions().say(m_session, QStringLiteral("bob %1").arg(i))));
    }
    for (TestDevice* d : all()) {
        const QString peer = alices().contains(d) ? Bob : Alice;
        QTRY_COMPARE_WITH_TIMEOUT(
            sessionMessages(d->client.get(), peer, m_session).size(), 10, Timeout);
    }
    // Only the device the session is on tells Bob; the laptop has them, quietly.
    QTRY_COMPARE_WITH_TIMEOUT(pdaNotified.size(), 5, Timeout);
    QCOMPARE(laptopNotified.size(), 0);
    // Saying something from a device the session is not on is refused here already.
    const Result<QString> refused = m_bobLaptop.sessions().say(m_session, QStringLiteral("x"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::NotBound);
}

// Steps 21–25: Alice has to leave. She moves the session from the laptop to her phone,
// chosen from her registered devices, with the conversation history.
void tst_Sessions::testAliceMovesTheSessionToHerPhoneWithHistory()
{
    QSignalSpy arrived(&m_alicePhone.sessions(), &SessionManager::arrivedHere);
    QSignalSpy loaded(&m_alicePhone.sessions(), &SessionManager::historyLoaded);
    QSignalSpy left(&m_aliceLaptop.sessions(), &SessionManager::continuedElsewhere);
    QList<std::shared_ptr<QSignalSpy>> bobHeard;
    for (TestDevice* d : bobs()) {
        bobHeard.append(
            std::make_shared<QSignalSpy>(&d->sessions(), &SessionManager::sessionUpdated));
    }
    Outcome moved;
    m_aliceLaptop.sessions().transfer(m_session, m_alicePhone->deviceId(),
        HistoryChoice { HistoryChoice::Kind::All, 0 }, into(moved));
    QTRY_VERIFY_WITH_TIMEOUT(moved.done, Timeout);
    QVERIFY2(moved.error.isNull(), qPrintable(moved.error.message));
    QCOMPARE(moved.session.boundDevice->name, QStringLiteral("Alice's phone"));
    QCOMPARE(moved.session.previousDevice->name, QStringLiteral("Alice's laptop"));
    QTRY_COMPARE_WITH_TIMEOUT(arrived.size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(left.size(), 1, Timeout);
    QCOMPARE(left.at(0).at(0).value<Session>().boundDevice->name, QStringLiteral("Alice's phone"));
    // The whole conversation: the holiday message and the ten of the session.
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, Timeout);
    QCOMPARE(loaded.at(0).at(1).toInt(), 11);
    QCOMPARE(must(m_alicePhone->messages(Bob)).size(), 11);
    // Step 25: she goes on from the phone; the laptop can no longer say anything in it.
    QVERIFY(queued(m_alicePhone.sessions().say(m_session, QStringLiteral("on my way"))));
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionMessages(m_bobPda.client.get(), Alice, m_session).size(), 11, Timeout);
    const Result<QString> refused = m_aliceLaptop.sessions().say(m_session, QStringLiteral("x"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::NotBound);
    // Bob was not interrupted: none of his devices heard of the move.
    for (const auto& spy : std::as_const(bobHeard)) {
        QCOMPARE(spy->size(), 0);
    }
}

// §6.1.12 steps 21–25: on another device, Alice lists the ongoing sessions of her other
// devices, picks the one with Bob and takes it over with the history of the session.
void tst_Sessions::testAlicePullsTheSessionOverFromAnotherDevice()
{
    bool listed = false;
    m_aliceTablet.sessions().refresh([&](const Error& e) {
        QVERIFY(e.isNull());
        listed = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(listed, Timeout);
    const QList<Session> elsewhere = m_aliceTablet.sessions().elsewhere();
    QCOMPARE(elsewhere.size(), 1);
    QCOMPARE(elsewhere.at(0).peer, Bob);
    QCOMPARE(elsewhere.at(0).boundDevice->name, QStringLiteral("Alice's phone"));
    QVERIFY(elsewhere.at(0).startedAt > 0);

    QSignalSpy loaded(&m_aliceTablet.sessions(), &SessionManager::historyLoaded);
    QSignalSpy left(&m_alicePhone.sessions(), &SessionManager::continuedElsewhere);
    Outcome pulled;
    m_aliceTablet.sessions().pull(
        m_session, HistoryChoice { HistoryChoice::Kind::Session, 0 }, into(pulled));
    QTRY_VERIFY_WITH_TIMEOUT(pulled.done, Timeout);
    QVERIFY2(pulled.error.isNull(), qPrintable(pulled.error.message));
    QCOMPARE(pulled.session.boundDevice->name, QStringLiteral("Alice's tablet"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, Timeout);
    QCOMPARE(loaded.at(0).at(1).toInt(), 11); // the session's own messages
    QTRY_COMPARE_WITH_TIMEOUT(left.size(), 1, Timeout);
    QVERIFY(m_aliceTablet.sessions().isHere(m_session));
    QVERIFY(!m_alicePhone.sessions().isHere(m_session));
}

// SES-9: ending keeps what was said.
void tst_Sessions::testEndingKeepsTheMessages()
{
    QSignalSpy bobEnded(&m_bobPda.sessions(), &SessionManager::sessionEnded);
    endSession(m_bobPda, m_session);
    QTRY_COMPARE_WITH_TIMEOUT(bobEnded.size(), 1, Timeout);
    const Session s = *m_aliceTablet.sessions().session(m_session);
    QCOMPARE(s.reason, EndReason::Ended);
    QCOMPARE(s.endedBy, Bob);
    for (TestDevice* d : all()) {
        const QString peer = alices().contains(d) ? Bob : Alice;
        QCOMPARE(sessionMessages(d->client.get(), peer, m_session).size(), 11);
    }
    const Result<QString> refused = m_aliceTablet.sessions().say(m_session, QStringLiteral("x"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::SessionEnded);
}

void tst_Sessions::testTwoDevicesAcceptingAtOnceHaveExactlyOneWinner()
{
    const int rounds = soak() ? 100 : 30;
    int mobileWins = 0;
    for (int round = 0; round < rounds; ++round) {
        Outcome invited;
        m_aliceLaptop.sessions().invite(Bob, QString(), into(invited));
        QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
        QVERIFY2(invited.error.isNull(), qPrintable(invited.error.message));
        const qint64 id = invited.session.id;
        QTRY_VERIFY_WITH_TIMEOUT(m_bobMobile.sessions().session(id).has_value()
                && m_bobLaptop.sessions().session(id).has_value(),
            Timeout);
        // Both in the same turn of the event loop, on two connections.
        Outcome mobile;
        Outcome laptop;
        // Who asks first alternates, so either may win.
        if (round % 2 == 0) {
            m_bobMobile.sessions().accept(id, into(mobile));
            m_bobLaptop.sessions().accept(id, into(laptop));
        } else {
            m_bobLaptop.sessions().accept(id, into(laptop));
            m_bobMobile.sessions().accept(id, into(mobile));
        }
        QTRY_VERIFY_WITH_TIMEOUT(mobile.done && laptop.done, Timeout);
        QVERIFY2(mobile.error.isNull() != laptop.error.isNull(),
            qPrintable(QStringLiteral("round %1: %2 / %3")
                           .arg(round)
                           .arg(mobile.error.name(), laptop.error.name())));
        const Outcome& loser = mobile.error.isNull() ? laptop : mobile;
        const QString winner = mobile.error.isNull() ? QStringLiteral("Bob's mobile")
                                                     : QStringLiteral("Bob's laptop");
        mobileWins += mobile.error.isNull() ? 1 : 0;
        QCOMPARE(loser.error.code, ErrorCode::AlreadyAnswered);
        QCOMPARE(loser.error.details.value(QLatin1StringView("device"))
                     .toObject()
                     .value(QLatin1StringView("name"))
                     .toString(),
            winner);
        QCOMPARE(loser.session.boundDevice->name, winner);
        endSession(m_aliceLaptop, id);
    }
    qInfo() << "the mobile won" << mobileWins << "of" << rounds << "rounds";
}

// SES-6: Bob keeps talking while Alice moves the session back and forth: the device it
// ends on has every message exactly once, in the order Bob said them.
void tst_Sessions::testTransferUnderTrafficLosesAndDoublesNothing()
{
    const int messages = soak() ? 1000 : 200;
    constexpr int Moves = 20;
    const qint64 id = startSession(QStringLiteral("traffic"));
    TestDevice* devices[] = { &m_aliceLaptop, &m_alicePhone };
    int said = 0;
    for (int move = 0; move < Moves; ++move) {
        const int batch = messages / Moves;
        for (int i = 0; i < batch; ++i, ++said) {
            QVERIFY(queued(m_bobPda.sessions().say(
                id, QStringLiteral("m%1").arg(said, 4, 10, QLatin1Char('0')))));
        }
        TestDevice& from = *devices[move % 2];
        TestDevice& to = *devices[(move + 1) % 2];
        QTRY_VERIFY_WITH_TIMEOUT(from.sessions().isHere(id), Timeout);
        Outcome moved;
        from.sessions().transfer(
            id, to->deviceId(), HistoryChoice { HistoryChoice::Kind::Session, 0 }, into(moved));
        QTRY_VERIFY_WITH_TIMEOUT(moved.done, Timeout);
        QVERIFY2(moved.error.isNull(), qPrintable(moved.error.message));
    }
    TestDevice& last = *devices[Moves % 2];
    QTRY_VERIFY_WITH_TIMEOUT(last.sessions().isHere(id), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionMessages(last.client.get(), Bob, id).size(), messages, Timeout * 4);
    const QList<Message> got = sessionMessages(last.client.get(), Bob, id);
    QSet<qint64> ids;
    for (int i = 0; i < got.size(); ++i) {
        QCOMPARE(got.at(i).body, QStringLiteral("m%1").arg(i, 4, 10, QLatin1Char('0')));
        ids.insert(got.at(i).id);
    }
    QCOMPARE(ids.size(), messages);
    endSession(m_bobPda, id);
}

void tst_Sessions::testDeclineCancelAndTimeoutReachEveryDevice()
{
    // Declined on one of Bob's devices.
    Outcome invited;
    m_aliceLaptop.sessions().invite(Bob, QString(), into(invited));
    QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
    const qint64 declined = invited.session.id;
    QTRY_VERIFY_WITH_TIMEOUT(m_bobMobile.sessions().session(declined).has_value(), Timeout);
    Outcome no;
    m_bobMobile.sessions().decline(declined, into(no));
    QTRY_VERIFY_WITH_TIMEOUT(no.done, Timeout);
    QVERIFY(no.error.isNull());
    for (TestDevice* d : all()) {
        QTRY_VERIFY_WITH_TIMEOUT(d->sessions().session(declined)
                && d->sessions().session(declined)->reason == EndReason::Declined,
            Timeout);
        QVERIFY(d->sessions().ringing().isEmpty());
    }
    // Accepting it afterwards: it has ended, and says so.
    Outcome late;
    m_bobPda.sessions().accept(declined, into(late));
    QTRY_VERIFY_WITH_TIMEOUT(late.done, Timeout);
    QCOMPARE(late.error.code, ErrorCode::SessionEnded);
    QCOMPARE(late.session.reason, EndReason::Declined);

    // Cancelled by Alice.
    invited = {};
    m_aliceLaptop.sessions().invite(Bob, QString(), into(invited));
    QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
    const qint64 cancelled = invited.session.id;
    Outcome withdrawn;
    m_aliceLaptop.sessions().cancel(cancelled, into(withdrawn));
    QTRY_VERIFY_WITH_TIMEOUT(withdrawn.done, Timeout);
    QVERIFY(withdrawn.error.isNull());
    for (TestDevice* d : all()) {
        QTRY_VERIFY_WITH_TIMEOUT(d->sessions().session(cancelled)
                && d->sessions().session(cancelled)->reason == EndReason::Cancelled,
            Timeout);
    }
    QCOMPARE(m_bobLaptop.sessions().missed().constLast().id, cancelled);

    // Nobody answers.
    QVERIFY(
        m_server.setSetting(QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("1")));
    invited = {};
    m_aliceLaptop.sessions().invite(Bob, QString(), into(invited));
    QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
    const qint64 unanswered = invited.session.id;
    for (TestDevice* d : all()) {
        QTRY_VERIFY_WITH_TIMEOUT(d->sessions().session(unanswered)
                && d->sessions().session(unanswered)->reason == EndReason::TimedOut,
            Timeout);
    }
    QVERIFY(
        m_server.setSetting(QStringLiteral("session.inviteTimeoutSeconds"), QStringLiteral("60")));
}

// SES-2: a device that comes online while the request still rings gets it when it syncs.
void tst_Sessions::testADeviceThatConnectsWhileItRingsRingsToo()
{
    m_bobLaptop->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_bobLaptop->state(), ConnectionState::Disconnected, Timeout);
    Outcome invited;
    m_aliceLaptop.sessions().invite(Bob, QStringLiteral("Late"), into(invited));
    QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
    const qint64 id = invited.session.id;
    QSignalSpy rang(&m_bobLaptop.sessions(), &SessionManager::incomingRequest);
    m_bobLaptop->connectToServer();
    waitOnline(m_bobLaptop);
    QTRY_COMPARE_WITH_TIMEOUT(rang.size(), 1, Timeout);
    QCOMPARE(rang.at(0).at(0).value<Session>().id, id);
    Outcome withdrawn;
    m_aliceLaptop.sessions().cancel(id, into(withdrawn));
    QTRY_VERIFY_WITH_TIMEOUT(withdrawn.done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(m_bobLaptop.sessions().ringing().isEmpty(), Timeout);
    m_bobLaptop.sessions().dismissMissed(Alice);
}

// A device that was offline the whole time the request rang learns of it as missed: it
// never rings for it.
void tst_Sessions::testADeviceThatWasAwaySeesTheMissedRequest()
{
    m_bobLaptop->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_bobLaptop->state(), ConnectionState::Disconnected, Timeout);
    Outcome invited;
    m_aliceLaptop.sessions().invite(Bob, QStringLiteral("Are you there?"), into(invited));
    QTRY_VERIFY_WITH_TIMEOUT(invited.done, Timeout);
    const qint64 id = invited.session.id;
    Outcome withdrawn;
    m_aliceLaptop.sessions().cancel(id, into(withdrawn));
    QTRY_VERIFY_WITH_TIMEOUT(withdrawn.done, Timeout);

    QSignalSpy rang(&m_bobLaptop.sessions(), &SessionManager::incomingRequest);
    QSignalSpy missed(&m_bobLaptop.sessions(), &SessionManager::missedChanged);
    m_bobLaptop->connectToServer();
    waitOnline(m_bobLaptop);
    QTRY_VERIFY_WITH_TIMEOUT(missed.size() >= 1, Timeout);
    QCOMPARE(rang.size(), 0);
    const Session last = m_bobLaptop.sessions().missed().constLast();
    QCOMPARE(last.id, id);
    QCOMPARE(last.subject, QStringLiteral("Are you there?"));
    // Kept across a restart, until dismissed.
    m_bobLaptop.client.reset();
    m_bobLaptop.client = std::make_unique<Client>(m_bobLaptop.profile);
    QVERIFY(must(m_bobLaptop->open()));
    QCOMPARE(m_bobLaptop.sessions().missed().constLast().id, id);
    m_bobLaptop.sessions().dismissMissed(Alice);
    QVERIFY(m_bobLaptop.sessions().missed().isEmpty());
    m_bobLaptop->setServerUrl(m_server.url());
    m_bobLaptop->connectToServer();
    waitOnline(m_bobLaptop);
}

void tst_Sessions::testGracePeriodKeepsTheSessionThenEndsIt()
{
    QVERIFY(m_server.setSetting(QStringLiteral("session.graceSeconds"), QStringLiteral("3")));
    const qint64 id = startSession(QStringLiteral("grace"));
    // Away for a moment: back within the grace period, the session is still there.
    m_aliceLaptop->disconnectFromServer();
    QTest::qWait(1000);
    m_aliceLaptop->connectToServer();
    waitOnline(m_aliceLaptop);
    QTest::qWait(3000);
    QVERIFY(m_bobPda.sessions().session(id)->isOpen());
    QVERIFY(queued(m_aliceLaptop.sessions().say(id, QStringLiteral("still here"))));
    QTRY_COMPARE_WITH_TIMEOUT(sessionMessages(m_bobPda.client.get(), Alice, id).size(), 1, Timeout);
    // Away for longer: the session ends for Bob, saying whose device went.
    QSignalSpy ended(&m_bobPda.sessions(), &SessionManager::sessionEnded);
    m_aliceLaptop->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, Timeout);
    const Session s = ended.at(0).at(0).value<Session>();
    QCOMPARE(s.reason, EndReason::Gone);
    QCOMPARE(s.endedBy, Alice);
    m_aliceLaptop->connectToServer();
    waitOnline(m_aliceLaptop);
    QTRY_VERIFY_WITH_TIMEOUT(!m_aliceLaptop.sessions().session(id)->isOpen(), Timeout);
    QVERIFY(m_server.setSetting(QStringLiteral("session.graceSeconds"), QStringLiteral("120")));
}

void tst_Sessions::testTransferToAnOfflineDeviceChangesNothing()
{
    const qint64 id = startSession(QStringLiteral("offline target"));
    m_aliceTablet->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_aliceTablet->state(), ConnectionState::Disconnected, Timeout);
    Outcome moved;
    m_aliceLaptop.sessions().transfer(
        id, m_aliceTablet->deviceId(), HistoryChoice { HistoryChoice::Kind::All, 0 }, into(moved));
    QTRY_VERIFY_WITH_TIMEOUT(moved.done, Timeout);
    QCOMPARE(moved.error.code, ErrorCode::DeviceOffline);
    QVERIFY(m_aliceLaptop.sessions().isHere(id));
    // Nor to one of Bob's devices: for Alice it does not exist.
    moved = {};
    m_aliceLaptop.sessions().transfer(
        id, m_bobMobile->deviceId(), HistoryChoice { HistoryChoice::Kind::None, 0 }, into(moved));
    QTRY_VERIFY_WITH_TIMEOUT(moved.done, Timeout);
    QCOMPARE(moved.error.code, ErrorCode::NotFound);
    QVERIFY(m_aliceLaptop.sessions().isHere(id));
    m_aliceTablet->connectToServer();
    waitOnline(m_aliceTablet);
    endSession(m_aliceLaptop, id);
}

// Every state change is durable: a session active when the server is killed is still
// active afterwards, on the same devices.
void tst_Sessions::testActiveSessionSurvivesServerKill9()
{
    const qint64 id = startSession(QStringLiteral("durable"));
    m_server.kill();
    QVERIFY(m_server.restart());
    for (TestDevice* d : all()) {
        (*d)->setServerUrl(m_server.url());
        (*d)->connectToServer();
    }
    for (TestDevice* d : all()) {
        waitOnline(*d);
    }
    bool listed = false;
    m_bobMobile.sessions().refresh([&](const Error& e) {
        QVERIFY(e.isNull());
        listed = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(listed, Timeout);
    QCOMPARE(m_bobMobile.sessions().elsewhere().size(), 1);
    QCOMPARE(
        m_bobMobile.sessions().elsewhere().at(0).boundDevice->name, QStringLiteral("Bob's PDA"));
    QVERIFY(queued(m_bobPda.sessions().say(id, QStringLiteral("after the crash"))));
    QTRY_COMPARE_WITH_TIMEOUT(
        sessionMessages(m_aliceLaptop.client.get(), Bob, id).size(), 1, Timeout);
    endSession(m_aliceLaptop, id);
}

QTEST_GUILESS_MAIN(tst_Sessions)
#include "tst_sessions.moc"
