// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9's canary test (GST-2, GST-4, GST-5): a guest sign-in with `cpm-cli guest` on a
// "visited machine" — a sandbox directory that is the child's HOME, XDG directories, temp
// directory and guest parent — into an account whose messages, subjects, contact names,
// status and an unsent message carry random canaries. While the session runs, the guest
// shows them (decrypted through the app) and no file of the sandbox holds one in any
// encoding the scan knows; after sign-out none is left and the guest directory is gone,
// and the server forgot the device. The same after SIGKILL mid-session and the next start.
// A scan that cannot find a canary planted in a control file fails the test.
//
// The server's data and the user's own devices live outside the sandbox: they hold the
// text legitimately.

#include "canaryscan.h"
#include "client.h"
#include "failonwarning.h"
#include "must.h"
#include "testserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cpm;
using cpm::test::CanaryHit;
using cpm::test::CanaryScan;
using cpm::test::must;

namespace {

constexpr int Timeout = 20000;
const QString Password = QStringLiteral("guest wipe password");
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
constexpr int BodyCanaries = 60; // Alice → Bob
constexpr int SubjectCanaries = 30; // on the first of those
constexpr int SentCanaries = 10; // Bob → Alice, from his own device
constexpr int ContactCanaries = 10; // names of Bob's contacts
// + 1 status text, + 1 unsent message of the guest's: 112 canaries.

QString cliBinary()
{
    const QString fromEnv = qEnvironmentVariable("CPM_CLI_BINARY");
    return fromEnv.isEmpty() ? QStringLiteral(CPM_CLI_BINARY) : fromEnv;
}

//! The visited machine: one directory that is everything a process there may write to.
struct Sandbox {
    QTemporaryDir root;

    QString path(const QString& name) const { return root.filePath(name); }

    bool prepare() const
    {
        for (const char* name : { "home", "config", "data", "cache", "state", "runtime", "tmp" }) {
            if (!QDir().mkpath(path(QString::fromLatin1(name)))) {
                return false;
            }
        }
        // As a session's runtime directory is (Qt checks).
        return QFile::setPermissions(path(QStringLiteral("runtime")),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    //! The environment of a process on that machine; \a guestDir sets CPM_GUEST_DIR
    //! (otherwise the parent is $XDG_RUNTIME_DIR/cpm-guest).
    QProcessEnvironment environment(const QString& guestDir) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), path(QStringLiteral("home")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), path(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_STATE_HOME"), path(QStringLiteral("state")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), path(QStringLiteral("runtime")));
        env.insert(QStringLiteral("TMPDIR"), path(QStringLiteral("tmp")));
        env.remove(QStringLiteral("CPM_GUEST_DIR"));
        if (!guestDir.isEmpty()) {
            env.insert(QStringLiteral("CPM_GUEST_DIR"), guestDir);
        }
        env.insert(QStringLiteral("QT_LOGGING_RULES"),
            QStringLiteral("cpm.*.info=false;cpm.*.debug=false"));
        return env;
    }
};

//! `cpm-cli guest …` in the sandbox, driven line by line.
class Guest {
public:
    Guest(const QProcessEnvironment& env, const QStringList& arguments)
    {
        m_process.setProcessEnvironment(env);
        m_process.start(cliBinary(), arguments);
    }
    ~Guest()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    Q_DISABLE_COPY_MOVE(Guest)

    void write(const QByteArray& line) { m_process.write(line + '\n'); }
    //! The next whole line on stdout that contains \a marker, or {}.
    QJsonObject lineWith(const QByteArray& marker, int timeoutMs = Timeout)
    {
        auto complete = [&] {
            const qsizetype at = m_seen.indexOf(marker);
            return at >= 0 && m_seen.indexOf('\n', at) >= 0;
        };
        [[maybe_unused]] const bool ended = QTest::qWaitFor(
            [&] {
                m_seen += m_process.readAllStandardOutput();
                return complete() || m_process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        m_seen += m_process.readAllStandardOutput();
        if (!complete()) {
            return {};
        }
        const qsizetype at = m_seen.indexOf(marker);
        const qsizetype start = m_seen.lastIndexOf('\n', at) + 1;
        const qsizetype end = m_seen.indexOf('\n', at);
        const QByteArray line = m_seen.mid(start, end - start);
        m_seen.remove(0, end + 1);
        m_lastLine = line;
        return QJsonDocument::fromJson(line).object();
    }
    //! The answer to the shell command \a command (its whole line, as text).
    QByteArray answer(const QByteArray& command)
    {
        write(command);
        const QByteArray name = command.split(' ').constFirst();
        m_lastLine.clear();
        lineWith("\"command\":\"" + name + "\"");
        return m_lastLine;
    }
    int waitForExit()
    {
        if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(30000)) {
            return -2;
        }
        m_seen += m_process.readAllStandardOutput();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    QProcess& process() { return m_process; }
    QByteArray seen() { return m_seen + m_process.readAllStandardError(); }

private:
    QProcess m_process;
    QByteArray m_seen;
    QByteArray m_lastLine;
};

QJsonObject member(const QJsonObject& o, const char* name)
{
    return o.value(QLatin1StringView(name)).toObject();
}

} // namespace

class tst_GuestWipe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }
    void cleanup();

    void testTheScanFindsAPlantedCanary();
    void testSignOutLeavesNothingBehind();
    void testKilledGuestLeavesNothingReadable();

private:
    std::unique_ptr<Client> makeDevice(const QString& name, const QString& address);
    void waitForOutbox(Client* client);
    //! Every canary in the account (not the control's).
    QStringList allCanaries() const;
    QStringList guestArguments(const Sandbox& sandbox) const;
    QList<qint64> bobsDevices();
    //! The hits under \a roots, but for the control file; and the control's own hits.
    void scan(const QStringList& roots, QList<CanaryHit>* hits, QList<CanaryHit>* control);
    void plantControl(const Sandbox& sandbox);

    QTemporaryDir m_profiles; //!< the user's own devices: not the visited machine
    test::TestServer m_server;
    std::unique_ptr<Client> m_alice;
    std::unique_ptr<Client> m_bob;
    QStringList m_bodies, m_subjects, m_sent, m_contacts;
    QString m_status, m_draft, m_control;
    QString m_controlFile;
};

std::unique_ptr<Client> tst_GuestWipe::makeDevice(const QString& name, const QString& address)
{
    auto client = std::make_unique<Client>(m_profiles.filePath(name));
    if (!client->open()) {
        qWarning("cannot open %s", qPrintable(name));
        return nullptr;
    }
    client->setServerUrl(m_server.url());
    bool done = false;
    Error result;
    client->registerDevice(
        address, Password, name, QStringLiteral("laptop"), [&](const Error& error) {
            result = error;
            done = true;
        });
    if (!QTest::qWaitFor([&] { return done; }, Timeout) || !result.isNull()
        || !QTest::qWaitFor([&] { return client->state() == ConnectionState::Online; }, Timeout)) {
        qWarning("cannot register %s: %s", qPrintable(name), qPrintable(result.message));
        return nullptr;
    }
    return client;
}

void tst_GuestWipe::waitForOutbox(Client* client)
{
    QTRY_VERIFY_WITH_TIMEOUT(client->outboxSize().valueOr(-1) == 0, Timeout);
}

void tst_GuestWipe::initTestCase()
{
    QVERIFY(m_profiles.isValid());
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_alice = makeDevice(QStringLiteral("alice"), Alice);
    m_bob = makeDevice(QStringLiteral("bob"), Bob);
    QVERIFY(m_alice && m_bob);

    const QStringList canaries = CanaryScan::makeCanaries(
        BodyCanaries + SubjectCanaries + SentCanaries + ContactCanaries + 3);
    qsizetype next = 0;
    auto take = [&](int n) {
        const QStringList out = canaries.mid(next, n);
        next += n;
        return out;
    };
    m_bodies = take(BodyCanaries);
    m_subjects = take(SubjectCanaries);
    m_sent = take(SentCanaries);
    m_contacts = take(ContactCanaries);
    m_status = take(1).constFirst();
    m_draft = take(1).constFirst();
    m_control = take(1).constFirst();

    // Alice writes to Bob; Bob writes back from his own device.
    for (int i = 0; i < BodyCanaries; ++i) {
        const QString subject = i < SubjectCanaries ? QStringLiteral("re ") + m_subjects.at(i)
                                                    : QStringLiteral("note %1").arg(i);
        QVERIFY(!must(m_alice->send(Bob, subject,
                          QStringLiteral("Dear Bob, %1 as promised.").arg(m_bodies.at(i))))
                     .isEmpty());
    }
    for (const QString& canary : std::as_const(m_sent)) {
        QVERIFY(
            !must(m_bob->send(Alice, QString(), QStringLiteral("Bob says ") + canary)).isEmpty());
    }
    waitForOutbox(m_alice.get());
    waitForOutbox(m_bob.get());
    // Bob's contacts (their names are his own words) and his status text.
    int answered = 0;
    Error failed;
    auto count = [&](const Error& error) {
        ++answered;
        if (!error.isNull()) {
            failed = error;
        }
    };
    for (int i = 0; i < ContactCanaries; ++i) {
        m_bob->addContact(QStringLiteral("friend%1@cpm.example").arg(i), m_contacts.at(i), count);
    }
    m_bob->setStatus(QStringLiteral("custom"), m_status, count);
    QTRY_COMPARE_WITH_TIMEOUT(answered, ContactCanaries + 1, Timeout);
    QVERIFY2(failed.isNull(), qPrintable(failed.message));
    // Bob's own device has it all: the account is what the guest is to sync.
    QTRY_COMPARE_WITH_TIMEOUT(
        must(m_bob->messages(Alice, 1000)).size(), BodyCanaries + SentCanaries, Timeout);
}

void tst_GuestWipe::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
}

QStringList tst_GuestWipe::allCanaries() const
{
    return m_bodies + m_subjects + m_sent + m_contacts + QStringList { m_status, m_draft };
}

QStringList tst_GuestWipe::guestArguments(const Sandbox& sandbox) const
{
    // The password file is the person's to bring (a USB stick, say): outside the sandbox.
    const QString file = m_profiles.filePath(QStringLiteral("bob.pw"));
    QFile pw(file);
    if (!pw.open(QIODevice::WriteOnly) || pw.write(Password.toUtf8() + '\n') <= 0) {
        qWarning("cannot write %s", qPrintable(file));
    }
    Q_UNUSED(sandbox);
    return { QStringLiteral("guest"), QStringLiteral("--server"), m_server.url().toString(),
        QStringLiteral("--address"), Bob, QStringLiteral("--password-file"), file,
        QStringLiteral("--name"), QStringLiteral("Bob at a friend's") };
}

QList<qint64> tst_GuestWipe::bobsDevices()
{
    bool done = false;
    m_bob->refreshDevices([&](const Error&) { done = true; });
    if (!QTest::qWaitFor([&] { return done; }, Timeout)) {
        qWarning("no answer to devices.list");
    }
    QList<qint64> ids;
    for (const Device& d : m_bob->devices().valueOr({})) {
        ids.append(d.id);
    }
    return ids;
}

void tst_GuestWipe::plantControl(const Sandbox& sandbox)
{
    QDir().mkpath(sandbox.path(QStringLiteral("home/control")));
    m_controlFile = sandbox.path(QStringLiteral("home/control/planted.bin"));
    QVERIFY(CanaryScan::writeControlFile(m_controlFile, m_control));
}

void tst_GuestWipe::scan(
    const QStringList& roots, QList<CanaryHit>* hits, QList<CanaryHit>* control)
{
    // The canaries, and the addresses of the guest and of the person written with (GST-4).
    CanaryScan scanner(allCanaries() + QStringList { m_control, Alice, Bob });
    hits->clear();
    control->clear();
    const QString controlPath = QFileInfo(m_controlFile).absoluteFilePath();
    for (const CanaryHit& hit : scanner.scan(roots)) {
        (hit.file == controlPath ? control : hits)->append(hit);
    }
    // The control: found in every encoding the scan knows, or the scan proves nothing.
    QSet<QString> found;
    for (const CanaryHit& hit : std::as_const(*control)) {
        QVERIFY2(hit.canary == m_control, qPrintable(hit.toString()));
        found.insert(hit.encoding);
    }
    for (const test::CanaryEncoding& e : CanaryScan::encodings(m_control)) {
        QVERIFY2(found.contains(e.name),
            qPrintable(QStringLiteral("the scan misses the control canary as %1").arg(e.name)));
    }
    QVERIFY(scanner.filesScanned() > 0);
    qInfo("scanned %d files for %d canaries", scanner.filesScanned(), int(allCanaries().size()));
}

void tst_GuestWipe::testTheScanFindsAPlantedCanary()
{
    // The scanner itself: each encoding, in a file deep in a hidden directory, and a file
    // without any canary gives nothing.
    Sandbox sandbox;
    QVERIFY(sandbox.prepare());
    plantControl(sandbox);
    QFile clean(sandbox.path(QStringLiteral("cache/clean.txt")));
    QVERIFY(clean.open(QIODevice::WriteOnly));
    clean.write("nothing to see here\n");
    clean.close();
    QList<CanaryHit> hits;
    QList<CanaryHit> control;
    scan({ sandbox.root.path() }, &hits, &control);
    QVERIFY2(hits.isEmpty(), qPrintable(CanaryScan::describe(hits)));
    QVERIFY(!control.isEmpty());
    // One of the account's canaries in UTF-16 in a hidden file is found too.
    QDir().mkpath(sandbox.path(QStringLiteral("data/.hidden")));
    QFile leak(sandbox.path(QStringLiteral("data/.hidden/leak")));
    QVERIFY(leak.open(QIODevice::WriteOnly));
    const QString canary = m_contacts.constFirst();
    leak.write(reinterpret_cast<const char*>(canary.utf16()), canary.size() * 2);
    leak.close();
    scan({ sandbox.root.path() }, &hits, &control);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.constFirst().canary, canary);
    QCOMPARE(hits.constFirst().encoding, QStringLiteral("utf-16le"));
}

void tst_GuestWipe::testSignOutLeavesNothingBehind()
{
    Sandbox sandbox;
    QVERIFY(sandbox.prepare());
    const QString parent = sandbox.path(QStringLiteral("runtime/guests"));
    Guest guest(sandbox.environment(parent), guestArguments(sandbox));
    const QJsonObject signedIn = member(guest.lineWith("\"command\":\"guest\""), "result");
    const qint64 guestId = qint64(signedIn.value(QLatin1StringView("deviceId")).toDouble());
    QVERIFY2(guestId > 0, guest.seen().constData());
    QVERIFY(bobsDevices().contains(guestId));

    // The data is there, decrypted through the app (GST-2).
    const QByteArray messages = guest.answer("messages --with alice@cpm.example --limit 1000");
    for (const QString& canary : m_bodies + m_subjects + m_sent) {
        QVERIFY2(messages.contains(canary.toUtf8()), qPrintable(canary));
    }
    const QByteArray contacts = guest.answer("contacts");
    for (const QString& canary : std::as_const(m_contacts)) {
        QVERIFY2(contacts.contains(canary.toUtf8()), contacts.constData());
    }
    QVERIFY2(guest.answer("status").contains(m_status.toUtf8()), guest.seen().constData());
    // A clean-up from the guest reaches the user's own device (GST-3).
    const QJsonArray list = member(QJsonDocument::fromJson(messages).object(), "result")
                                .value(QLatin1StringView("messages"))
                                .toArray();
    QCOMPARE(list.size(), BodyCanaries + SentCanaries);
    qint64 doomed = 0; // one of Bob's own, so the other scenario still finds Alice's
    for (const QJsonValue& v : list) {
        if (v.toObject().value(QLatin1StringView("body")).toString().contains(m_sent.constLast())) {
            doomed = qint64(v.toObject().value(QLatin1StringView("id")).toDouble());
        }
    }
    QVERIFY(doomed > 0);
    const QByteArray deleted
        = guest.answer(QByteArrayLiteral("delete ") + QByteArray::number(doomed) + " --everywhere");
    QVERIFY2(deleted.contains("\"result\""), deleted.constData());
    QTRY_VERIFY_WITH_TIMEOUT(!must(m_bob->message(doomed)).has_value(), Timeout);
    const QByteArray diagnostics = guest.answer("diagnostics");
    const QString dir = member(QJsonDocument::fromJson(diagnostics).object(), "result")
                            .value(QLatin1StringView("profileDir"))
                            .toString();
    QVERIFY2(QFileInfo(dir).absolutePath() == QFileInfo(parent).absoluteFilePath(),
        diagnostics.constData());
    QVERIFY(QFileInfo(dir).isDir());

    // A draft: the server is away, so the message waits in the guest's outbox.
    const QUrl url = m_server.url();
    m_server.stop();
    const QByteArray queued = guest.answer(
        QByteArrayLiteral("send --to alice@cpm.example --subject draft ") + m_draft.toUtf8());
    QVERIFY2(queued.contains("\"pending\""), queued.constData());
    QVERIFY2(
        guest.answer("messages --with alice@cpm.example --limit 1000").contains(m_draft.toUtf8()),
        guest.seen().constData());

    // While the session runs: nothing of it readable on the machine.
    plantControl(sandbox);
    QList<CanaryHit> hits;
    QList<CanaryHit> control;
    scan({ sandbox.root.path() }, &hits, &control);
    QVERIFY2(hits.isEmpty(), qPrintable(CanaryScan::describe(hits)));

    // The server comes back where it was; the guest reconnects and sends its draft.
    m_server.setExtraArguments(
        { QStringLiteral("--port"), QString::number(url.port()) }); // the last --port wins
    QVERIFY(m_server.start());
    m_server.setExtraArguments({});
    QCOMPARE(m_server.url(), url);
    QVERIFY2(
        !guest.lineWith("\"event\":\"messageSent\"", 30000).isEmpty(), guest.seen().constData());

    const QByteArray signedOut = guest.answer("sign-out");
    const QJsonObject result = member(QJsonDocument::fromJson(signedOut).object(), "result");
    QVERIFY2(result.value(QLatin1StringView("serverConfirmed")).toBool(), signedOut.constData());
    QCOMPARE(guest.waitForExit(), 0);

    // After sign-out: the guest directory is gone and nothing of the session is left.
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY2(QDir(parent).isEmpty(), qPrintable(parent));
    scan({ sandbox.root.path() }, &hits, &control);
    QVERIFY2(hits.isEmpty(), qPrintable(CanaryScan::describe(hits)));
    // The server forgot the device: Bob's own device no longer lists it.
    m_bob->setServerUrl(m_server.url());
    QTRY_COMPARE_WITH_TIMEOUT(m_bob->state(), ConnectionState::Online, 30000);
    QVERIFY(!bobsDevices().contains(guestId));
    // The draft reached Alice before the sign-out.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Message& m : m_alice->messages(Bob, 1000).valueOr({})) {
                if (m.body.contains(m_draft)) {
                    return true;
                }
            }
            return false;
        }(),
        30000);
}

void tst_GuestWipe::testKilledGuestLeavesNothingReadable()
{
    Sandbox sandbox;
    QVERIFY(sandbox.prepare());
    // No CPM_GUEST_DIR: the documented parent, $XDG_RUNTIME_DIR/cpm-guest.
    const QString parent = sandbox.path(QStringLiteral("runtime/cpm-guest"));
    const QProcessEnvironment env = sandbox.environment(QString());
    Guest guest(env, guestArguments(sandbox));
    const QJsonObject signedIn = member(guest.lineWith("\"command\":\"guest\""), "result");
    const qint64 guestId = qint64(signedIn.value(QLatin1StringView("deviceId")).toDouble());
    QVERIFY2(guestId > 0, guest.seen().constData());
    const QByteArray messages = guest.answer("messages --with alice@cpm.example --limit 1000");
    for (const QString& canary : std::as_const(m_bodies)) {
        QVERIFY2(messages.contains(canary.toUtf8()), qPrintable(canary));
    }
    const QString dir
        = member(QJsonDocument::fromJson(guest.answer("diagnostics")).object(), "result")
              .value(QLatin1StringView("profileDir"))
              .toString();
    QVERIFY2(
        QFileInfo(dir).absolutePath() == QFileInfo(parent).absoluteFilePath(), qPrintable(dir));

    // A crash mid-session: no code of the guest's runs.
    guest.process().kill();
    QCOMPARE(guest.waitForExit(), -1);
    QVERIFY(QFileInfo(dir).isDir()); // the orphan, for the next start to remove
    plantControl(sandbox);
    QList<CanaryHit> hits;
    QList<CanaryHit> control;
    scan({ sandbox.root.path() }, &hits, &control);
    QVERIFY2(hits.isEmpty(), qPrintable(CanaryScan::describe(hits)));

    // The next start of cpm-cli on that machine, whatever it runs, removes the orphan.
    QProcess next;
    next.setProcessEnvironment(env);
    next.start(cliBinary(), { QStringLiteral("--version") });
    QVERIFY(next.waitForFinished(30000));
    QCOMPARE(next.exitCode(), 0);
    QVERIFY2(next.readAllStandardError().contains(QFile::encodeName(dir)), qPrintable(dir));
    QVERIFY(!QFileInfo::exists(dir));
    scan({ sandbox.root.path() }, &hits, &control);
    QVERIFY2(hits.isEmpty(), qPrintable(CanaryScan::describe(hits)));

    // The device itself lives on at the server until guest.idleSeconds pass (it expires by
    // itself); the user may end it now from his own device.
    QVERIFY(bobsDevices().contains(guestId));
    bool done = false;
    Error result;
    m_bob->signOutDevice(guestId, [&](const Error& error) {
        result = error;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY2(result.isNull(), qPrintable(result.message));
    QVERIFY(!bobsDevices().contains(guestId));
}

QTEST_GUILESS_MAIN(tst_GuestWipe)
#include "tst_guestwipe.moc"
