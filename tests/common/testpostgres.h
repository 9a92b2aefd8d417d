// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A throwaway PostgreSQL cluster for one test (issue 13): `initdb` into a temporary
// directory, `postgres` listening only on a Unix socket in that directory, stopped and
// removed at the end. Nothing of the machine's own PostgreSQL service is used. PostgreSQL
// refuses to run as root, so when the test runs as root (CI) the cluster belongs to the
// `postgres` user that Debian's package creates. start() fails loudly — a qCritical with
// the reason and false — when it cannot run: tests QVERIFY it, they never skip.

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cpm::test {

class TestPostgres final {
public:
    TestPostgres();
    //! Stops the cluster (fast shutdown) and removes its directory.
    ~TestPostgres();
    TestPostgres(const TestPostgres&) = delete;
    TestPostgres& operator=(const TestPostgres&) = delete;

    //! Creates the cluster (superuser `cpm`, trust on the socket only) and starts it.
    bool start();
    //! Fast shutdown; start() may follow on the same data.
    void stop();
    bool isRunning() const { return m_running; }

    //! The directory holding the socket (libpq's `host`), and the socket's port number.
    QString socketDir() const { return m_dir.path(); }
    int port() const { return Port; }
    //! A libpq connection string for \a database as the superuser.
    QString connectionString(const QString& database = QStringLiteral("postgres")) const;
    //! The same as a URI, the form `cpm-server --store` takes.
    QString uri(const QString& database = QStringLiteral("postgres")) const;
    //! Creates an empty database \a name in the running cluster (`createdb`).
    bool createDatabase(const QString& name);
    //! The server's log so far (printed by start() when it fails).
    QByteArray log() const;

    /*!
     * Where initdb, pg_ctl and postgres are: $CPM_PG_BINDIR, else the newest
     * /usr/lib/postgresql/N/bin (Debian's layout); empty when there is none.
     */
    static QString binDir();

    //! Whether the test runs on PostgreSQL ($CPM_TEST_STORE=postgresql, the `.postgresql`
    //! variants of ctest).
    static bool requested();
    /*!
     * A new empty database in the test process's own cluster, as a URI: the cluster starts
     * at the first call (initdb once: seconds under the sanitizers) and stops when the
     * application ends; each database costs a fraction of a second. Empty, after saying
     * why, when the cluster cannot start.
     */
    static QString newDatabase();

private:
    static constexpr int Port = 5432; // only names the socket file: no TCP is opened
    //! Runs \a program of binDir() with \a arguments as the cluster's owner; true on exit 0.
    bool run(const QString& program, const QStringList& arguments, QByteArray* output = nullptr);

    QTemporaryDir m_dir;
    QString m_bin;
    bool m_initialised = false;
    bool m_running = false;
};

} // namespace cpm::test
