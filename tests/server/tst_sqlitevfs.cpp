// SPDX-License-Identifier: GPL-3.0-or-later
// The server's SQLite VFS (server/store/sqlitevfs.h), which writes a commit's WAL frames in
// one system call: that it does, that the commit is on the file (and visible to another
// connection) when COMMIT returns, that a process killed between commits loses none of them
// and leaves a sound database, and that a write that fails fails the COMMIT.

#include "sqlitevfs.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <functional>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cpm::server;

namespace {

// A WAL frame: its 24-byte header and a page of SQLite's default 4,096 bytes.
constexpr qint64 FrameBytes = 24 + 4096;
constexpr qint64 WalHeaderBytes = 32;

//! The write system calls this process has made so far (/proc/self/io, "syscw").
qint64 writeCalls()
{
    QFile io(QStringLiteral("/proc/self/io"));
    if (!io.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("syscw: (\\d+)"))
                                          .match(QString::fromLatin1(io.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

//! Opens \a path in WAL mode through \a vfs (null: SQLite's default), one table `t`.
sqlite3* openDb(const QString& path, const char* vfs)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs)
        != SQLITE_OK) {
        sqlite3_close(db);
        return nullptr;
    }
    const char* setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        " PRAGMA wal_autocheckpoint=0;"
                        " CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB);";
    if (sqlite3_exec(db, setup, nullptr, nullptr, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return nullptr;
    }
    return db;
}

//! One transaction of \a rows rows of 2,000 bytes: about a page per two rows.
int insertRows(sqlite3* db, int rows)
{
    int rc = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < rows && rc == SQLITE_OK; ++i) {
        rc = sqlite3_exec(
            db, "INSERT INTO t (body) VALUES (randomblob(2000))", nullptr, nullptr, nullptr);
    }
    if (rc != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return rc;
    }
    return sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
}

qint64 scalar(sqlite3* db, const char* sql)
{
    sqlite3_stmt* s = nullptr;
    qint64 value = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK
        && sqlite3_step(s) == SQLITE_ROW) {
        value = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return value;
}

QString integrity(sqlite3* db)
{
    sqlite3_stmt* s = nullptr;
    QString result;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK
        && sqlite3_step(s) == SQLITE_ROW) {
        result = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    }
    sqlite3_finalize(s);
    return result;
}

enum class AfterLast { KeepCommitting, Stop };

/*!
 * Runs \a commit over and over in a child process on \a path (through the gathering VFS),
 * each call one or more commits that return the rows committed so far (-1: failed), and
 * kills the child with SIGKILL, as a crash would, once it has reported \a until. With
 * AfterLast::KeepCommitting it is killed in the middle of its next commits. Returns the
 * last total the child reported, or -1 when it failed or stopped by itself.
 */
qint64 commitInAChildThenKillIt(const QString& path, qint64 until, AfterLast after,
    const std::function<qint64(sqlite3*)>& commit)
{
    int pipeFds[2];
    if (::pipe(pipeFds) != 0) {
        return -1;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        return -1;
    }
    if (child == 0) {
        ::close(pipeFds[0]);
        sqlite3* db = openDb(path, sqlitevfs::name());
        if (!db) {
            ::_exit(2);
        }
        for (qint64 total = 0; total < until || after == AfterLast::KeepCommitting;) {
            total = commit(db);
            if (total < 0) {
                ::_exit(3);
            }
            if (::write(pipeFds[1], &total, sizeof total) != sizeof total) {
                ::_exit(4);
            }
        }
        for (;;) {
            ::pause(); // killed here: nothing else is done to the files
        }
    }
    ::close(pipeFds[1]);
    qint64 reported = 0;
    qint64 value = 0;
    while (reported < until && ::read(pipeFds[0], &value, sizeof value) == sizeof value) {
        reported = value;
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(pipeFds[0]);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? reported : -1;
}

} // namespace

class tst_SqliteVfs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void testACommitIsOneWriteAndOnTheFileWhenItReturns();
    void testALargeCommitIsWrittenInPieces();
    void testCommitsOfEverySizeAreWholeOnTheFile();
    void testAKilledWriterLosesNoCommit();
    void testARecomputedCommitSurvivesAKill();
    void testARolledBackSpillIsNeverWrittenOverAnotherWriter();
    void testAFailedWriteFailsTheCommit();

private:
    QTemporaryDir m_dir;
};

void tst_SqliteVfs::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(sqlitevfs::name() != nullptr, "SQLite has no \"unix\" VFS to build on");
    QVERIFY2(writeCalls() >= 0, "/proc/self/io has no syscw: the kernel counts no I/O");
}

void tst_SqliteVfs::testACommitIsOneWriteAndOnTheFileWhenItReturns()
{
    const QString path = m_dir.filePath(QStringLiteral("one.sqlite"));
    sqlite3* db = openDb(path, sqlitevfs::name());
    QVERIFY(db);
    QCOMPARE(insertRows(db, 1), SQLITE_OK); // the WAL's header and first frames
    const qint64 walBefore = QFileInfo(path + QStringLiteral("-wal")).size();

    const qint64 callsBefore = writeCalls();
    const int inserted = insertRows(db, 20);
    const qint64 calls = writeCalls() - callsBefore; // before anything logs
    QCOMPARE(inserted, SQLITE_OK);

    // On the file when COMMIT returns: the WAL grew by whole frames, more than a few.
    const qint64 grown = QFileInfo(path + QStringLiteral("-wal")).size() - walBefore;
    QCOMPARE(grown % FrameBytes, 0);
    const qint64 frames = grown / FrameBytes;
    QVERIFY2(frames >= 8, qPrintable(QStringLiteral("%1 frames").arg(frames)));
    // SQLite's own VFS writes each frame in two calls; here the commit is one.
    QVERIFY2(calls == 1,
        qPrintable(QStringLiteral("%1 write calls for %2 frames").arg(calls).arg(frames)));

    // Another connection, through SQLite's own VFS, sees all of it at once.
    sqlite3* other = openDb(path, nullptr);
    QVERIFY(other);
    QCOMPARE(scalar(other, "SELECT COUNT(*) FROM t"), 21);
    sqlite3_close(other);

    // The same commit through SQLite's own VFS, for comparison: two calls a frame.
    const QString plainPath = m_dir.filePath(QStringLiteral("plain.sqlite"));
    sqlite3* plain = openDb(plainPath, nullptr);
    QVERIFY(plain);
    QCOMPARE(insertRows(plain, 1), SQLITE_OK);
    const qint64 plainBefore = writeCalls();
    const int plainInserted = insertRows(plain, 20);
    const qint64 plainCalls = writeCalls() - plainBefore;
    QCOMPARE(plainInserted, SQLITE_OK);
    QVERIFY(plainCalls >= 2 * frames);
    sqlite3_close(plain);
    sqlite3_close(db);
}

void tst_SqliteVfs::testALargeCommitIsWrittenInPieces()
{
    const QString path = m_dir.filePath(QStringLiteral("large.sqlite"));
    sqlite3* db = openDb(path, sqlitevfs::name());
    QVERIFY(db);
    QCOMPARE(insertRows(db, 1), SQLITE_OK);
    const qint64 walBefore = QFileInfo(path + QStringLiteral("-wal")).size();
    const qint64 callsBefore = writeCalls();
    // ~500 pages: 2 MB, far over what one write may carry (sqlitevfs::MaxGathered).
    const int inserted = insertRows(db, 1000);
    const qint64 calls = writeCalls() - callsBefore;
    QCOMPARE(inserted, SQLITE_OK);
    const qint64 grown = QFileInfo(path + QStringLiteral("-wal")).size() - walBefore;
    const qint64 pieces
        = (grown + qint64(sqlitevfs::MaxGathered) - 1) / qint64(sqlitevfs::MaxGathered);
    QVERIFY2(calls >= pieces && calls <= 2 * pieces,
        qPrintable(QStringLiteral("%1 calls for %2 bytes").arg(calls).arg(grown)));
    sqlite3_close(db);

    sqlite3* reopened = openDb(path, nullptr);
    QVERIFY(reopened);
    QCOMPARE(scalar(reopened, "SELECT COUNT(*) FROM t"), 1001);
    QCOMPARE(integrity(reopened), QStringLiteral("ok"));
    sqlite3_close(reopened);
}

void tst_SqliteVfs::testCommitsOfEverySizeAreWholeOnTheFile()
{
    // Commits of 1 to ~90 frames, across the sizes where a commit no longer fits one write
    // (31 frames of 4 KiB pages do, 32 do not): when COMMIT returns, the WAL on the disk
    // ends with the commit's last frame, and another connection reads a sound database.
    const QString path = m_dir.filePath(QStringLiteral("sizes.sqlite"));
    const QString walPath = path + QStringLiteral("-wal");
    sqlite3* db = openDb(path, sqlitevfs::name());
    QVERIFY(db);
    sqlite3* other = openDb(path, nullptr);
    QVERIFY(other);
    qint64 rows = 0;
    for (int n = 1; n <= 180; n += 1 + n / 40) {
        QCOMPARE(insertRows(db, n), SQLITE_OK);
        rows += n;
        const qint64 walSize = QFileInfo(walPath).size();
        QVERIFY2((walSize - WalHeaderBytes) % FrameBytes == 0,
            qPrintable(QStringLiteral("after %1 rows the WAL is %2 bytes").arg(n).arg(walSize)));
        QCOMPARE(scalar(other, "SELECT COUNT(*) FROM t"), rows);
        QCOMPARE(integrity(other), QStringLiteral("ok"));
    }
    sqlite3_close(other);
    sqlite3_close(db);
}

void tst_SqliteVfs::testAKilledWriterLosesNoCommit()
{
    // A child commits transactions one after the other and says after each how many rows
    // are committed; it is killed mid-stream. Every commit it reported must be there.
    const QString path = m_dir.filePath(QStringLiteral("killed.sqlite"));
    qint64 committed = 0;
    const qint64 reported = commitInAChildThenKillIt(
        path, 7 * 300, AfterLast::KeepCommitting, [&committed](sqlite3* db) -> qint64 {
            return insertRows(db, 7) == SQLITE_OK ? committed += 7 : -1;
        });
    QCOMPARE(reported, 7 * 300);

    sqlite3* db = openDb(path, nullptr);
    QVERIFY(db);
    QCOMPARE(integrity(db), QStringLiteral("ok"));
    const qint64 rows = scalar(db, "SELECT COUNT(*) FROM t");
    QVERIFY2(rows >= reported,
        qPrintable(QStringLiteral("%1 rows, %2 reported").arg(rows).arg(reported)));
    QCOMPARE(rows % 7, 0); // whole commits only
    sqlite3_close(db);
}

void tst_SqliteVfs::testARecomputedCommitSurvivesAKill()
{
    // A transaction larger than the page cache spills pages into the WAL before it
    // commits; changing a spilled page again makes the commit rewrite it in place and then
    // recompute the checksums of the frames after it, header by header, the commit frame's
    // last. A writer killed right after that COMMIT returned must find it all after the
    // recovery a new process runs.
    const QString path = m_dir.filePath(QStringLiteral("recomputed.sqlite"));
    const qint64 reported
        = commitInAChildThenKillIt(path, 200, AfterLast::Stop, [](sqlite3* db) -> qint64 {
              const char* work
                  = "PRAGMA cache_size=5; BEGIN;"
                    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                    "  WHERE i < 200) INSERT INTO t (body) SELECT randomblob(2000) FROM n;"
                    " UPDATE t SET body = randomblob(2000) WHERE id <= 20;"
                    " COMMIT;";
              return sqlite3_exec(db, work, nullptr, nullptr, nullptr) == SQLITE_OK ? 200 : -1;
          });
    QCOMPARE(reported, 200);

    sqlite3* db = openDb(path, nullptr); // no process has it open: SQLite recovers the WAL
    QVERIFY(db);
    QCOMPARE(integrity(db), QStringLiteral("ok"));
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM t"), 200);
    sqlite3_close(db);
}

void tst_SqliteVfs::testARolledBackSpillIsNeverWrittenOverAnotherWriter()
{
    // A transaction spills pages into the WAL and is rolled back: those frames were never
    // committed, and the next writer (here another connection) writes its own at the same
    // offsets. Nothing of the rolled-back one may land on them afterwards.
    const QString path = m_dir.filePath(QStringLiteral("rolledback.sqlite"));
    sqlite3* spiller = openDb(path, sqlitevfs::name());
    QVERIFY(spiller);
    QCOMPARE(sqlite3_exec(spiller, "PRAGMA cache_size=5", nullptr, nullptr, nullptr), SQLITE_OK);
    QCOMPARE(insertRows(spiller, 3), SQLITE_OK);
    // An empty WAL: the rollback then reads nothing back from it (page 1 is in the file).
    QCOMPARE(sqlite3_exec(spiller, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr),
        SQLITE_OK);
    QCOMPARE(sqlite3_exec(spiller,
                 "BEGIN;"
                 " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
                 " INSERT INTO t (body) SELECT randomblob(2000) FROM n;"
                 " ROLLBACK;",
                 nullptr, nullptr, nullptr),
        SQLITE_OK);

    sqlite3* writer = openDb(path, nullptr);
    QVERIFY(writer);
    QCOMPARE(insertRows(writer, 10), SQLITE_OK);
    // The spiller reads what the other wrote (from the WAL), then everyone checks.
    QCOMPARE(scalar(spiller, "SELECT COUNT(*) FROM t"), 13);
    QCOMPARE(scalar(spiller, "SELECT SUM(length(body)) FROM t"), 13 * 2000);
    sqlite3* checker = openDb(path, nullptr);
    QVERIFY(checker);
    QCOMPARE(integrity(checker), QStringLiteral("ok"));
    QCOMPARE(scalar(checker, "SELECT COUNT(*) FROM t"), 13);
    sqlite3_close(checker);
    sqlite3_close(writer);
    sqlite3_close(spiller);
}

void tst_SqliteVfs::testAFailedWriteFailsTheCommit()
{
    // A child whose files may not grow past what they are: the next commit's gathered write
    // fails (EFBIG), and that must be the COMMIT's error, not lost on the way.
    const QString path = m_dir.filePath(QStringLiteral("limited.sqlite"));
    {
        sqlite3* db = openDb(path, sqlitevfs::name());
        QVERIFY(db);
        QCOMPARE(insertRows(db, 10), SQLITE_OK);
        sqlite3_close(db); // the last connection: checkpointed, the WAL removed
    }
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        sqlite3* db = openDb(path, sqlitevfs::name());
        if (!db) {
            ::_exit(2);
        }
        if (insertRows(db, 1) != SQLITE_OK) { // the WAL's header: it exists now
            ::_exit(3);
        }
        ::signal(SIGXFSZ, SIG_IGN); // a write past the limit fails with EFBIG instead
        const rlimit limit { rlim_t(QFileInfo(path + QStringLiteral("-wal")).size()),
            RLIM_INFINITY };
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
            ::_exit(4);
        }
        const int rc = insertRows(db, 20);
        ::_exit(rc == SQLITE_OK ? 5 : (rc & 0xff) == SQLITE_IOERR || rc == SQLITE_FULL ? 0 : 6);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);

    // The failed commit left nothing behind; the ones before it are all there.
    sqlite3* db = openDb(path, nullptr);
    QVERIFY(db);
    QCOMPARE(integrity(db), QStringLiteral("ok"));
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM t"), 11);
    sqlite3_close(db);
}

QTEST_GUILESS_MAIN(tst_SqliteVfs)
#include "tst_sqlitevfs.moc"
