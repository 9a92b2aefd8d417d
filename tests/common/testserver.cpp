// SPDX-License-Identifier: GPL-3.0-or-later
#include "testserver.h"

#include "privatemount.h"
#include "testpostgres.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QtDebug>

#include <sys/resource.h>

namespace cpm::test {

namespace {
constexpr int StartTimeoutMs = 10000;
// Argon2 in the admin CLI is slow under sanitizers.
constexpr int AdminTimeoutMs = 60000;
} // namespace

TestServer::TestServer() = default;

TestServer::~TestServer() { stop(); }

bool TestServer::storeIsPostgres() { return TestPostgres::requested(); }

QString TestServer::store() const
{
    if (!m_storeChosen) {
        m_storeChosen = true;
        if (storeIsPostgres()) {
            // TestPostgres says why when it fails; the server then refuses to start too.
            const QString uri = TestPostgres::newDatabase();
            m_store = uri.isEmpty() ? QStringLiteral("postgresql://") : uri;
        }
    }
    return m_store;
}

bool TestServer::storeArguments(QStringList* arguments) const
{
    const QString chosen = store();
    if (chosen == QLatin1StringView("postgresql://")) {
        qCritical("TestServer: $CPM_TEST_STORE asks for PostgreSQL, which cannot start here");
        return false;
    }
    if (!chosen.isEmpty()) {
        *arguments << QStringLiteral("--store") << chosen;
    }
    return true;
}

QString TestServer::binary()
{
    const QString fromEnv = qEnvironmentVariable("CPM_SERVER_BINARY");
    if (!fromEnv.isEmpty()) {
        return fromEnv;
    }
#ifdef CPM_SERVER_BINARY
    return QStringLiteral(CPM_SERVER_BINARY);
#else
    return QStringLiteral("cpm-server");
#endif
}

QString TestServer::dataDir() const
{
    if (!m_ownDisk.isEmpty()) {
        // The server's mount namespace, seen from ours: its data directory.
        return QStringLiteral("/proc/%1/root%2/data")
            .arg(m_process ? m_process->processId() : 0)
            .arg(m_ownDisk);
    }
    return m_sharedData.isEmpty() ? m_dir.filePath(QStringLiteral("data")) : m_sharedData;
}

int TestServer::exitCode() const
{
    return m_process && m_process->state() == QProcess::NotRunning ? m_process->exitCode() : -1;
}

bool TestServer::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool TestServer::start()
{
    if (isRunning()) {
        return true;
    }
    if (!m_dir.isValid()) {
        qWarning("TestServer: no temporary directory");
        return false;
    }
    m_ownDisk.clear();
    QStringList arguments { QStringLiteral("--data"), dataDir(), QStringLiteral("--listen"),
        QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("0") };
    if (!storeArguments(&arguments)) {
        return false;
    }
    return launch(binary(), arguments + m_extraArguments);
}

void TestServer::addEnvironment(const QString& name, const QString& value, const QString& separator)
{
    const QString old = m_environment.value(name);
    m_environment.insert(name, old.isEmpty() ? value : old + separator + value);
}

qint64 TestServer::pid() const { return isRunning() ? m_process->processId() : 0; }

qint64 TestServer::residentBytes() const
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
    if (pid() == 0 || !status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    static const QRegularExpression rss(
        QStringLiteral("^VmRSS:\\s+(\\d+) kB$"), QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = rss.match(QString::fromLatin1(status.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() * 1024 : -1;
}

bool TestServer::startOnOwnDisk(qint64 bytes, bool readOnly)
{
    if (isRunning()) {
        return true;
    }
    const QString mountPoint = m_dir.filePath(QStringLiteral("disk"));
    if (!QDir().mkpath(mountPoint)) {
        qWarning() << "TestServer: cannot make" << mountPoint;
        return false;
    }
    // $0 is the mount point, $1 the server binary. A read-only disk gets its store first, so
    // the server finds a database it cannot write.
    QString script = QStringLiteral(
        "mount -t tmpfs -o size=%1 cpm-test-disk \"$0\" || exit 97; mkdir -m 700 \"$0/data\";")
                         .arg(bytes);
    if (readOnly) {
        script += QStringLiteral("\"$1\" --data \"$0/data\" settings list >/dev/null || exit 98;"
                                 " mount -o remount,bind,ro \"$0\" || exit 97;");
    }
    script += QStringLiteral("exec \"$1\" --data \"$0/data\" --listen 127.0.0.1 --port 0");
    m_ownDisk = mountPoint;
    return launch(QStringLiteral("unshare"),
        privateMountNamespace()
            + QStringList {
                QStringLiteral("sh"), QStringLiteral("-c"), script, mountPoint, binary() });
}

bool TestServer::launch(const QString& program, const QStringList& arguments)
{
    m_url.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    m_process->setProcessEnvironment(m_environment);
    if (m_fileLimit > 0) {
        // Runs in the child between fork and exec: only async-signal-safe calls.
        const rlim_t limit = static_cast<rlim_t>(m_fileLimit);
        m_process->setChildProcessModifier([limit] {
            const rlimit r { limit, limit };
            setrlimit(RLIMIT_NOFILE, &r);
        });
    }
    // A file, not a pipe: a chatty server can never block on a full pipe nobody reads.
    m_process->setStandardErrorFile(
        m_dir.filePath(QStringLiteral("server.log")), QIODevice::Append);
    m_process->start();
    if (!m_process->waitForStarted(StartTimeoutMs)) {
        qWarning() << "TestServer: cannot start" << program << m_process->errorString();
        return false;
    }
    static const QRegularExpression listening(
        QStringLiteral("cpm-server listening on (wss?://\\S+)"));
    QByteArray out;
    QDeadlineTimer deadline(StartTimeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->canReadLine()
            || m_process->waitForReadyRead(
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime())))) {
            out += m_process->readAllStandardOutput();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(out));
            if (match.hasMatch()) {
                m_url = QUrl(match.captured(1));
                return true;
            }
        } else if (m_process->state() == QProcess::NotRunning) {
            break;
        }
    }
    if (m_process->state() == QProcess::NotRunning) {
        // It refused to start: the caller looks at exitCode() and log().
        if (m_process->exitCode() == 97) {
            qWarning() << "TestServer: cannot mount a file system of its own for the server"
                          " (needs root or user namespaces):"
                       << log();
        }
        return false;
    }
    qWarning() << "TestServer: the server did not report listening; stdout:" << out;
    dumpLog();
    kill();
    return false;
}

bool TestServer::restart()
{
    stop();
    return start();
}

void TestServer::stop()
{
    if (!isRunning()) {
        return;
    }
    m_process->terminate();
    if (!m_process->waitForFinished(10000)) {
        qWarning("TestServer: no exit 10 s after SIGTERM; killing");
        kill();
        return;
    }
    if (m_process->exitStatus() != QProcess::NormalExit || m_process->exitCode() != 0) {
        qWarning() << "TestServer: the server exited with" << m_process->exitCode();
        dumpLog();
    }
    m_url.clear();
}

void TestServer::kill()
{
    if (!isRunning()) {
        return;
    }
    m_process->kill();
    m_process->waitForFinished(10000);
    m_url.clear();
}

bool TestServer::runAdmin(const QStringList& args, QByteArray* output) const
{
    QProcess admin;
    if (m_ownDisk.isEmpty()) {
        QStringList arguments { QStringLiteral("--data"), dataDir() };
        if (!storeArguments(&arguments)) {
            return false;
        }
        admin.setProgram(binary());
        admin.setArguments(arguments + args);
    } else {
        // SQLite resolves /proc/PID/root back to our own root: the admin CLI has to run in
        // the server's mount namespace to see its disk.
        admin.setProgram(QStringLiteral("nsenter"));
        admin.setArguments(enterPrivateMountNamespace(m_process ? m_process->processId() : 0)
            + QStringList { QStringLiteral("--"), binary(), QStringLiteral("--data"),
                m_ownDisk + QStringLiteral("/data") }
            + args);
    }
    admin.start();
    if (!admin.waitForFinished(AdminTimeoutMs)) {
        qWarning() << "TestServer: admin command timed out:" << args;
        admin.kill();
        admin.waitForFinished();
        return false;
    }
    const QByteArray out = admin.readAllStandardOutput();
    if (output) {
        *output = out;
    }
    if (admin.exitStatus() != QProcess::NormalExit || admin.exitCode() != 0) {
        qWarning() << "TestServer: admin command" << args << "failed with" << admin.exitCode()
                   << admin.readAllStandardError();
        return false;
    }
    return true;
}

bool TestServer::addUser(const QString& address, const QString& password)
{
    // The password travels in a file, as an operator would do it (never in argv).
    const QString file = m_dir.filePath(QStringLiteral("password-%1").arg(++m_passwordFiles));
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(password.toUtf8() + '\n') < 0) {
        return false;
    }
    f.close();
    const bool ok = runAdmin({ QStringLiteral("user"), QStringLiteral("add"), address,
        QStringLiteral("--password-file"), file });
    QFile::remove(file);
    return ok;
}

bool TestServer::setSetting(const QString& key, const QString& value)
{
    return runAdmin({ QStringLiteral("settings"), QStringLiteral("set"), key, value });
}

bool TestServer::setUserEnabled(const QString& address, bool enabled)
{
    return runAdmin({ QStringLiteral("user"),
        enabled ? QStringLiteral("enable") : QStringLiteral("disable"), address });
}

QByteArray TestServer::log() const
{
    QFile f(m_dir.filePath(QStringLiteral("server.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestServer::dumpLog() const
{
    const QByteArray text = log();
    qInfo().noquote() << "---- cpm-server log ----\n"
                      << QString::fromUtf8(text) << "\n---- end of log ----";
}

} // namespace cpm::test
