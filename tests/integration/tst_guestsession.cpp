// SPDX-License-Identifier: GPL-3.0-or-later
// Seed 003 §6.1.14 through the client core, end to end: a real cpm-server on a free
// loopback port; Bob, away from his devices, signs in as a guest on Alice's laptop, reads
// and cleans up his mailbox, signs out; Alice then signs in there and finds only her own
// environment. Also the ways a guest session ends (its own sign-out online and offline,
// a sign-out from Bob's phone, the end of its lifetime) and the vault's orphan cleanup.

#include "client.h"
#include "failonwarning.h"
#include "guestvault.h"
#include "must.h"
#include "protocol.h"
#include "testserver.h"

#include <QDirIterator>
#include <QFile>
#include <QLockFile>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <sys/stat.h>
#include <utime.h>

using namespace cpm;
using cpm::test::must;

namespace {

constexpr int Timeout = 15000;
const QString Password = QStringLiteral("correct horse battery staple");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
const QString Carol = QStringLiteral("carol@cpm.example");

std::optional<Message> findBySubject(Client* client, const QString& peer, const QString& subject)
{
    for (const Message& m : must(client->messages(peer, 5000))) {
        if (m.subject == subject) {
            return m;
        }
    }
    return std::nullopt;
}

bool hasDevice(Client* client, qint64 id)
{
    for (const Device& d : must(client->devices())) {
        if (d.id == id) {
            return true;
        }
    }
    return false;
}

//! Every file under \a dir, with its bytes.
QMap<QString, QByteArray> snapshot(const QString& dir)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly)) {
            files.insert(file.fileName(), file.readAll());
        }
    }
    return files;
}

} // namespace

class tst_GuestSession : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }
    void cleanupTestCase();

    void testVaultIsPrivateAndOnlyOrphansAreRemoved();
    void testGuestSyncsTheEnvironmentAndKeepsNothingReadable();
    void testMailboxCleanupReachesTheOtherDevices();
    void testSignOutWipesAtOnceAndTheServerForgetsTheDevice();
    void testOfflineSignOutWipesAtOnceAndTellsTheServerLater();
    void testSignOutFromAnotherDeviceWipesTheGuest();
    void testEndOfLifetimeWipesTheGuest();
    void testNewestConversationIsReadableBeforeTheSyncEnds();
    void testOwnerSignsInAfterwardsAndFindsOnlyHerOwn();

private:
    std::unique_ptr<Client> makeDevice(const QString& name);
    void registerDevice(std::unique_ptr<Client>& client, const QString& address,
        const QString& name, const QString& kind);
    //! A guest client of Bob's, signed in and synced.
    std::unique_ptr<Client> signInGuest(const QString& name);
    void sendAndWait(Client* from, const QString& to, const QString& subject, const QString& body);

    QTemporaryDir m_profiles;
    QTemporaryDir m_guestParent;
    test::TestServer m_server;
    std::unique_ptr<Client> m_aliceLaptop;
    std::unique_ptr<Client> m_bobPhone;
    std::unique_ptr<Client> m_carol;
};

std::unique_ptr<Client> tst_GuestSession::makeDevice(const QString& name)
{
    auto client = std::make_unique<Client>(m_profiles.filePath(name));
    [&] { QVERIFY(must(client->open())); }();
    client->setServerUrl(m_server.url());
    return client;
}

void tst_GuestSession::registerDevice(std::unique_ptr<Client>& client, const QString& address,
    const QString& name, const QString& kind)
{
    client = makeDevice(name);
    bool done = false;
    Error result;
    client->registerDevice(address, Password, name, kind, [&](const Error& error) {
        result = error;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.name() + QLatin1Char(' ') + result.message));
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Online, Timeout);
}

std::unique_ptr<Client> tst_GuestSession::signInGuest(const QString& name)
{
    std::unique_ptr<Client> guest = Client::createGuest();
    [&] {
        QVERIFY(guest->isGuest());
        QVERIFY(must(guest->open()));
        guest->setServerUrl(m_server.url());
        bool done = false;
        Error result;
        guest->registerDevice(Bob, Password, name, QStringLiteral("laptop"), [&](const Error& e) {
            result = e;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
        QVERIFY2(result.isNull(), qPrintable(result.name() + QLatin1Char(' ') + result.message));
        QTRY_COMPARE_WITH_TIMEOUT(guest->state(), ConnectionState::Online, Timeout);
    }();
    return guest;
}

void tst_GuestSession::sendAndWait(
    Client* from, const QString& to, const QString& subject, const QString& body)
{
    QSignalSpy sent(from, &Client::messageSent);
    QVERIFY(must(from->send(to, subject, body)).size() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
}

void tst_GuestSession::initTestCase()
{
    QVERIFY(m_profiles.isValid());
    QVERIFY(m_guestParent.isValid());
    qputenv(GuestVault::ParentVariable, m_guestParent.path().toUtf8());
    QVERIFY(m_server.start());
    for (const QString& user : { Alice, Bob, Carol }) {
        QVERIFY(m_server.addUser(user, Password));
    }
    registerDevice(
        m_aliceLaptop, Alice, QStringLiteral("Alice's laptop"), QStringLiteral("laptop"));
    registerDevice(m_bobPhone, Bob, QStringLiteral("Bob's phone"), QStringLiteral("mobile"));
    registerDevice(m_carol, Carol, QStringLiteral("Carol's desktop"), QStringLiteral("desktop"));

    // Bob's messaging environment before the dinner: messages from Carol (the co-worker)
    // and Alice, a contact, a status.
    for (int i = 0; i < 5; ++i) {
        sendAndWait(m_carol.get(), Bob, QStringLiteral("Report %1").arg(i),
            QStringLiteral("The numbers for week %1").arg(i));
    }
    sendAndWait(m_aliceLaptop.get(), Bob, QStringLiteral("Dinner"), QStringLiteral("At eight?"));
    bool done = false;
    m_bobPhone->addContact(Carol, QStringLiteral("Carol from work"), [&](const Error& e) {
        QVERIFY(e.isNull());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    done = false;
    m_bobPhone->setStatus(
        QStringLiteral("away"), QStringLiteral("Dinner at Alice's"), [&](const Error& e) {
            QVERIFY(e.isNull());
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
}

void tst_GuestSession::cleanupTestCase()
{
    m_aliceLaptop.reset();
    m_bobPhone.reset();
    m_carol.reset();
    m_server.stop();
}

void tst_GuestSession::testVaultIsPrivateAndOnlyOrphansAreRemoved()
{
    QCOMPARE(GuestVault::parentDir(), QDir(m_guestParent.path()).absolutePath());
    auto live = must(GuestVault::create());
    QVERIFY(live);
    const QString liveDir = live->dir();
    QVERIFY(liveDir.startsWith(m_guestParent.path()));
    for (const QString& dir : { liveDir, m_guestParent.path() }) {
        const QFile::Permissions p = QFile::permissions(dir);
        QVERIFY(p.testFlags(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QVERIFY2(!(p
                     & (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther
                         | QFile::WriteOther | QFile::ExeOther)),
            qPrintable(dir));
    }

    // A crash: the lock file names a process that no longer runs.
    const QString crashed = QDir(m_guestParent.path()).filePath(QStringLiteral("guest-dead"));
    QVERIFY(QDir().mkpath(crashed));
    {
        QFile lock(QDir(crashed).filePath(QString::fromLatin1(GuestVault::LockFileName)));
        QVERIFY(lock.open(QIODevice::WriteOnly));
        // QLockFile's format: pid, application, host. Pid 2^22+1 is above pid_max's default.
        lock.write(QByteArray::number((1 << 22) + 1) + "\ncpm-cli\n"
            + QSysInfo::machineHostName().toUtf8() + '\n');
    }
    QFile leftover(QDir(crashed).filePath(QStringLiteral("blob")));
    QVERIFY(leftover.open(QIODevice::WriteOnly));
    leftover.write("sealed bytes");
    leftover.close();
    // Power lost between making a directory and locking it: an old directory, no lock.
    const QString unlocked = QDir(m_guestParent.path()).filePath(QStringLiteral("guest-nolock"));
    QVERIFY(QDir().mkpath(unlocked));
    const QByteArray unlockedPath = QFile::encodeName(unlocked);
    const struct utimbuf old {
        1000000000, 1000000000
    };
    QCOMPARE(::utime(unlockedPath.constData(), &old), 0);
    // Not a guest directory at all: never touched.
    const QString other = QDir(m_guestParent.path()).filePath(QStringLiteral("something-else"));
    QVERIFY(QDir().mkpath(other));

    const QStringList removed = GuestVault::removeOrphans();
    QCOMPARE(removed.size(), 2);
    QVERIFY(!QFileInfo::exists(crashed));
    QVERIFY(!QFileInfo::exists(unlocked));
    QVERIFY(QFileInfo::exists(liveDir)); // a live session's directory stays
    QVERIFY(QFileInfo::exists(other));
    QDir(other).removeRecursively();

    live->wipe();
    QVERIFY(!QFileInfo::exists(liveDir));
    QVERIFY(live->dir().isEmpty());
    live->wipe(); // idempotent
}

void tst_GuestSession::testGuestSyncsTheEnvironmentAndKeepsNothingReadable()
{
    // Steps 3–6: Bob logs into his messaging environment on Alice's laptop.
    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Alice's laptop (Bob)"));
    const QString dir = guest->profileDir();
    QVERIFY(dir.startsWith(m_guestParent.path()));
    QVERIFY(QFileInfo(dir).isDir());
    const Diagnostics diag = guest->diagnostics();
    QVERIFY(diag.guest);
    QCOMPARE(diag.keyStorage, QStringLiteral("memory"));
    QCOMPARE(diag.address, Bob);

    // Step 6: he reads the messages he got lately; his contacts and status are there.
    QTRY_VERIFY_WITH_TIMEOUT(
        findBySubject(guest.get(), Carol, QStringLiteral("Report 4")), Timeout);
    const std::optional<Message> report
        = findBySubject(guest.get(), Carol, QStringLiteral("Report 4"));
    QCOMPARE(report->body, QStringLiteral("The numbers for week 4"));
    QVERIFY(findBySubject(guest.get(), Alice, QStringLiteral("Dinner")));
    QTRY_VERIFY_WITH_TIMEOUT(!must(guest->contacts()).isEmpty(), Timeout);
    QCOMPARE(must(guest->contacts()).constFirst().name, QStringLiteral("Carol from work"));
    QCOMPARE(must(guest->status()).text, QStringLiteral("Dinner at Alice's"));

    // His phone lists the visited laptop as a guest device with its end of life.
    const qint64 guestId = guest->deviceId();
    QTRY_VERIFY_WITH_TIMEOUT(hasDevice(m_bobPhone.get(), guestId), Timeout);
    for (const Device& d : must(m_bobPhone->devices())) {
        if (d.id == guestId) {
            QVERIFY(d.guest);
            QVERIFY(d.expires > QDateTime::currentMSecsSinceEpoch());
        }
    }

    // Nothing of it reaches a file: the vault holds the lock file only, no database, no
    // settings; the text is in no file under the parent.
    const QMap<QString, QByteArray> files = snapshot(m_guestParent.path());
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        QVERIFY2(QFileInfo(it.key()).fileName() == QLatin1StringView(GuestVault::LockFileName),
            qPrintable(it.key()));
        for (const char* text : { "The numbers for week", "Carol from work", "Dinner at Alice",
                 "bob@cpm.example", "Report 4" }) {
            QVERIFY2(!it.value().contains(text), qPrintable(it.key()));
        }
    }

    bool told = false;
    guest->signOut([&](const Error& e) {
        QVERIFY(e.isNull());
        told = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(told, Timeout);
}

void tst_GuestSession::testMailboxCleanupReachesTheOtherDevices()
{
    // Step 7: a little mailbox clean-up from the visited laptop (GST-3).
    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Alice's laptop (Bob)"));
    QTRY_VERIFY_WITH_TIMEOUT(
        findBySubject(guest.get(), Carol, QStringLiteral("Report 0")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        findBySubject(m_bobPhone.get(), Carol, QStringLiteral("Report 0")), Timeout);
    for (const QString& subject : { QStringLiteral("Report 0"), QStringLiteral("Report 1") }) {
        const std::optional<Message> m = findBySubject(guest.get(), Carol, subject);
        QVERIFY(m);
        bool done = false;
        guest->deleteEverywhere(m->id, [&](const Error& e) {
            QVERIFY2(e.isNull(), qPrintable(e.message));
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
        QVERIFY(!findBySubject(guest.get(), Carol, subject));
        // Gone from his phone too, and from the network: the next guest never sees it.
        QTRY_VERIFY_WITH_TIMEOUT(!findBySubject(m_bobPhone.get(), Carol, subject), Timeout);
    }
    // He also answers the co-worker from there.
    sendAndWait(guest.get(), Carol, QStringLiteral("Re: Report 4"), QStringLiteral("Thanks!"));
    QTRY_VERIFY_WITH_TIMEOUT(
        findBySubject(m_carol.get(), Bob, QStringLiteral("Re: Report 4")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        findBySubject(m_bobPhone.get(), Carol, QStringLiteral("Re: Report 4")), Timeout);

    bool told = false;
    guest->signOut([&](const Error&) { told = true; });
    QTRY_VERIFY_WITH_TIMEOUT(told, Timeout);
}

void tst_GuestSession::testSignOutWipesAtOnceAndTheServerForgetsTheDevice()
{
    // Step 8: Bob logs out; his environment is removed from Alice's laptop.
    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Alice's laptop (Bob)"));
    const qint64 guestId = guest->deviceId();
    const QString dir = guest->profileDir();
    QTRY_VERIFY_WITH_TIMEOUT(hasDevice(m_bobPhone.get(), guestId), Timeout);

    QSignalSpy signedOut(guest.get(), &Client::signedOut);
    bool told = false;
    Error result;
    guest->signOut([&](const Error& e) {
        result = e;
        told = true;
    });
    // Local first and at once, not after the network answered.
    QCOMPARE(signedOut.size(), 1);
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY(!guest->isOpen());
    QVERIFY(guest->address().isEmpty());
    QVERIFY(!guest->hasAccount());
    QVERIFY(guest->profileDir().isEmpty());
    QVERIFY(!guest->conversations()); // no store any more: an error, not an empty list
    QVERIFY(QDir(m_guestParent.path())
                .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                .isEmpty());

    QTRY_VERIFY_WITH_TIMEOUT(told, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.message));
    // The server forgot the device: gone from Bob's phone's list.
    QTRY_VERIFY_WITH_TIMEOUT(!hasDevice(m_bobPhone.get(), guestId), 2000);
    QCOMPARE(signedOut.size(), 1);
}

void tst_GuestSession::testOfflineSignOutWipesAtOnceAndTellsTheServerLater()
{
    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Alice's laptop, offline"));
    const qint64 guestId = guest->deviceId();
    const QString dir = guest->profileDir();
    QTRY_VERIFY_WITH_TIMEOUT(hasDevice(m_bobPhone.get(), guestId), Timeout);

    // The network goes away (the server with it), keeping its port for the comeback.
    const int port = m_server.url().port();
    m_server.stop();
    QTRY_VERIFY_WITH_TIMEOUT(guest->state() != ConnectionState::Online, Timeout);

    bool told = false;
    guest->signOut([&](const Error& e) {
        QVERIFY(e.isNull());
        told = true;
    });
    QVERIFY(!QFileInfo::exists(dir)); // wiped at once, offline as online
    QVERIFY(!guest->isOpen());
    QTest::qWait(300);
    QVERIFY(!told);

    m_server.setExtraArguments({ QStringLiteral("--port"), QString::number(port) });
    QVERIFY(m_server.start());
    m_server.setExtraArguments({});
    QCOMPARE(m_server.url().port(), port);
    // The next attempt of its backoff reaches the server and ends the device there.
    QTRY_VERIFY_WITH_TIMEOUT(told, 40000);
    for (Client* c : { m_aliceLaptop.get(), m_bobPhone.get(), m_carol.get() }) {
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), ConnectionState::Online, 40000);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!hasDevice(m_bobPhone.get(), guestId), Timeout);
}

void tst_GuestSession::testSignOutFromAnotherDeviceWipesTheGuest()
{
    // GST-5: Bob forgot to sign out at Alice's; he ends it from his phone on the way home.
    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Forgotten at Alice's"));
    const qint64 guestId = guest->deviceId();
    const QString dir = guest->profileDir();
    QTRY_VERIFY_WITH_TIMEOUT(hasDevice(m_bobPhone.get(), guestId), Timeout);
    QSignalSpy signedOut(guest.get(), &Client::signedOut);
    QElapsedTimer clock;
    clock.start();
    m_bobPhone->signOutDevice(guestId, [](const Error& e) { QVERIFY(e.isNull()); });
    QTRY_COMPARE_WITH_TIMEOUT(signedOut.size(), 1, Timeout);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY(!guest->isOpen());
    QTRY_VERIFY_WITH_TIMEOUT(!hasDevice(m_bobPhone.get(), guestId), Timeout);
}

void tst_GuestSession::testEndOfLifetimeWipesTheGuest()
{
    QVERIFY(m_server.setSetting(QStringLiteral("guest.lifetimeSeconds"), QStringLiteral("2")));
    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Short visit"));
    QVERIFY(m_server.setSetting(QStringLiteral("guest.lifetimeSeconds"), QStringLiteral("43200")));
    const qint64 guestId = guest->deviceId();
    const QString dir = guest->profileDir();
    QSignalSpy signedOut(guest.get(), &Client::signedOut);
    QTRY_COMPARE_WITH_TIMEOUT(signedOut.size(), 1, 5000);
    QVERIFY(!QFileInfo::exists(dir));
    QTRY_VERIFY_WITH_TIMEOUT(!hasDevice(m_bobPhone.get(), guestId), Timeout);
}

void tst_GuestSession::testNewestConversationIsReadableBeforeTheSyncEnds()
{
    // GST-2: more than a sync batch of older mail, then the newest message.
    constexpr int Older = protocol::limits::SyncBatch + 100;
    QSignalSpy sent(m_carol.get(), &Client::messageSent);
    for (int i = 0; i < Older; ++i) {
        QVERIFY(must(m_carol->send(Bob, QString(), QStringLiteral("Older %1").arg(i))).size() > 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), Older, 60000);
    sendAndWait(
        m_aliceLaptop.get(), Bob, QStringLiteral("Newest"), QStringLiteral("Read me first"));

    std::unique_ptr<Client> guest = Client::createGuest();
    QVERIFY(must(guest->open()));
    guest->setServerUrl(m_server.url());
    qint64 positionWhenReadable = -1;
    connect(guest.get(), &Client::messageAdded, guest.get(), [&](qint64, const QString& peer) {
        if (positionWhenReadable < 0 && peer == Alice
            && findBySubject(guest.get(), Alice, QStringLiteral("Newest"))) {
            positionWhenReadable = guest->syncPosition();
        }
    });
    guest->registerDevice(Bob, Password, QStringLiteral("Quick look"), QStringLiteral("laptop"));
    QTRY_COMPARE_WITH_TIMEOUT(guest->state(), ConnectionState::Online, Timeout);
    // Readable while most of the stream was still to come, and everything is there after.
    QVERIFY(positionWhenReadable >= 0);
    const qint64 head = guest->serverHead();
    QVERIFY2(head - positionWhenReadable > Older / 2,
        qPrintable(QStringLiteral("%1 of %2").arg(positionWhenReadable).arg(head)));
    QCOMPARE(findBySubject(guest.get(), Alice, QStringLiteral("Newest"))->body,
        QStringLiteral("Read me first"));
    QVERIFY(must(guest->messages(Carol, Older + 100)).size() >= Older);
    bool told = false;
    guest->signOut([&](const Error&) { told = true; });
    QTRY_VERIFY_WITH_TIMEOUT(told, Timeout);
}

void tst_GuestSession::testOwnerSignsInAfterwardsAndFindsOnlyHerOwn()
{
    // Alice's laptop: her app is closed while Bob uses the machine.
    const QString aliceProfile = m_aliceLaptop->profileDir();
    m_aliceLaptop.reset();
    const QMap<QString, QByteArray> before = snapshot(aliceProfile);
    QVERIFY(!before.isEmpty());

    std::unique_ptr<Client> guest = signInGuest(QStringLiteral("Alice's laptop (Bob)"));
    QVERIFY(!guest->profileDir().startsWith(aliceProfile));
    QTRY_VERIFY_WITH_TIMEOUT(
        findBySubject(guest.get(), Carol, QStringLiteral("Report 4")), Timeout);
    sendAndWait(guest.get(), Carol, QStringLiteral("From the visited laptop"),
        QStringLiteral("Written on Alice's machine"));
    bool told = false;
    guest->signOut([&](const Error&) { told = true; });
    QTRY_VERIFY_WITH_TIMEOUT(told, Timeout);
    guest.reset();

    // GST-6: the guest session did not touch her profile.
    QCOMPARE(snapshot(aliceProfile), before);

    // Steps 9–11: she signs in and her laptop syncs her environment: hers only.
    m_aliceLaptop = std::make_unique<Client>(aliceProfile);
    QVERIFY(must(m_aliceLaptop->open()));
    m_aliceLaptop->setServerUrl(m_server.url());
    m_aliceLaptop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_aliceLaptop->state(), ConnectionState::Online, Timeout);
    QCOMPARE(m_aliceLaptop->address(), Alice);
    QVERIFY(findBySubject(m_aliceLaptop.get(), Bob, QStringLiteral("Dinner")));
    for (const Conversation& c : must(m_aliceLaptop->conversations())) {
        QCOMPARE(c.peerAddress, Bob); // she only ever wrote to Bob; nothing of Carol's
    }
    QVERIFY(must(m_aliceLaptop->messages(Carol, 100)).isEmpty());
    const QMap<QString, QByteArray> after = snapshot(aliceProfile);
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        for (const char* text : { "The numbers for week", "Carol from work",
                 "Written on Alice's machine", "carol@cpm.example" }) {
            QVERIFY2(!it.value().contains(text), qPrintable(it.key()));
        }
    }
    QVERIFY(QDir(m_guestParent.path())
                .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                .isEmpty());
}

QTEST_GUILESS_MAIN(tst_GuestSession)
#include "tst_guestsession.moc"
