// SPDX-License-Identifier: GPL-3.0-or-later
#include "testpostgres.h"

#include <QCollator>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QtDebug>

#include <algorithm>
#include <pwd.h>
#include <unistd.h>

namespace cpm::test {

namespace {
constexpr int StepTimeoutMs = 60000;
const QString Owner = QStringLiteral("postgres");
} // namespace

TestPostgres::TestPostgres()
    : m_bin(binDir())
{
}

TestPostgres::~TestPostgres() { stop(); }

QString TestPostgres::binDir()
{
    if (const QString dir = qEnvironmentVariable("CPM_PG_BINDIR"); !dir.isEmpty()) {
        return dir;
    }
    QStringList versions
        = QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCollator numeric;
    numeric.setNumericMode(true);
    std::sort(versions.begin(), versions.end(),
        [&](const QString& a, const QString& b) { return numeric.compare(a, b) > 0; });
    for (const QString& version : std::as_const(versions)) {
        const QString bin = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(version);
        if (QFileInfo(bin + QStringLiteral("/initdb")).isExecutable()) {
            return bin;
        }
    }
    return {};
}

bool TestPostgres::run(const QString& program, const QStringList& arguments, QByteArray* output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir.path());
    const QString path = m_bin + QLatin1Char('/') + program;
    if (::geteuid() == 0) {
        process.start(QStringLiteral("runuser"),
            QStringList { QStringLiteral("-u"), Owner, QStringLiteral("--"), path } + arguments);
    } else {
        process.start(path, arguments);
    }
    const bool finished = process.waitForFinished(StepTimeoutMs);
    const QByteArray out = process.readAll();
    if (output) {
        *output = out;
    }
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qCritical().noquote() << "TestPostgres:" << program << arguments.join(u' ')
                              << (finished ? QStringLiteral("failed") : QStringLiteral("hung"))
                              << process.errorString() << '\n'
                              << QString::fromLocal8Bit(out);
        if (!finished) {
            process.kill();
            process.waitForFinished();
        }
        return false;
    }
    return true;
}

bool TestPostgres::start()
{
    if (m_running) {
        return true;
    }
    if (!m_dir.isValid()) {
        qCritical("TestPostgres: no temporary directory");
        return false;
    }
    if (m_bin.isEmpty() || !QFileInfo(m_bin + QStringLiteral("/initdb")).isExecutable()) {
        qCritical().noquote() << "TestPostgres: no PostgreSQL server programs (initdb, pg_ctl) in"
                              << (m_bin.isEmpty() ? QStringLiteral("/usr/lib/postgresql/*/bin")
                                                  : m_bin)
                              << "- scripts/install-deps.sh installs Debian's postgresql-15";
        return false;
    }
    if (::geteuid() == 0) {
        // PostgreSQL will not run as root: the cluster is the `postgres` user's.
        const passwd* owner = ::getpwnam(qPrintable(Owner));
        if (!owner) {
            qCritical("TestPostgres: running as root, and there is no user 'postgres' to run "
                      "the cluster as (Debian's postgresql package creates it)");
            return false;
        }
        if (::chown(QFile::encodeName(m_dir.path()).constData(), owner->pw_uid, owner->pw_gid)
            != 0) {
            qCritical() << "TestPostgres: cannot hand" << m_dir.path() << "to postgres";
            return false;
        }
    }
    const QString data = m_dir.filePath(QStringLiteral("data"));
    if (!m_initialised) {
        // Trust on the socket only (no TCP is opened); no fsync while creating what is
        // thrown away at the end anyway.
        if (!run(QStringLiteral("initdb"),
                { QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("cpm"),
                    QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                    QStringLiteral("--locale=C"), QStringLiteral("--no-sync") })) {
            return false;
        }
        m_initialised = true;
    }
    // fsync=off: a commit still reaches the kernel before PostgreSQL answers, so it
    // survives any process being killed — what the tests do; only the machine's crash
    // would lose it, and the cluster is thrown away anyway.
    const QString options = QStringLiteral("-k %1 -p %2 -c listen_addresses='' -c fsync=off")
                                .arg(m_dir.path())
                                .arg(Port);
    if (!run(QStringLiteral("pg_ctl"),
            { QStringLiteral("-D"), data, QStringLiteral("-l"),
                m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
                QStringLiteral("-t"), QString::number(StepTimeoutMs / 1000), QStringLiteral("-o"),
                options, QStringLiteral("start") })) {
        qCritical().noquote() << "TestPostgres: the server's log:\n" << QString::fromUtf8(log());
        return false;
    }
    m_running = true;
    return true;
}

void TestPostgres::stop()
{
    if (!m_running) {
        return;
    }
    m_running = false;
    run(QStringLiteral("pg_ctl"),
        { QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-m"),
            QStringLiteral("fast"), QStringLiteral("-w"), QStringLiteral("stop") });
}

QString TestPostgres::connectionString(const QString& database) const
{
    return QStringLiteral("host=%1 port=%2 dbname=%3 user=cpm")
        .arg(m_dir.path())
        .arg(Port)
        .arg(database);
}

QString TestPostgres::uri(const QString& database) const
{
    return QStringLiteral("postgresql://cpm@/%1?host=%2&port=%3")
        .arg(database, m_dir.path())
        .arg(Port);
}

bool TestPostgres::createDatabase(const QString& name)
{
    return m_running
        && run(QStringLiteral("createdb"),
            { QStringLiteral("-h"), m_dir.path(), QStringLiteral("-p"), QString::number(Port),
                QStringLiteral("-U"), QStringLiteral("cpm"), name });
}

QByteArray TestPostgres::log() const
{
    QFile file(m_dir.filePath(QStringLiteral("server.log")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool TestPostgres::requested()
{
    return qEnvironmentVariable("CPM_TEST_STORE") == QLatin1StringView("postgresql");
}

QString TestPostgres::newDatabase()
{
    static std::unique_ptr<TestPostgres> cluster;
    static bool tried = false;
    static int databases = 0;
    if (!tried) {
        tried = true;
        cluster = std::make_unique<TestPostgres>();
        if (cluster->start()) {
            // Stopped with the application, after the tests' servers and stores are gone.
            qAddPostRoutine([] { cluster.reset(); });
        } else {
            cluster.reset();
        }
    }
    const QString name = QStringLiteral("cpm_%1").arg(++databases);
    return cluster && cluster->createDatabase(name) ? cluster->uri(name) : QString();
}

} // namespace cpm::test
