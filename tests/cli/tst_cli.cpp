// SPDX-License-Identifier: GPL-3.0-or-later
// cpm-cli as a script uses it (docs/cli.md), against a real cpm-server: one JSON answer and
// a documented exit status per command; a command that connects leaves nothing waiting in
// the outbox; `send` queues when the server is down; a second process on one profile is
// refused at once; refusals carry their own codes; the client's own storage going
// wrong (damaged, read-only, full) is said plainly, never a crash; and chat sessions
// (invite, answer, say, move) work across processes, devices and users.

#include "failonwarning.h"
#include "freeport.h"
#include "privatemount.h"
#include "testserver.h"
#include "writelock.h"
#include "wsclient.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm::test;

namespace {
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");

QString cliBinary()
{
    const QString fromEnv = qEnvironmentVariable("CPM_CLI_BINARY");
    return fromEnv.isEmpty() ? QStringLiteral(CPM_CLI_BINARY) : fromEnv;
}

struct Run {
    int exitCode = -1;
    QJsonObject answer; //!< the last JSON line on stdout
    QByteArray out;
    QByteArray err;
    qint64 ms = 0;

    QString errorCode() const
    {
        return answer.value(QLatin1StringView("error"))
            .toObject()
            .value(QLatin1StringView("code"))
            .toString();
    }
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out).left(400), QString::fromUtf8(err).left(400));
    }
};

//! How much the client logs on stderr: only warnings, or what a person running it sees.
enum class Logging { Quiet, AsShipped };

Run run(const QString& program, const QStringList& args, const QByteArray& input = {},
    Logging logging = Logging::Quiet)
{
    Run r;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"),
        logging == Logging::Quiet ? QStringLiteral("cpm.*.info=false;cpm.*.debug=false")
                                  : QStringLiteral("cpm.*.debug=false"));
    p.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    p.start(program, args);
    if (!input.isNull()) {
        p.write(input);
    }
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
    }
    r.ms = timer.elapsed();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    r.answer = QJsonDocument::fromJson(lines.constLast()).object();
    return r;
}

Run cli(const QString& profile, const QStringList& args, const QByteArray& input = {},
    Logging logging = Logging::Quiet)
{
    return run(
        cliBinary(), QStringList { QStringLiteral("--profile"), profile } + args, input, logging);
}

//! The lines of \a err that would worry a person reading the console.
QStringList alarmingLines(const QByteArray& err)
{
    static const QRegularExpression alarming(
        QStringLiteral("refused|failed|offline|disconnected|warning|error"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList lines;
    for (const QByteArray& line : err.split('\n')) {
        if (QString::fromUtf8(line).contains(alarming)) {
            lines.append(QString::fromUtf8(line));
        }
    }
    return lines;
}

//! Runs cpm-cli in a mount namespace of its own where \a profile is copied onto a small
//! tmpfs at \a mountPoint that is first prepared by \a shell (remount read-only, fill up).
Run cliOnOwnDisk(const QString& mountPoint, const QString& profile, const QString& shell,
    const QStringList& args)
{
    QDir().mkpath(mountPoint);
    const QString script = QStringLiteral(
        "mount -t tmpfs -o size=4m cpm-test-profile \"$0\" || exit 97; cp -a \"$1\"/. \"$0\"/ "
        "|| exit 97; %1 cli=\"$2\"; shift 2; exec \"$cli\" --profile \"$0\" \"$@\"")
                               .arg(shell);
    return run(QStringLiteral("unshare"),
        privateMountNamespace()
            + QStringList { QStringLiteral("sh"), QStringLiteral("-c"), script, mountPoint, profile,
                cliBinary() }
            + args);
}
//! A `cpm-cli shell` (or `guest`) kept running: one device online, driven line by line.
class Shell {
public:
    explicit Shell(const QString& profile)
        : Shell(QStringList { QStringLiteral("--profile"), profile, QStringLiteral("shell") })
    {
    }
    //! cpm-cli with \a arguments, e.g. `guest …`.
    explicit Shell(const QStringList& arguments)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_LOGGING_RULES"),
            QStringLiteral("cpm.*.info=false;cpm.*.debug=false"));
        m_process.setProcessEnvironment(env);
        m_process.start(cliBinary(), arguments);
    }
    ~Shell()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    Q_DISABLE_COPY_MOVE(Shell)

    void write(const QByteArray& line) { m_process.write(line + '\n'); }
    //! The next line on stdout that contains \a marker (others come in between), or {}.
    QJsonObject lineWith(const QByteArray& marker)
    {
        // The whole line: a long answer (many messages) comes in more than one read.
        auto complete = [&] {
            const qsizetype at = m_seen.indexOf(marker);
            return at >= 0 && m_seen.indexOf('\n', at) >= 0;
        };
        const bool found = QTest::qWaitFor(
            [&] {
                m_seen += m_process.readAllStandardOutput();
                return complete() || m_process.state() == QProcess::NotRunning;
            },
            30000);
        if (!found || !m_seen.contains(marker)) {
            return {};
        }
        const qsizetype at = m_seen.indexOf(marker);
        const qsizetype start = m_seen.lastIndexOf('\n', at) + 1;
        const qsizetype end = m_seen.indexOf('\n', at);
        const QJsonObject o
            = QJsonDocument::fromJson(m_seen.mid(start, end < 0 ? -1 : end - start)).object();
        m_seen.remove(0, end < 0 ? m_seen.size() : end + 1);
        return o;
    }
    //! `quit`, then the exit code.
    int quit()
    {
        write("quit");
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(30000)) {
            return -1;
        }
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    QByteArray seen() const { return m_seen; }
    QProcess& process() { return m_process; }
    //! Waits (≤ 30 s) for the exit; its code, or -1 for a crash or a kill.
    int waitForExit()
    {
        if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(30000)) {
            return -1;
        }
        m_seen += m_process.readAllStandardOutput();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

private:
    QProcess m_process;
    QByteArray m_seen;
};

QJsonObject member(const QJsonObject& o, const char* name)
{
    return o.value(QLatin1StringView(name)).toObject();
}

qint64 number(const QJsonObject& o, const char* name)
{
    return qint64(o.value(QLatin1StringView(name)).toDouble());
}

//! The sessions a `sessions` answer lists, by id.
QHash<qint64, QJsonObject> listedSessions(const QJsonObject& answer)
{
    QHash<qint64, QJsonObject> out;
    for (const QJsonValue& v : answer.value(QLatin1StringView("sessions")).toArray()) {
        out.insert(number(v.toObject(), "id"), v.toObject());
    }
    return out;
}
} // namespace

class tst_Cli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { cpm::test::failOnWarnings(); }
    void cleanup();

    void testSendRefusalsHaveTheirOwnCodes_data();
    void testSendRefusalsHaveTheirOwnCodes();
    void testACommandThatConnectsSendsTheOutbox();
    void testPeerStatusShowsOnlyWhatIsShared();
    void testANormalRunLogsNothingAlarming();
    void testSendQueuesWhileTheServerIsDown();
    void testShellAnswersASendRefusedForNow();
    void testASecondProcessIsRefusedAtOnce();
    void testADamagedProfileIsRecovered();
    void testAReadOnlyProfileSaysSo();
    void testAFullDiskSaysSo();
    void testSessionInviteAcceptSayAcrossProcesses();
    void testSessionTransferAndPullWithHistory();
    void testSessionCommandUsageErrors();
    void testGuestSeesTheUsersMessagesAndSignOutRemovesIt();
    void testGuestEndOfInputSignsOut();
    void testGuestSignalSignsOut();
    void testGuestSignOutWhileTheServerIsDown();
    void testGuestRefusalsLeaveNoDirectory_data();
    void testGuestRefusalsLeaveNoDirectory();
    void testGuestKilledIsRemovedByTheNextRun();
    void testGuestSignedOutFromAnotherDevice();
    void testSignOutInAShellSignsThisDeviceOut();
    void testAttachmentsSendDownloadFilesAndDelete();

private:
    QString profile(const QString& name) const { return m_dir.filePath(name); }
    void registerDevice(const QString& profile, const QString& address);
    //! Registers \a profile as device \a name of \a address (password "pw-" + its local
    //! part); \a deviceId gets the device's id.
    void registerNamed(
        const QString& profile, const QString& address, const QString& name, qint64* deviceId);

    //! `cpm-cli guest` as \a address (password "pw-" + its local part), named \a name.
    QStringList guestArguments(
        const QString& address, const QString& name, const QString& password = QString()) const;
    //! The guest directories under CPM_GUEST_DIR.
    QStringList guestDirs() const;
    //! The ids of \a address's devices as its device \a profile lists them.
    QList<qint64> deviceIds(const QString& profile);

    TestServer m_server;
    QTemporaryDir m_dir;
    QTemporaryDir m_guestParent; //!< CPM_GUEST_DIR of every cpm-cli the test runs
};

void tst_Cli::initTestCase()
{
    QVERIFY(m_guestParent.isValid());
    qputenv("CPM_GUEST_DIR", QFile::encodeName(m_guestParent.path()));
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, QStringLiteral("pw-alice")));
    QVERIFY(m_server.addUser(Bob, QStringLiteral("pw-bob")));
    registerDevice(profile(QStringLiteral("alice")), Alice);
    registerDevice(profile(QStringLiteral("bob")), Bob);
}

void tst_Cli::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
}

void tst_Cli::registerDevice(const QString& dir, const QString& address)
{
    const Run r = cli(dir,
        { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("register-device"),
            QStringLiteral("--address"), address, QStringLiteral("--password-file"),
            QStringLiteral("-"), QStringLiteral("--name"), address.section(u'@', 0, 0) },
        QByteArray("pw-") + address.section(u'@', 0, 0).toUtf8() + '\n');
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

void tst_Cli::registerNamed(
    const QString& dir, const QString& address, const QString& name, qint64* deviceId)
{
    const Run r = cli(dir,
        { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("register-device"),
            QStringLiteral("--address"), address, QStringLiteral("--password-file"),
            QStringLiteral("-"), QStringLiteral("--name"), name },
        QByteArray("pw-") + address.section(u'@', 0, 0).toUtf8() + '\n');
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    *deviceId = number(r.answer, "deviceId");
    QVERIFY(*deviceId > 0);
}

void tst_Cli::testSendRefusalsHaveTheirOwnCodes_data()
{
    QTest::addColumn<QString>("to");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::newRow("body-over-the-limit")
        << Bob << QByteArray(70000, 'x') << QStringLiteral("too_large");
    QTest::newRow("not-an-address")
        << QStringLiteral("bob") << QByteArray("hi") << QStringLiteral("bad_request");
    QTest::newRow("nobody-there") << QStringLiteral("nobody@cpm.example") << QByteArray("hi")
                                  << QStringLiteral("no_such_user");
}

void tst_Cli::testSendRefusalsHaveTheirOwnCodes()
{
    QFETCH(QString, to);
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    const Run r = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("send"), QStringLiteral("--to"), to, QStringLiteral("-") }, body);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.errorCode() == code, qPrintable(r.describe()));
}

void tst_Cli::testACommandThatConnectsSendsTheOutbox()
{
    const Run queued = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("--offline"), QStringLiteral("send"), QStringLiteral("--to"), Bob,
            QStringLiteral("written"), QStringLiteral("offline") });
    QVERIFY2(queued.exitCode == 0, qPrintable(queued.describe()));
    QCOMPARE(
        queued.answer.value(QLatin1StringView("status")).toString(), QStringLiteral("pending"));
    // Any command that connects sends what waits, before it answers.
    const Run synced = cli(profile(QStringLiteral("alice")), { QStringLiteral("sync") });
    QVERIFY2(synced.exitCode == 0, qPrintable(synced.describe()));
    QCOMPARE(synced.answer.value(QLatin1StringView("outbox")).toInt(), 0);
    const Run received = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("messages"), QStringLiteral("--with"), Alice });
    QVERIFY2(received.exitCode == 0, qPrintable(received.describe()));
    QVERIFY2(received.out.contains("written offline"), qPrintable(received.describe()));
}

void tst_Cli::testPeerStatusShowsOnlyWhatIsShared()
{
    const auto statuses
        = [](const Run& r) { return r.answer.value(QLatin1StringView("statuses")).toArray(); };
    Run asked = cli(profile(QStringLiteral("alice")), { QStringLiteral("peer-status"), Bob });
    QVERIFY2(asked.exitCode == 0, qPrintable(asked.describe()));
    QVERIFY2(statuses(asked).isEmpty(), qPrintable(asked.describe()));
    // Bob shares with Alice by adding her; she then sees his status.
    for (const QStringList& command : { QStringList { QStringLiteral("add-contact"), Alice },
             QStringList { QStringLiteral("set-status"), QStringLiteral("--status"),
                 QStringLiteral("away"), QStringLiteral("Lunch") } }) {
        const Run r = cli(profile(QStringLiteral("bob")), command);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }
    asked = cli(profile(QStringLiteral("alice")), { QStringLiteral("peer-status"), Bob });
    QVERIFY2(statuses(asked).size() == 1, qPrintable(asked.describe()));
    const QJsonObject bob = statuses(asked).at(0).toObject();
    QCOMPARE(bob.value(QLatin1StringView("status")).toString(), QStringLiteral("away"));
    QCOMPARE(bob.value(QLatin1StringView("text")).toString(), QStringLiteral("Lunch"));
    const Run bad = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("peer-status"), QStringLiteral("not-an-address") });
    QCOMPARE(bad.exitCode, 2);
}

void tst_Cli::testANormalRunLogsNothingAlarming()
{
    // What scripts/run.sh --demo does, with the logging a person sees: a command answers
    // and disconnects as soon as it is online, which must not leave the client asking on a
    // closed connection (`profile.get failed: offline`) or calling its last ack refused.
    const QString dir = profile(QStringLiteral("alice-quiet"));
    const QList<QStringList> commands {
        { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("register-device"),
            QStringLiteral("--address"), Alice, QStringLiteral("--password-file"),
            QStringLiteral("-"), QStringLiteral("--name"), QStringLiteral("Alice quiet") },
        { QStringLiteral("whoami") },
        { QStringLiteral("send"), QStringLiteral("--to"), Bob, QStringLiteral("quietly") },
        { QStringLiteral("devices") },
    };
    for (const QStringList& command : commands) {
        const Run r = cli(dir, command, QByteArray("pw-alice\n"), Logging::AsShipped);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QStringList alarming = alarmingLines(r.err);
        QVERIFY2(alarming.isEmpty(),
            qPrintable(command.join(u' ') + QStringLiteral(": ") + alarming.join(u'|')));
    }
    // A real failure is still said: the answer carries it and the log line stays.
    const Run refused
        = cli(dir, { QStringLiteral("rename-device"), QStringLiteral("999"), QStringLiteral("x") },
            {}, Logging::AsShipped);
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(!alarmingLines(refused.err).isEmpty(), qPrintable(refused.describe()));
}

void tst_Cli::testShellAnswersASendRefusedForNow()
{
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(
        QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("cpm.*.info=false;cpm.*.debug=false"));
    shell.setProcessEnvironment(env);
    shell.start(cliBinary(),
        { QStringLiteral("--profile"), profile(QStringLiteral("alice")), QStringLiteral("shell") });
    QByteArray seen;
    // The next line on stdout that contains \a marker (events come in between).
    auto lineWith = [&](const QByteArray& marker) -> QJsonObject {
        const bool found = QTest::qWaitFor(
            [&] {
                seen += shell.readAllStandardOutput();
                return seen.contains(marker) || shell.state() == QProcess::NotRunning;
            },
            30000);
        if (!found || !seen.contains(marker)) {
            return {};
        }
        const qsizetype at = seen.indexOf(marker);
        const qsizetype start = seen.lastIndexOf('\n', at) + 1;
        const qsizetype end = seen.indexOf('\n', at);
        const QJsonObject o
            = QJsonDocument::fromJson(seen.mid(start, end < 0 ? -1 : end - start)).object();
        seen.remove(0, end < 0 ? seen.size() : end + 1);
        return o;
    };
    QVERIFY2(!lineWith("\"ready\"").isEmpty(), seen.constData());

    // An operator's long transaction holds the server's write lock: the server answers
    // `unavailable` (after its 5 s busy wait), which is "not now", not "never".
    WriteLock lock(m_server.dataDir());
    QVERIFY(lock.isHeld());
    shell.write(QByteArrayLiteral("send --to bob@cpm.example \"while busy\"\nwhoami\n"));
    const QJsonObject pending = lineWith("\"command\":\"send\"");
    lock.release();
    const QJsonObject result = pending.value(QLatin1StringView("result")).toObject();
    QVERIFY2(result.value(QLatin1StringView("status")).toString() == QLatin1StringView("pending"),
        seen.constData());
    QCOMPARE(result.value(QLatin1StringView("reason"))
                 .toObject()
                 .value(QLatin1StringView("code"))
                 .toString(),
        QStringLiteral("unavailable"));
    // The shell goes on with the next command; the message goes once the lock is gone.
    QVERIFY(!lineWith("\"command\":\"whoami\"").isEmpty());
    QVERIFY2(!lineWith("\"messageSent\"").isEmpty(), seen.constData());
    shell.write(QByteArrayLiteral("quit\n"));
    shell.closeWriteChannel();
    QVERIFY(shell.waitForFinished(30000));
    QCOMPARE(shell.exitCode(), 0);
}

void tst_Cli::testSendQueuesWhileTheServerIsDown()
{
    m_server.stop();
    const Run queued = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("send"), QStringLiteral("--to"), Bob, QStringLiteral("while"),
            QStringLiteral("down") });
    QVERIFY2(queued.exitCode == 0, qPrintable(queued.describe()));
    QCOMPARE(
        queued.answer.value(QLatin1StringView("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(queued.answer.value(QLatin1StringView("reason"))
                 .toObject()
                 .value(QLatin1StringView("code"))
                 .toString(),
        QStringLiteral("connection_refused"));
    const Run waiting = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("--offline"), QStringLiteral("whoami") });
    QCOMPARE(waiting.answer.value(QLatin1StringView("outbox")).toInt(), 1);

    QVERIFY(m_server.start()); // perhaps on another port: --server says where
    // A list of nodes, the first of them down: the command goes on to the next.
    const QString down = QStringLiteral("ws://127.0.0.1:%1/").arg(cpm::test::freeLoopbackPort());
    const Run synced = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("--server"), down + QStringLiteral(", ") + m_server.url().toString(),
            QStringLiteral("sync") });
    QVERIFY2(synced.exitCode == 0, qPrintable(synced.describe()));
    QCOMPARE(synced.answer.value(QLatin1StringView("outbox")).toInt(), 0);
    const Run where = cli(profile(QStringLiteral("alice")), { QStringLiteral("whoami") });
    QCOMPARE(where.answer.value(QLatin1StringView("servers")).toArray(),
        QJsonArray({ down, m_server.url().toString() }));
    const Run badList = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("--server"), down + QStringLiteral(",http://b.example/"),
            QStringLiteral("whoami") });
    QCOMPARE(badList.exitCode, 2);
    QVERIFY2(badList.out.contains("http://b.example/"), qPrintable(badList.describe()));
    const Run received = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("messages"),
            QStringLiteral("--with"), Alice });
    QVERIFY2(received.out.contains("while down"), qPrintable(received.describe()));
}

void tst_Cli::testASecondProcessIsRefusedAtOnce()
{
    QProcess watcher;
    watcher.start(cliBinary(),
        { QStringLiteral("--profile"), profile(QStringLiteral("alice")), QStringLiteral("watch") });
    QVERIFY(watcher.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(
        watcher.canReadLine() || watcher.state() == QProcess::NotRunning, Timeout);
    QCOMPARE(watcher.state(), QProcess::Running);

    const Run second = cli(profile(QStringLiteral("alice")), { QStringLiteral("whoami") });
    watcher.terminate();
    watcher.waitForFinished();
    QCOMPARE(second.exitCode, 1);
    QVERIFY2(second.errorCode() == QLatin1StringView("profile"), qPrintable(second.describe()));
    QVERIFY2(second.answer.value(QLatin1StringView("error"))
                 .toObject()
                 .value(QLatin1StringView("message"))
                 .toString()
                 .contains(QLatin1StringView("another process")),
        qPrintable(second.describe()));
    // At once: no waiting for a lock or a timeout.
    QVERIFY2(second.ms < 5000, qPrintable(QString::number(second.ms)));
}

void tst_Cli::testADamagedProfileIsRecovered()
{
    const QString dir = profile(QStringLiteral("bob"));
    const QString db = QDir(dir).filePath(QStringLiteral("cpm.sqlite"));
    {
        QFile file(db);
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.write(QByteArray(int(file.size()), '\x5a'));
    }
    QFile::remove(db + QStringLiteral("-wal"));
    const Run r = cli(dir, { QStringLiteral("messages"), QStringLiteral("--with"), Alice });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("damaged"), qPrintable(r.describe()));
    // Synced again from the server: what Alice sent before is back.
    QVERIFY2(r.out.contains("written offline"), qPrintable(r.describe()));
    const QStringList aside
        = QDir(dir).entryList({ QStringLiteral("cpm.sqlite.damaged-*") }, QDir::Files);
    QVERIFY(!aside.isEmpty());
}

void tst_Cli::testAReadOnlyProfileSaysSo()
{
    const Run r
        = cliOnOwnDisk(m_dir.filePath(QStringLiteral("ro")), profile(QStringLiteral("alice")),
            QStringLiteral("mount -o remount,bind,ro \"$0\" || exit 97;"),
            { QStringLiteral("--offline"), QStringLiteral("whoami") });
    QVERIFY2(r.exitCode != 97, "cannot mount a file system for the profile (needs root)");
    QCOMPARE(r.exitCode, 1);
    const QString code = r.errorCode();
    QVERIFY2(code == QLatin1StringView("profile") || code == QLatin1StringView("store_read_only"),
        qPrintable(r.describe()));
    QVERIFY2(!r.err.contains("Segmentation"), qPrintable(r.describe()));
}

void tst_Cli::testAFullDiskSaysSo()
{
    // Messages wait for Alice that her profile has no room for.
    {
        WsClient bob;
        QVERIFY(bob.open(m_server.url()));
        QVERIFY(bob.hello());
        QVERIFY_OK(bob.registerDevice(Bob, QStringLiteral("pw-bob"), QStringLiteral("bob-sender")));
        // 120 KB in all: one sync answer (a larger one is issue #7's byte budget).
        for (int i = 0; i < 30; ++i) {
            QVERIFY_OK(
                bob.send(QStringLiteral("fill-%1").arg(i), Alice, QString(4000, QLatin1Char('f'))));
        }
    }
    // Fill the profile's disk but for a little room (for its lock file), then sync.
    const Run r
        = cliOnOwnDisk(m_dir.filePath(QStringLiteral("full")), profile(QStringLiteral("alice")),
            QStringLiteral(
                "avail=$(df --output=avail -B1 \"$0\" | tail -1);"
                " dd if=/dev/zero of=\"$0/filler\" bs=4096 count=$(( (avail - 32768) / 4096 ))"
                " 2>/dev/null;"),
            { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("sync") });
    QVERIFY2(r.exitCode != 97, "cannot mount a file system for the profile (needs root)");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.errorCode() == QLatin1StringView("disk_full"), qPrintable(r.describe()));
}

void tst_Cli::testSessionInviteAcceptSayAcrossProcesses()
{
    const QString sara = QStringLiteral("sara@cpm.example");
    const QString tom = QStringLiteral("tom@cpm.example");
    QVERIFY(m_server.addUser(sara, QStringLiteral("pw-sara")));
    QVERIFY(m_server.addUser(tom, QStringLiteral("pw-tom")));
    const QString laptop = profile(QStringLiteral("sara-laptop"));
    const QString tablet = profile(QStringLiteral("tom-tablet"));
    const QString phone = profile(QStringLiteral("tom-phone"));
    qint64 laptopId = 0;
    qint64 tabletId = 0;
    qint64 phoneId = 0;
    registerNamed(laptop, sara, QStringLiteral("Sara laptop"), &laptopId);
    registerNamed(tablet, tom, QStringLiteral("Tom tablet"), &tabletId);
    registerNamed(phone, tom, QStringLiteral("Tom phone"), &phoneId);
    if (QTest::currentTestFailed()) {
        return;
    }

    const Run invited = cli(laptop,
        { QStringLiteral("invite"), QStringLiteral("--to"), tom, QStringLiteral("--subject"),
            QStringLiteral("Plans") });
    QVERIFY2(invited.exitCode == 0, qPrintable(invited.describe()));
    const QJsonObject session = member(invited.answer, "session");
    const qint64 id = number(session, "id");
    const QString idText = QString::number(id);
    QVERIFY2(id > 0, qPrintable(invited.describe()));
    QCOMPARE(session.value(QLatin1StringView("state")).toString(), QStringLiteral("inviting"));
    QCOMPARE(session.value(QLatin1StringView("role")).toString(), QStringLiteral("inviter"));
    QCOMPARE(number(member(session, "boundDevice"), "id"), laptopId);

    // Both of Tom's devices ring (SES-2): each lists the request as its own.
    for (const QString& device : { tablet, phone }) {
        const Run listed = cli(device, { QStringLiteral("sessions") });
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
        const QJsonObject request = listedSessions(listed.answer).value(id);
        QVERIFY2(!request.isEmpty(), qPrintable(listed.describe()));
        QCOMPARE(request.value(QLatin1StringView("state")).toString(), QStringLiteral("inviting"));
        QCOMPARE(request.value(QLatin1StringView("peer")).toString(), sara);
        QCOMPARE(request.value(QLatin1StringView("subject")).toString(), QStringLiteral("Plans"));
    }

    // The first accept wins (SES-3); the other device hears where it was answered.
    const Run accepted = cli(tablet, { QStringLiteral("accept"), idText });
    QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.describe()));
    QCOMPARE(member(accepted.answer, "session").value(QLatin1StringView("state")).toString(),
        QStringLiteral("active"));
    QCOMPARE(number(member(member(accepted.answer, "session"), "boundDevice"), "id"), tabletId);
    const Run late = cli(phone, { QStringLiteral("accept"), idText });
    QCOMPARE(late.exitCode, 1);
    QVERIFY2(
        late.errorCode() == QLatin1StringView("already_answered"), qPrintable(late.describe()));
    const QJsonObject lateError = member(late.answer, "error");
    QCOMPARE(member(lateError, "device").value(QLatin1StringView("name")).toString(),
        QStringLiteral("Tom tablet"));
    QCOMPARE(number(member(lateError, "session"), "id"), id);
    // Not the phone's any more: only --all-devices lists it there, bound to the tablet.
    const Run phoneList = cli(phone, { QStringLiteral("sessions") });
    QVERIFY2(!listedSessions(phoneList.answer).contains(id), qPrintable(phoneList.describe()));
    const Run everywhere
        = cli(phone, { QStringLiteral("sessions"), QStringLiteral("--all-devices") });
    QCOMPARE(
        number(member(listedSessions(everywhere.answer).value(id), "boundDevice"), "id"), tabletId);

    // SES-5: said in the session, stored in the conversation with the session's id.
    const Run said = cli(laptop,
        { QStringLiteral("say"), idText, QStringLiteral("See"), QStringLiteral("you"),
            QStringLiteral("at"), QStringLiteral("noon") });
    QVERIFY2(said.exitCode == 0, qPrintable(said.describe()));
    QCOMPARE(
        said.answer.value(QLatin1StringView("body")).toString(), QStringLiteral("See you at noon"));
    QCOMPARE(number(said.answer, "session"), id);
    QCOMPARE(said.answer.value(QLatin1StringView("status")).toString(), QStringLiteral("sent"));
    QVERIFY(number(said.answer, "id") > 0);
    const Run received
        = cli(tablet, { QStringLiteral("messages"), QStringLiteral("--with"), sara });
    QVERIFY2(received.exitCode == 0, qPrintable(received.describe()));
    bool found = false;
    for (const QJsonValue& v : received.answer.value(QLatin1StringView("messages")).toArray()) {
        const QJsonObject m = v.toObject();
        found = found
            || (m.value(QLatin1StringView("body")).toString()
                    == QLatin1StringView("See you at noon")
                && number(m, "session") == id);
    }
    QVERIFY2(found, qPrintable(received.describe()));

    // Only the bound device speaks in it: the phone is told where it is.
    const Run notHere = cli(phone, { QStringLiteral("say"), idText, QStringLiteral("me too") });
    QCOMPARE(notHere.exitCode, 1);
    QVERIFY2(notHere.errorCode() == QLatin1StringView("not_bound"), qPrintable(notHere.describe()));
    QCOMPARE(member(member(notHere.answer, "error"), "device")
                 .value(QLatin1StringView("name"))
                 .toString(),
        QStringLiteral("Tom tablet"));

    // Ended by Tom: neither side can say anything more; an unknown id is not_found.
    const Run ended = cli(tablet, { QStringLiteral("end"), idText });
    QVERIFY2(ended.exitCode == 0, qPrintable(ended.describe()));
    QCOMPARE(member(ended.answer, "session").value(QLatin1StringView("state")).toString(),
        QStringLiteral("ended"));
    for (const QString& device : { laptop, tablet }) {
        const Run afterEnd
            = cli(device, { QStringLiteral("say"), idText, QStringLiteral("hello?") });
        QCOMPARE(afterEnd.exitCode, 1);
        QVERIFY2(afterEnd.errorCode() == QLatin1StringView("session_ended"),
            qPrintable(afterEnd.describe()));
        QCOMPARE(member(member(afterEnd.answer, "error"), "session")
                     .value(QLatin1StringView("reason"))
                     .toString(),
            QStringLiteral("ended"));
    }
    const Run unknown
        = cli(laptop, { QStringLiteral("say"), QString::number(id + 1000), QStringLiteral("hi") });
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.errorCode() == QLatin1StringView("not_found"), qPrintable(unknown.describe()));
}

void tst_Cli::testSessionTransferAndPullWithHistory()
{
    const QString uma = QStringLiteral("uma@cpm.example");
    const QString vic = QStringLiteral("vic@cpm.example");
    QVERIFY(m_server.addUser(uma, QStringLiteral("pw-uma")));
    QVERIFY(m_server.addUser(vic, QStringLiteral("pw-vic")));
    const QString laptop = profile(QStringLiteral("uma-laptop"));
    const QString phone = profile(QStringLiteral("uma-phone"));
    const QString desk = profile(QStringLiteral("vic-desk"));
    qint64 laptopId = 0;
    qint64 phoneId = 0;
    qint64 deskId = 0;
    registerNamed(laptop, uma, QStringLiteral("Uma laptop"), &laptopId);
    registerNamed(phone, uma, QStringLiteral("Uma phone"), &phoneId);
    registerNamed(desk, vic, QStringLiteral("Vic desk"), &deskId);
    if (QTest::currentTestFailed()) {
        return;
    }
    // One message before the session, one in it: the history the moves below grant.
    const Run before = cli(
        laptop, { QStringLiteral("send"), QStringLiteral("--to"), vic, QStringLiteral("earlier") });
    QVERIFY2(before.exitCode == 0, qPrintable(before.describe()));
    const Run invited = cli(laptop, { QStringLiteral("invite"), QStringLiteral("--to"), vic });
    QVERIFY2(invited.exitCode == 0, qPrintable(invited.describe()));
    const qint64 id = number(member(invited.answer, "session"), "id");
    const QString idText = QString::number(id);
    const Run accepted = cli(desk, { QStringLiteral("accept"), idText });
    QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.describe()));
    const Run said
        = cli(laptop, { QStringLiteral("say"), idText, QStringLiteral("on the laptop") });
    QVERIFY2(said.exitCode == 0, qPrintable(said.describe()));

    // SES-6: a transfer needs its target connected; the phone stays online in a shell.
    Shell shell(phone);
    QVERIFY2(!shell.lineWith("\"ready\"").isEmpty(), shell.seen().constData());
    const Run moved = cli(laptop,
        { QStringLiteral("transfer"), idText, QStringLiteral("--to-device"),
            QString::number(phoneId), QStringLiteral("--history"), QStringLiteral("last:20") });
    QVERIFY2(moved.exitCode == 0, qPrintable(moved.describe()));
    const QJsonObject afterMove = member(moved.answer, "session");
    QCOMPARE(number(member(afterMove, "boundDevice"), "id"), phoneId);
    QCOMPARE(number(member(afterMove, "previousDevice"), "id"), laptopId);
    QCOMPARE(
        afterMove.value(QLatin1StringView("change")).toString(), QStringLiteral("transferred"));
    QCOMPARE(afterMove.value(QLatin1StringView("history")).toString(), QStringLiteral("last:20"));
    // The phone sees it arrive, with the two messages so far.
    const QJsonObject arrived = shell.lineWith("\"arrivedHere\"");
    QVERIFY2(number(member(arrived, "session"), "id") == id, shell.seen().constData());
    const QJsonObject loaded = shell.lineWith("\"historyLoaded\"");
    QVERIFY2(number(loaded, "sessionId") == id, shell.seen().constData());
    QCOMPARE(number(loaded, "count"), 2);
    // The shell runs the session commands too.
    shell.write(
        QByteArrayLiteral("say ") + idText.toUtf8() + QByteArrayLiteral(" \"on the phone\""));
    const QJsonObject phoneSaid = member(shell.lineWith("\"command\":\"say\""), "result");
    QVERIFY2(number(phoneSaid, "session") == id, shell.seen().constData());
    QCOMPARE(phoneSaid.value(QLatin1StringView("status")).toString(), QStringLiteral("sent"));
    shell.write(QByteArrayLiteral("sessions"));
    const QJsonObject phoneList = member(shell.lineWith("\"command\":\"sessions\""), "result");
    QVERIFY2(listedSessions(phoneList).contains(id), shell.seen().constData());

    // SES-7: the laptop lists it among the sessions on its other devices only.
    const Run here = cli(laptop, { QStringLiteral("sessions") });
    QVERIFY2(here.exitCode == 0, qPrintable(here.describe()));
    QVERIFY2(!listedSessions(here.answer).contains(id), qPrintable(here.describe()));
    const Run all = cli(laptop, { QStringLiteral("sessions"), QStringLiteral("--all-devices") });
    QVERIFY2(all.exitCode == 0, qPrintable(all.describe()));
    const QJsonObject elsewhere = listedSessions(all.answer).value(id);
    QVERIFY2(number(member(elsewhere, "boundDevice"), "id") == phoneId, qPrintable(all.describe()));
    const Run notHere
        = cli(laptop, { QStringLiteral("say"), idText, QStringLiteral("still here?") });
    QCOMPARE(notHere.exitCode, 1);
    QVERIFY2(notHere.errorCode() == QLatin1StringView("not_bound"), qPrintable(notHere.describe()));
    QCOMPARE(member(member(notHere.answer, "error"), "device")
                 .value(QLatin1StringView("name"))
                 .toString(),
        QStringLiteral("Uma phone"));

    // It pulls it back with the whole conversation: earlier, on the laptop, on the phone.
    const Run pulled = cli(laptop,
        { QStringLiteral("pull"), idText, QStringLiteral("--history"), QStringLiteral("all") });
    QVERIFY2(pulled.exitCode == 0, qPrintable(pulled.describe()));
    QCOMPARE(number(member(member(pulled.answer, "session"), "boundDevice"), "id"), laptopId);
    QCOMPARE(member(pulled.answer, "session").value(QLatin1StringView("change")).toString(),
        QStringLiteral("pulled"));
    QCOMPARE(number(pulled.answer, "history"), 3);
    // Pulled again where it is, for another history: the session's own messages come.
    const Run again = cli(laptop,
        { QStringLiteral("pull"), idText, QStringLiteral("--history"), QStringLiteral("session") });
    QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    QCOMPARE(number(again.answer, "history"), 2);
    const QJsonObject left = shell.lineWith("\"continuedElsewhere\"");
    QVERIFY2(number(member(member(left, "session"), "boundDevice"), "id") == laptopId,
        shell.seen().constData());
    QCOMPARE(shell.quit(), 0);

    // A device that is not connected cannot take it.
    const Run offline = cli(laptop,
        { QStringLiteral("transfer"), idText, QStringLiteral("--to-device"),
            QString::number(phoneId), QStringLiteral("--history"), QStringLiteral("none") });
    QCOMPARE(offline.exitCode, 1);
    QVERIFY2(
        offline.errorCode() == QLatin1StringView("device_offline"), qPrintable(offline.describe()));
    const Run ended = cli(desk, { QStringLiteral("end"), idText });
    QVERIFY2(ended.exitCode == 0, qPrintable(ended.describe()));
}

void tst_Cli::testSessionCommandUsageErrors()
{
    const QList<QStringList> commands {
        { QStringLiteral("accept") },
        { QStringLiteral("decline"), QStringLiteral("seven") },
        { QStringLiteral("end"), QStringLiteral("7"), QStringLiteral("8") },
        { QStringLiteral("cancel"), QStringLiteral("7"), QStringLiteral("--force"),
            QStringLiteral("yes") },
        { QStringLiteral("invite") },
        { QStringLiteral("sessions"), QStringLiteral("--mine"), QStringLiteral("yes") },
        { QStringLiteral("say"), QStringLiteral("7") },
        { QStringLiteral("transfer"), QStringLiteral("7"), QStringLiteral("--history"),
            QStringLiteral("all") },
        { QStringLiteral("pull"), QStringLiteral("7"), QStringLiteral("--history"),
            QStringLiteral("last:0") },
        { QStringLiteral("pull"), QStringLiteral("7"), QStringLiteral("--history"),
            QStringLiteral("everything") },
        { QStringLiteral("pull"), QStringLiteral("7") },
        { QStringLiteral("pull"), QStringLiteral("7"), QStringLiteral("--history") },
    };
    for (const QStringList& command : commands) {
        const Run r = cli(profile(QStringLiteral("alice")), command);
        QVERIFY2(
            r.exitCode == 2, qPrintable(command.join(u' ') + QStringLiteral(": ") + r.describe()));
        QVERIFY2(r.errorCode() == QLatin1StringView("usage"),
            qPrintable(command.join(u' ') + QStringLiteral(": ") + r.describe()));
    }
}

QStringList tst_Cli::guestArguments(
    const QString& address, const QString& name, const QString& password) const
{
    const QString file = m_dir.filePath(QStringLiteral("guest-%1.pw").arg(name));
    QFile pw(file);
    if (!pw.open(QIODevice::WriteOnly)
        || pw.write(
               (password.isEmpty() ? QStringLiteral("pw-") + address.section(u'@', 0, 0) : password)
                   .toUtf8()
               + '\n')
            <= 0) {
        qWarning("cannot write %s", qPrintable(file));
    }
    return { QStringLiteral("guest"), QStringLiteral("--server"), m_server.url().toString(),
        QStringLiteral("--address"), address, QStringLiteral("--password-file"), file,
        QStringLiteral("--name"), name };
}

QStringList tst_Cli::guestDirs() const
{
    return QDir(m_guestParent.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
}

QList<qint64> tst_Cli::deviceIds(const QString& dir)
{
    const Run r = cli(dir, { QStringLiteral("devices") });
    QList<qint64> ids;
    if (r.exitCode != 0) {
        qWarning("devices: %s", qPrintable(r.describe()));
        return ids;
    }
    for (const QJsonValue& v : r.answer.value(QLatin1StringView("devices")).toArray()) {
        ids.append(number(v.toObject(), "id"));
    }
    return ids;
}

void tst_Cli::testGuestSeesTheUsersMessagesAndSignOutRemovesIt()
{
    const Run sent = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("send"), QStringLiteral("--to"), Bob, QStringLiteral("--subject"),
            QStringLiteral("For the visit"), QStringLiteral("waiting for Bob's guest") });
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.describe()));

    Shell guest(guestArguments(Bob, QStringLiteral("Bob at Alice's")));
    // The first sync shows its progress, then the sign-in answers as whoami does.
    const QJsonObject progress = guest.lineWith("\"syncProgress\"");
    QVERIFY2(number(progress, "head") > 0, guest.seen().constData());
    const QJsonObject signedIn = guest.lineWith("\"command\":\"guest\"");
    const qint64 guestId = number(member(signedIn, "result"), "deviceId");
    QVERIFY2(guestId > 0, guest.seen().constData());
    QVERIFY(!guest.lineWith("\"ready\"").isEmpty());

    guest.write("messages --with alice@cpm.example");
    const QJsonObject messages = guest.lineWith("\"command\":\"messages\"");
    QVERIFY2(QJsonDocument(messages).toJson().contains("waiting for Bob's guest"),
        QJsonDocument(messages).toJson().constData());

    guest.write("diagnostics");
    const QJsonObject diagnostics = member(guest.lineWith("\"command\":\"diagnostics\""), "result");
    QCOMPARE(diagnostics.value(QLatin1StringView("guest")).toBool(), true);
    QCOMPARE(
        diagnostics.value(QLatin1StringView("keyStorage")).toString(), QStringLiteral("memory"));
    const QString dir = diagnostics.value(QLatin1StringView("profileDir")).toString();
    QVERIFY2(QFileInfo(dir).absolutePath() == QFileInfo(m_guestParent.path()).absoluteFilePath(),
        qPrintable(dir));
    QVERIFY(QFileInfo(dir).isDir());
    QCOMPARE(
        QFileInfo(dir).permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QVERIFY(deviceIds(profile(QStringLiteral("bob"))).contains(guestId));

    guest.write("sign-out");
    const QJsonObject signedOut = member(guest.lineWith("\"command\":\"sign-out\""), "result");
    QVERIFY2(
        signedOut.value(QLatin1StringView("serverConfirmed")).toBool(), guest.seen().constData());
    QCOMPARE(signedOut.value(QLatin1StringView("wiped")).toBool(), true);
    QCOMPARE(signedOut.value(QLatin1StringView("removed")).toString(), dir);
    QCOMPARE(guest.waitForExit(), 0);
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
    // The user's other device no longer lists it: the server forgot it.
    QVERIFY(!deviceIds(profile(QStringLiteral("bob"))).contains(guestId));
}

void tst_Cli::testGuestEndOfInputSignsOut()
{
    // The password from stdin: its first line; the shell's commands follow.
    QStringList arguments = guestArguments(Bob, QStringLiteral("Bob eof"));
    arguments[arguments.indexOf(QStringLiteral("--password-file")) + 1] = QStringLiteral("-");
    Shell guest(arguments);
    guest.write("pw-bob");
    const qint64 guestId
        = number(member(guest.lineWith("\"command\":\"guest\""), "result"), "deviceId");
    QVERIFY2(guestId > 0, guest.seen().constData());
    QCOMPARE(guestDirs().size(), 1);
    guest.write("whoami");
    guest.process().closeWriteChannel();
    const QJsonObject signedOut = member(guest.lineWith("\"command\":\"sign-out\""), "result");
    QVERIFY2(
        signedOut.value(QLatin1StringView("serverConfirmed")).toBool(), guest.seen().constData());
    QCOMPARE(guest.waitForExit(), 0);
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
    QVERIFY(!deviceIds(profile(QStringLiteral("bob"))).contains(guestId));
}

void tst_Cli::testGuestSignalSignsOut()
{
    Shell guest(guestArguments(Bob, QStringLiteral("Bob term")));
    const qint64 guestId
        = number(member(guest.lineWith("\"command\":\"guest\""), "result"), "deviceId");
    QVERIFY2(guestId > 0, guest.seen().constData());
    QVERIFY(!guest.lineWith("\"ready\"").isEmpty());
    QCOMPARE(guestDirs().size(), 1);
    guest.process().terminate(); // SIGTERM
    const QJsonObject signedOut = member(guest.lineWith("\"command\":\"sign-out\""), "result");
    QVERIFY2(
        signedOut.value(QLatin1StringView("serverConfirmed")).toBool(), guest.seen().constData());
    QCOMPARE(guest.waitForExit(), 0);
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
    QVERIFY(!deviceIds(profile(QStringLiteral("bob"))).contains(guestId));
}

void tst_Cli::testGuestSignOutWhileTheServerIsDown()
{
    Shell guest(guestArguments(Bob, QStringLiteral("Bob offline")));
    const qint64 guestId
        = number(member(guest.lineWith("\"command\":\"guest\""), "result"), "deviceId");
    QVERIFY2(guestId > 0, guest.seen().constData());
    QVERIFY(!guest.lineWith("\"ready\"").isEmpty());
    m_server.stop();
    // Wiped at once all the same; the server cannot confirm within the bounded wait.
    QElapsedTimer timer;
    timer.start();
    guest.write("sign-out");
    const QJsonObject signedOut = member(guest.lineWith("\"command\":\"sign-out\""), "result");
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
    QCOMPARE(signedOut.value(QLatin1StringView("serverConfirmed")).toBool(), false);
    QCOMPARE(signedOut.value(QLatin1StringView("wiped")).toBool(), true);
    QVERIFY2(signedOut.value(QLatin1StringView("note")).toString().contains(u"ends by itself"),
        guest.seen().constData());
    QCOMPARE(guest.waitForExit(), 0);
    QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed())));

    QVERIFY(m_server.start()); // perhaps on another port
    const Run devices = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("devices") });
    QVERIFY2(devices.exitCode == 0, qPrintable(devices.describe()));
    // Left to expire on the server (guest.idleSeconds): end it from the user's own device.
    const Run ended = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("sign-out-device"), QString::number(guestId) });
    QVERIFY2(ended.exitCode == 0, qPrintable(ended.describe()));
    const Run alice = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("--server"), m_server.url().toString(), QStringLiteral("whoami") });
    QVERIFY2(alice.exitCode == 0, qPrintable(alice.describe()));
}

void tst_Cli::testGuestRefusalsLeaveNoDirectory_data()
{
    QTest::addColumn<QString>("setting"); // operator setting key=value, or empty
    QTest::addColumn<QString>("pref"); // Bob's preference key=value, or empty
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("code");
    QTest::newRow("operator-off") << QStringLiteral("guest.enabled=0") << QString() << QString()
                                  << QStringLiteral("guest_disabled");
    QTest::newRow("user-denies") << QString() << QStringLiteral("guestSignIn=deny") << QString()
                                 << QStringLiteral("guest_not_allowed");
    QTest::newRow("wrong-password")
        << QString() << QString() << QStringLiteral("not-bobs") << QStringLiteral("auth_failed");
}

void tst_Cli::testGuestRefusalsLeaveNoDirectory()
{
    QFETCH(QString, setting);
    QFETCH(QString, pref);
    QFETCH(QString, password);
    QFETCH(QString, code);
    const QString bob = profile(QStringLiteral("bob"));
    if (!setting.isEmpty()) {
        QVERIFY(m_server.setSetting(setting.section(u'=', 0, 0), setting.section(u'=', 1)));
    }
    if (!pref.isEmpty()) {
        const Run set = cli(
            bob, { QStringLiteral("set-pref"), pref.section(u'=', 0, 0), pref.section(u'=', 1) });
        QVERIFY2(set.exitCode == 0, qPrintable(set.describe()));
    }
    const QList<qint64> before = deviceIds(bob);
    const Run refused
        = run(cliBinary(), guestArguments(Bob, QStringLiteral("Bob refused"), password));
    if (!setting.isEmpty()) {
        QVERIFY(m_server.setSetting(setting.section(u'=', 0, 0), QStringLiteral("1")));
    }
    if (!pref.isEmpty()) {
        const Run reset = cli(
            bob, { QStringLiteral("set-pref"), pref.section(u'=', 0, 0), QStringLiteral("allow") });
        QVERIFY2(reset.exitCode == 0, qPrintable(reset.describe()));
    }
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.errorCode() == code, qPrintable(refused.describe()));
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
    QCOMPARE(deviceIds(bob), before);
}

void tst_Cli::testGuestKilledIsRemovedByTheNextRun()
{
    Shell guest(guestArguments(Bob, QStringLiteral("Bob crashed")));
    const qint64 guestId
        = number(member(guest.lineWith("\"command\":\"guest\""), "result"), "deviceId");
    QVERIFY2(guestId > 0, guest.seen().constData());
    QVERIFY(!guest.lineWith("\"ready\"").isEmpty());
    const QStringList left = guestDirs();
    QCOMPARE(left.size(), 1);
    // Another run while the guest lives leaves its directory alone.
    const Run meanwhile = cli(profile(QStringLiteral("alice")), { QStringLiteral("diagnostics") });
    QVERIFY2(meanwhile.exitCode == 0, qPrintable(meanwhile.describe()));
    QCOMPARE(guestDirs(), left);

    guest.process().kill(); // SIGKILL: no code of the guest runs
    QCOMPARE(guest.waitForExit(), -1);
    QCOMPARE(guestDirs(), left);
    const Run next = run(cliBinary(), { QStringLiteral("--version") });
    QVERIFY2(next.exitCode == 0, qPrintable(next.describe()));
    QVERIFY2(next.out.startsWith("cpm-cli "), qPrintable(next.describe()));
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
    QVERIFY2(
        next.err.contains("removed the orphaned guest directory"), qPrintable(next.describe()));
    QVERIFY2(next.err.contains(QFile::encodeName(left.constFirst())), qPrintable(next.describe()));
    // The device itself lives on at the server until it expires (guest.idleSeconds); the
    // user can end it now.
    QVERIFY(deviceIds(profile(QStringLiteral("bob"))).contains(guestId));
    const Run ended = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("sign-out-device"), QString::number(guestId) });
    QVERIFY2(ended.exitCode == 0, qPrintable(ended.describe()));
    QVERIFY(!deviceIds(profile(QStringLiteral("bob"))).contains(guestId));
}

void tst_Cli::testGuestSignedOutFromAnotherDevice()
{
    Shell guest(guestArguments(Bob, QStringLiteral("Bob forgot")));
    const qint64 guestId
        = number(member(guest.lineWith("\"command\":\"guest\""), "result"), "deviceId");
    QVERIFY2(guestId > 0, guest.seen().constData());
    QVERIFY(!guest.lineWith("\"ready\"").isEmpty());
    QCOMPARE(guestDirs().size(), 1);
    // Bob forgot to sign out at Alice's: he ends the guest device from his own.
    const Run ended = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("sign-out-device"), QString::number(guestId) });
    QVERIFY2(ended.exitCode == 0, qPrintable(ended.describe()));
    const QJsonObject error = guest.lineWith("\"device_signed_out\"");
    QVERIFY2(!error.isEmpty(), guest.seen().constData());
    QCOMPARE(guest.waitForExit(), 1);
    QVERIFY2(guestDirs().isEmpty(), qPrintable(guestDirs().join(u' ')));
}

void tst_Cli::testSignOutInAShellSignsThisDeviceOut()
{
    const QString dir = profile(QStringLiteral("bob-leaving"));
    qint64 id = 0;
    registerNamed(dir, Bob, QStringLiteral("Bob leaving"), &id);
    Shell shell(dir);
    QVERIFY(!shell.lineWith("\"ready\"").isEmpty());
    shell.write("sign-out");
    const QJsonObject signedOut = member(shell.lineWith("\"command\":\"sign-out\""), "result");
    QCOMPARE(number(signedOut, "signedOut"), id);
    QCOMPARE(shell.waitForExit(), 0);
    QVERIFY(!deviceIds(profile(QStringLiteral("bob"))).contains(id));
    const Run after = cli(dir, { QStringLiteral("whoami") });
    QCOMPARE(after.exitCode, 1);
    QVERIFY2(after.errorCode() == QLatin1StringView("no_account"), qPrintable(after.describe()));
}

QTEST_GUILESS_MAIN(tst_Cli)
// MSG-1 through cpm-cli: send --attach, the message lists them, download verifies and
// resumes a PATH.part, files and delete-file; a bad file is refused before anything queues.
void tst_Cli::testAttachmentsSendDownloadFilesAndDelete()
{
    const QString picture = m_dir.filePath(QStringLiteral("beach.jpg"));
    const QString notes = m_dir.filePath(QStringLiteral("notes.txt"));
    QByteArray pictureBytes;
    for (int i = 0; i < 700000; ++i) {
        pictureBytes.append(char((i * 31 + i / 7) & 0xff));
    }
    for (const auto& [path, bytes] :
        { std::pair(picture, pictureBytes), std::pair(notes, QByteArray("Room 12, 8 pm\n")) }) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    const Run missing = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("send"), QStringLiteral("--to"), Bob, QStringLiteral("--attach"),
            m_dir.filePath(QStringLiteral("nope.jpg")) });
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.errorCode() == QStringLiteral("not_found"), qPrintable(missing.describe()));

    const Run sent = cli(profile(QStringLiteral("alice")),
        { QStringLiteral("send"), QStringLiteral("--to"), Bob, QStringLiteral("--attach"), picture,
            QStringLiteral("--attach"), notes, QStringLiteral("two"), QStringLiteral("files") });
    QVERIFY2(sent.exitCode == 0, qPrintable(sent.describe()));
    const qint64 id = sent.answer.value(QLatin1StringView("id")).toInteger();
    QVERIFY2(id > 0, qPrintable(sent.describe()));
    const QJsonArray listed = sent.answer.value(QLatin1StringView("attachments")).toArray();
    QCOMPARE(listed.size(), 2);
    const QJsonObject first = listed.at(0).toObject();
    QCOMPARE(first.value(QLatin1StringView("name")).toString(), QStringLiteral("beach.jpg"));
    QCOMPARE(first.value(QLatin1StringView("type")).toString(), QStringLiteral("image/jpeg"));
    QCOMPARE(first.value(QLatin1StringView("size")).toInteger(), pictureBytes.size());
    QCOMPARE(first.value(QLatin1StringView("sha256")).toString(),
        QString::fromLatin1(
            QCryptographicHash::hash(pictureBytes, QCryptographicHash::Sha256).toHex()));
    const QString pictureId = first.value(QLatin1StringView("id")).toString();

    // Bob: both files into a directory, verified.
    const Run synced = cli(profile(QStringLiteral("bob")), { QStringLiteral("sync") });
    QVERIFY2(synced.exitCode == 0, qPrintable(synced.describe()));
    const QString out = m_dir.filePath(QStringLiteral("bob-files"));
    const Run all = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("download"), QString::number(id), QStringLiteral("--to"), out });
    QVERIFY2(all.exitCode == 0, qPrintable(all.describe()));
    QCOMPARE(all.answer.value(QLatin1StringView("saved")).toArray().size(), 2);
    QFile got(out + QStringLiteral("/beach.jpg"));
    QVERIFY(got.open(QIODevice::ReadOnly));
    QCOMPARE(got.readAll(), pictureBytes);

    // One of them to a path where an earlier run left part of it: it goes on from there.
    const QString one = m_dir.filePath(QStringLiteral("again.jpg"));
    {
        QFile part(one + QStringLiteral(".part"));
        QVERIFY(part.open(QIODevice::WriteOnly));
        part.write(pictureBytes.left(300001));
    }
    const Run resumed = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("download"), QString::number(id), QStringLiteral("--attachment"),
            pictureId, QStringLiteral("--to"), one });
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    QFile again(one);
    QVERIFY(again.open(QIODevice::ReadOnly));
    QCOMPARE(again.readAll(), pictureBytes);
    QVERIFY(!QFile::exists(one + QStringLiteral(".part")));

    // Alice's network storage lists them; deleting one makes it unavailable to Bob.
    const Run files = cli(profile(QStringLiteral("alice")), { QStringLiteral("files") });
    QVERIFY2(files.exitCode == 0, qPrintable(files.describe()));
    QVERIFY(files.answer.value(QLatin1StringView("usedBytes")).toInteger() >= pictureBytes.size());
    QVERIFY2(files.out.contains(pictureId.toLatin1()), qPrintable(files.describe()));
    const Run deleted
        = cli(profile(QStringLiteral("alice")), { QStringLiteral("delete-file"), pictureId });
    QVERIFY2(deleted.exitCode == 0, qPrintable(deleted.describe()));
    const Run gone = cli(profile(QStringLiteral("bob")),
        { QStringLiteral("download"), QString::number(id), QStringLiteral("--attachment"),
            pictureId, QStringLiteral("--to"), m_dir.filePath(QStringLiteral("gone.jpg")) });
    QCOMPARE(gone.exitCode, 1);
    QVERIFY2(gone.errorCode() == QStringLiteral("not_found"), qPrintable(gone.describe()));
    const Run usage = cli(
        profile(QStringLiteral("alice")), { QStringLiteral("delete-file"), QStringLiteral("x") });
    QCOMPARE(usage.exitCode, 2);
}

#include "tst_cli.moc"
