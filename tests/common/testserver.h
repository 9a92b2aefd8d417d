// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A real cpm-server for integration tests: its own temporary data directory, a free
// loopback port, the admin CLI for accounts and settings, and kill/restart to test
// durability. The server's stderr goes to a log file that is printed when things fail.

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace cpm::test {

class TestPostgres;

class TestServer final {
    Q_DISABLE_COPY_MOVE(TestServer)

public:
    //! The binary is CPM_SERVER_BINARY (environment first, then the build's path).
    TestServer();
    //! Stops the server (SIGTERM) if it still runs; the data directory is removed.
    ~TestServer();

    //! Starts the server on 127.0.0.1, any free port, and waits (≤ 10 s) until it listens.
    bool start();
    //! For the next start(): more command-line arguments (e.g. `--backlog 77`).
    void setExtraArguments(const QStringList& arguments) { m_extraArguments = arguments; }
    //! For the next start(): the server's soft and hard file-descriptor limit.
    void setFileLimit(int descriptors) { m_fileLimit = descriptors; }
    //! For the next start(): an environment variable of the server (appended to with
    //! \a separator when it is set already, as ASAN_OPTIONS with ':').
    void addEnvironment(const QString& name, const QString& value, const QString& separator);
    //! For the next start(): the server runs without the environment variable \a name.
    void removeEnvironment(const QString& name) { m_environment.remove(name); }
    //! The server's process id while running, else 0.
    qint64 pid() const;
    //! The server's resident memory in bytes (VmRSS of /proc/PID/status), or -1.
    qint64 residentBytes() const;
    /*!
     * Starts the server with its data directory on a file system of its own: a tmpfs of
     * \a bytes in a private mount namespace (unshare(1); root, as on CI). A full disk is
     * then real: SQLite gets ENOSPC from the kernel. The test reaches that disk through
     * dataDir() (the server's /proc/PID/root), e.g. to fill it with a file. With
     * \a readOnly the file system is remounted read-only after the store was created, so
     * the server is expected to refuse to start: then false, see exitCode() and log().
     */
    bool startOnOwnDisk(qint64 bytes, bool readOnly = false);
    //! The exit code of a server that stopped (or -1 while running).
    int exitCode() const;
    //! Stops (SIGTERM) if running and starts again on the same data directory; the port
    //! may change, so read url() again.
    bool restart();
    //! SIGTERM, then waits for the exit (SIGKILL after 10 s).
    void stop();
    //! SIGKILL: no shutdown code runs, as in a crash or power cut of the process.
    void kill();
    bool isRunning() const;

    //! `ws://127.0.0.1:PORT/` while running.
    QUrl url() const { return m_url; }
    QString dataDir() const;
    //! For the next start(): \a path as the data directory instead of one of its own, so
    //! that several nodes on one PostgreSQL store share the attachments (docs/scaling.md).
    void setDataDir(const QString& path) { m_sharedData = path; }

    //! Creates an account with the admin CLI (`user add`).
    bool addUser(const QString& address, const QString& password);
    //! Changes an operator setting (`settings set`); a running server sees it at once.
    bool setSetting(const QString& key, const QString& value);
    //! `user enable` / `user disable`.
    bool setUserEnabled(const QString& address, bool enabled);
    /*!
     * The store of the server and its admin commands: empty for SQLite in the data
     * directory, or a PostgreSQL URI (several TestServers on one database are several
     * nodes). Unless set, $CPM_TEST_STORE decides: `postgresql` gives this server a
     * database of its own in a throwaway cluster (TestPostgres) that the test process
     * starts on first use and stops when its QCoreApplication ends; the ctest entries
     * named `*.postgresql` run a whole suite that way.
     */
    void setStore(const QString& store)
    {
        m_store = store;
        m_storeChosen = true;
    }
    //! The store in use ("" for SQLite); starts the cluster of $CPM_TEST_STORE if needed.
    QString store() const;
    //! Whether this run's servers use PostgreSQL ($CPM_TEST_STORE), for tests of SQLite's own
    //! behaviour (its file, a full disk) to say they do not apply.
    static bool storeIsPostgres();

    //! Runs `cpm-server --data DIR <args>`; true on exit code 0. \a output gets stdout.
    bool runAdmin(const QStringList& args, QByteArray* output = nullptr) const;

    //! What the server wrote to stderr so far (all runs).
    QByteArray log() const;
    //! Prints log() with qWarning (call when a test fails).
    void dumpLog() const;

    static QString binary();

private:
    bool launch(const QString& program, const QStringList& arguments);

    //! `--store URI` when the store is PostgreSQL; false when its cluster cannot start.
    bool storeArguments(QStringList* arguments) const;

    QTemporaryDir m_dir;
    QString m_sharedData;
    mutable QString m_store;
    mutable bool m_storeChosen = false;
    //! The mount point of startOnOwnDisk(), as the server sees it; empty otherwise.
    QString m_ownDisk;
    std::unique_ptr<QProcess> m_process;
    QUrl m_url;
    mutable int m_passwordFiles = 0;
    QStringList m_extraArguments;
    int m_fileLimit = 0;
    QProcessEnvironment m_environment = QProcessEnvironment::systemEnvironment();
};

} // namespace cpm::test
