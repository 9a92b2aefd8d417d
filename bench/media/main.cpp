// SPDX-License-Identifier: GPL-3.0-or-later
// bench-media: upload and download throughput of one large attachment on loopback, and the
// memory of both processes meanwhile (MSG-1, issue 10). Prints a table
// (docs/performance.md, "Attachments").
//
//   bench-media [--size-mb N (200)] [--runs N (3)]
//
// A real cpm-server (a fresh data directory per run, next to /tmp) and two real Clients in
// this process, each with its own temporary profile (CPM_KEYSTORE=file): Alice sends Bob a
// message with a file of --size-mb MiB of random bytes (written in pieces, never whole in
// memory), then Bob downloads it to a plain file.
//   - upload: from Client::send() until the transfer is Done, i.e. the server answered the
//     last chunk `complete` (hashing the file first, the chunks, the server's check of
//     the SHA-256 and its fsync all included); the message itself goes after and is not
//     counted;
//   - download: from AttachmentManager::download() until its callback: every chunk
//     written to PATH.part, the SHA-256 checked, the file renamed to PATH.
// The bench hashes the downloaded file itself: a mismatch exits 2 (any other failure 1). A
// thread samples VmRSS (and VmHWM) of the server and of this process (both client cores)
// every 50 ms during each transfer; each process's CPU time per transfer is reported too,
// as it does not depend on how busy the machine is. Missing a target is reported, never an
// exit code.

#include "attachmentmanager.h"
#include "benchdevice.h"
#include "benchloop.h"
#include "client.h"
#include "sha256.h"
#include "streamingheap.h"
#include "testserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <sched.h>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace cpm;
using cpm::bench::median;
using cpm::bench::waitFor;

namespace {

const QString Password = QStringLiteral("bench-password");
const QString Alice = QStringLiteral("alice@bench.example");
const QString Bob = QStringLiteral("bob@bench.example");
constexpr double MiB = 1024.0 * 1024.0;
constexpr int SampleEveryMs = 50;
constexpr double TargetMiBps = 200;
constexpr double TargetGrowthMiB = 32;

//! VmRSS and VmHWM of \a pid (0: this process) in bytes; -1 when unreadable.
struct Memory {
    qint64 rss = -1;
    qint64 hwm = -1;
};

Memory readMemory(qint64 pid)
{
    std::ifstream status(
        pid == 0 ? std::string("/proc/self/status") : "/proc/" + std::to_string(pid) + "/status");
    Memory m;
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            m.rss = std::stoll(line.substr(6)) * 1024;
        } else if (line.rfind("VmHWM:", 0) == 0) {
            m.hwm = std::stoll(line.substr(6)) * 1024;
        }
    }
    return m;
}

//! CPU time (user + system, all threads) of \a pid (0: this process) in ms; -1 when unreadable.
double cpuMs(qint64 pid)
{
    std::ifstream stat(
        pid == 0 ? std::string("/proc/self/stat") : "/proc/" + std::to_string(pid) + "/stat");
    std::string all;
    std::getline(stat, all);
    // The command may hold spaces: the fields counted from the ')' that ends it.
    const size_t close = all.rfind(')');
    if (close == std::string::npos) {
        return -1;
    }
    std::istringstream fields(all.substr(close + 2));
    std::string field;
    qint64 utime = 0;
    qint64 stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) {
            utime = std::stoll(field);
        } else if (i == 15) {
            stime = std::stoll(field);
        }
    }
    return double(utime + stime) * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

/*!
 * Samples the memory of the server and of this process on a thread of its own, so that a
 * busy event loop (the transfer runs on it) cannot skip samples.
 */
class MemorySampler final {
public:
    struct Figures {
        Memory before; //!< at start()
        qint64 peakRss = -1; //!< the highest VmRSS sampled until stop()
        Memory after; //!< at stop()
        int samples = 0;
        double cpuMs = 0; //!< CPU time used from start() to stop()
        double growthMiB() const { return double(peakRss - before.rss) / MiB; }
    };

    explicit MemorySampler(qint64 serverPid)
        : m_serverPid(serverPid)
    {
    }
    ~MemorySampler() { stop(); }

    void start()
    {
        m_server = {};
        m_client = {};
        m_server.before = readMemory(m_serverPid);
        m_client.before = readMemory(0);
        m_server.cpuMs = -cpuMs(m_serverPid);
        m_client.cpuMs = -cpuMs(0);
        m_server.peakRss = m_server.before.rss;
        m_client.peakRss = m_client.before.rss;
        m_stop = false;
        m_thread = std::thread([this] {
            while (!m_stop.load()) {
                sample();
                std::this_thread::sleep_for(std::chrono::milliseconds(SampleEveryMs));
            }
        });
    }

    void stop()
    {
        if (!m_thread.joinable()) {
            return;
        }
        m_stop = true;
        m_thread.join();
        sample();
        m_server.after = readMemory(m_serverPid);
        m_client.after = readMemory(0);
        m_server.cpuMs += cpuMs(m_serverPid);
        m_client.cpuMs += cpuMs(0);
    }

    Figures server() const { return m_server; }
    Figures client() const { return m_client; }

private:
    void sample()
    {
        const Memory s = readMemory(m_serverPid);
        const Memory c = readMemory(0);
        const std::lock_guard lock(m_mutex);
        m_server.peakRss = std::max(m_server.peakRss, s.rss);
        m_client.peakRss = std::max(m_client.peakRss, c.rss);
        ++m_server.samples;
        ++m_client.samples;
    }

    qint64 m_serverPid;
    Figures m_server;
    Figures m_client;
    std::mutex m_mutex;
    std::atomic_bool m_stop = false;
    std::thread m_thread;
};

//! The `cpu` line of /proc/stat: all jiffies, and those stolen by the hypervisor.
struct CpuTimes {
    qint64 total = 0;
    qint64 steal = 0;
};

CpuTimes readCpuTimes()
{
    std::ifstream stat("/proc/stat");
    std::string cpu;
    stat >> cpu;
    CpuTimes t;
    // user nice system idle iowait irq softirq steal (guest times are in user already)
    for (int i = 0; i < 8; ++i) {
        qint64 v = 0;
        stat >> v;
        t.total += v;
        if (i == 7) {
            t.steal = v;
        }
    }
    return t;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly)) {
        return QStringLiteral("?");
    }
    return QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2);
}

int affinityCount()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
}

//! Writes \a bytes random bytes to \a path, a MiB at a time; returns their SHA-256 (hex).
QByteArray writeRandomFile(const QString& path, qint64 bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return {};
    }
    cpm::protocol::Sha256 hash;
    std::vector<quint32> piece(size_t(MiB) / sizeof(quint32));
    for (qint64 left = bytes; left > 0;) {
        QRandomGenerator::global()->fillRange(piece.data(), qsizetype(piece.size()));
        const qint64 n = std::min<qint64>(left, qint64(piece.size() * sizeof(quint32)));
        const char* data = reinterpret_cast<const char*>(piece.data());
        if (file.write(data, n) != n) {
            return {};
        }
        hash.addData(QByteArrayView(data, n));
        left -= n;
    }
    return file.flush() ? hash.result().toHex() : QByteArray();
}

QByteArray hashFile(const QString& path)
{
    QFile file(path);
    cpm::protocol::Sha256 hash;
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    while (!file.atEnd()) {
        const QByteArray piece = file.read(qint64(MiB));
        if (piece.isEmpty()) {
            return {};
        }
        hash.addData(piece);
    }
    return hash.result().toHex();
}

//! MiB/s of the attachments' SHA-256 (protocol::Sha256, libcrypto) on this machine (both transfer
//! directions hash every byte on the event loop's thread, and an upload hashes its file once
//! before).
double sha256MiBps()
{
    const QByteArray piece(qsizetype(MiB), 'x');
    cpm::protocol::Sha256 hash;
    // CPU time of this thread, not the wall clock: what it costs, however busy the machine.
    const auto now = [] {
        timespec t {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
    };
    const double start = now();
    constexpr int Pieces = 64;
    for (int i = 0; i < Pieces; ++i) {
        hash.addData(piece);
    }
    hash.result();
    return Pieces / (now() - start);
}

struct Figures {
    double uploadMs = 0;
    double hashMs = 0; //!< of the upload: Client::send() until the first chunk goes
    double chunksMs = 0; //!< of the upload: from then until `complete`
    double downloadMs = 0;
    MemorySampler::Figures uploadServer;
    MemorySampler::Figures uploadClient;
    MemorySampler::Figures downloadServer;
    MemorySampler::Figures downloadClient;
    double uploadMiBps(qint64 bytes) const { return double(bytes) / MiB / (uploadMs / 1000); }
    double downloadMiBps(qint64 bytes) const { return double(bytes) / MiB / (downloadMs / 1000); }
};

class Run {
public:
    bool setUp()
    {
        if (!m_server.start() || !m_server.addUser(Alice, Password)
            || !m_server.addUser(Bob, Password)) {
            std::fprintf(stderr, "bench-media: the server did not start\n");
            return false;
        }
        m_alice = device(Alice);
        m_bob = device(Bob);
        return m_alice && m_bob;
    }

    QString dataDir() const { return m_server.dataDir(); }

    //! Measures one upload and download of \a bytes; false on a failure (a hash mismatch
    //! sets \a mismatch).
    bool measure(qint64 bytes, Figures* figures, bool* mismatch)
    {
        const QString source = m_files.filePath(QStringLiteral("upload.bin"));
        const QByteArray sha256 = writeRandomFile(source, bytes);
        if (sha256.isEmpty()) {
            std::fprintf(stderr, "bench-media: cannot write %s\n", qPrintable(source));
            return false;
        }
        MemorySampler sampler(m_server.pid());

        // --- upload ---
        qint64 uploadId = 0;
        bool uploaded = false;
        bool uploadFailed = false;
        bool sent = false;
        QElapsedTimer clock;
        // The context of this run's connections: they capture locals, so they end with it.
        const QObject scope;
        const QMetaObject::Connection watch = QObject::connect(
            &m_alice->attachments(), &AttachmentManager::transferChanged, &scope, [&](qint64 id) {
                const std::optional<TransferInfo> t = m_alice->attachments().transfer(id);
                if (!t || t->direction != TransferInfo::Direction::Upload) {
                    return;
                }
                uploadId = id;
                if (t->state == TransferInfo::State::Running && figures->hashMs == 0) {
                    figures->hashMs = double(clock.nsecsElapsed()) / 1e6;
                }
                if (m_trace) {
                    std::fprintf(stderr, "%8.1f ms: upload %s %lld\n",
                        double(clock.nsecsElapsed()) / 1e6,
                        qPrintable(TransferInfo::stateName(t->state)), qint64(t->done));
                }
                if (t->state == TransferInfo::State::Failed && !uploaded) {
                    uploadFailed = true;
                }
                if (t->state == TransferInfo::State::Done && !uploaded) {
                    uploaded = true;
                    figures->uploadMs = double(clock.nsecsElapsed()) / 1e6;
                    sampler.stop();
                }
            });
        QObject::connect(m_alice, &Client::messageSent, &scope, [&] { sent = true; });
        sampler.start();
        clock.start();
        const Result<QString> clientId
            = m_alice->send(Bob, QStringLiteral("A large file"), QString(), QStringList { source });
        if (!clientId) {
            std::fprintf(
                stderr, "bench-media: send refused: %s\n", qPrintable(clientId.error().message));
            return false;
        }
        if (!waitFor([&] { return uploaded || uploadFailed; }, 600000) || !uploaded) {
            const std::optional<TransferInfo> t = m_alice->attachments().transfer(uploadId);
            std::fprintf(stderr, "bench-media: the upload did not finish: %s\n",
                t ? qPrintable(t->error.message) : "no transfer");
            return false;
        }
        QObject::disconnect(watch);
        figures->uploadServer = sampler.server();
        figures->uploadClient = sampler.client();
        figures->chunksMs = figures->uploadMs - figures->hashMs;
        QFile::remove(source);

        // --- the message reaches Bob ---
        qint64 messageId = 0;
        QString attachmentId;
        QObject::connect(m_bob, &Client::messageAdded, &scope, [&](qint64 id, const QString& peer) {
            if (peer != Alice) {
                return;
            }
            const Result<std::optional<Message>> m = m_bob->message(id);
            if (m && m->has_value() && !(*m)->attachments.isEmpty()) {
                messageId = id;
                attachmentId = (*m)->attachments.constFirst().id;
            }
        });
        if (!waitFor([&] { return sent && messageId != 0; }, 60000)) {
            std::fprintf(stderr, "bench-media: the message never reached Bob\n");
            return false;
        }

        // --- download ---
        const QString target = m_files.filePath(QStringLiteral("download.bin"));
        bool downloaded = false;
        Error error;
        sampler.start();
        clock.start();
        m_bob->attachments().download(messageId, attachmentId, target, [&](const Error& e) {
            figures->downloadMs = double(clock.nsecsElapsed()) / 1e6;
            sampler.stop();
            error = e;
            downloaded = true;
        });
        if (!waitFor([&] { return downloaded; }, 600000)) {
            std::fprintf(stderr, "bench-media: the download did not finish\n");
            return false;
        }
        figures->downloadServer = sampler.server();
        figures->downloadClient = sampler.client();
        if (!error.isNull()) {
            std::fprintf(
                stderr, "bench-media: the download failed: %s\n", qPrintable(error.message));
            *mismatch = error.name() == QLatin1StringView("hash_mismatch");
            return false;
        }
        const QByteArray got = hashFile(target);
        QFile::remove(target);
        if (got != sha256) {
            std::fprintf(stderr, "bench-media: the downloaded file hashes to %s, not %s\n",
                got.constData(), sha256.constData());
            *mismatch = true;
            return false;
        }
        return true;
    }

private:
    Client* device(const QString& address)
    {
        std::unique_ptr<Client> client = bench::registeredDevice(
            "bench-media", m_profiles.filePath(address), m_server.url(), address, Password);
        if (!client) {
            return nullptr;
        }
        m_clients.push_back(std::move(client));
        return m_clients.back().get();
    }

    test::TestServer m_server;
    QTemporaryDir m_profiles;
    QTemporaryDir m_files;
    std::vector<std::unique_ptr<Client>> m_clients;
    Client* m_alice = nullptr;
    Client* m_bob = nullptr;
    const bool m_trace = qEnvironmentVariableIsSet("BENCH_TRACE");
};

//! "median (min–max)" of \a v with \a decimals digits after the point.
QString range(const std::vector<double>& v, int decimals)
{
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return QString::number(median(v), 'f', decimals) + QStringLiteral(" (")
        + QString::number(*lo, 'f', decimals) + QStringLiteral("–")
        + QString::number(*hi, 'f', decimals) + QStringLiteral(")");
}

} // namespace

int main(int argc, char** argv)
{
    cpm::protocol::setUpHeapForStreaming(); // as cpm-desktop and cpm-cli do
    QCoreApplication app(argc, argv);
    qputenv("CPM_KEYSTORE", "file");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Attachment upload and download throughput and memory"));
    parser.addHelpOption();
    const QCommandLineOption sizeMb(QStringLiteral("size-mb"),
        QStringLiteral("The file's size in MiB (200)."), QStringLiteral("N"),
        QStringLiteral("200"));
    const QCommandLineOption runs(QStringLiteral("runs"), QStringLiteral("Runs (3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({ sizeMb, runs });
    parser.process(app);
    QLoggingCategory::setFilterRules(QStringLiteral("cpm.*.info=false"));

    const qint64 bytes = std::max<qint64>(1, parser.value(sizeMb).toLongLong()) * qint64(MiB);
    const int runCount = std::max(1, parser.value(runs).toInt());
    const QString load = loadAverage();
    const CpuTimes cpuBefore = readCpuTimes();
    QString fileSystem;
    std::vector<Figures> figures;
    for (int r = 0; r < runCount; ++r) {
        Run run;
        Figures f;
        bool mismatch = false;
        if (!run.setUp()) {
            return 1;
        }
        fileSystem = QString::fromLatin1(QStorageInfo(run.dataDir()).fileSystemType());
        if (!run.measure(bytes, &f, &mismatch)) {
            return mismatch ? 2 : 1;
        }
        figures.push_back(f);
        std::fprintf(stderr,
            "run %d: upload %.0f ms (%.1f MiB/s; hashing %.0f ms, chunks until complete "
            "%.0f ms), download %.0f ms (%.1f MiB/s); RSS growth upload server %.1f client "
            "%.1f MiB, download server %.1f client %.1f MiB; CPU ms upload server %.0f client "
            "%.0f, "
            "download server %.0f client %.0f\n",
            r + 1, f.uploadMs, f.uploadMiBps(bytes), f.hashMs, f.chunksMs, f.downloadMs,
            f.downloadMiBps(bytes), f.uploadServer.growthMiB(), f.uploadClient.growthMiB(),
            f.downloadServer.growthMiB(), f.downloadClient.growthMiB(), f.uploadServer.cpuMs,
            f.uploadClient.cpuMs, f.downloadServer.cpuMs, f.downloadClient.cpuMs);
    }
    const CpuTimes cpuAfter = readCpuTimes();
    const double hashRate = sha256MiBps();
    const double steal = cpuAfter.total > cpuBefore.total ? 100.0
            * double(cpuAfter.steal - cpuBefore.steal) / double(cpuAfter.total - cpuBefore.total)
                                                          : 0;

    const auto column = [&figures](auto value) {
        std::vector<double> v;
        for (const Figures& f : figures) {
            v.push_back(value(f));
        }
        return v;
    };
    const auto mib = [](qint64 b) { return double(b) / MiB; };
    std::printf("Attachment of %lld MiB (random bytes), loopback, Client → cpm-server → Client, "
                "median (min–max) of %d runs\n\n",
        qint64(bytes / qint64(MiB)), runCount);
    std::printf("Conditions: build %s, %d CPUs (affinity %d), load average before %s, CPU "
                "steal during %.1f %%, data directory on %s (same file system as /tmp), SHA-256 "
                "(libcrypto) %.0f MiB per CPU second\n\n",
        CPM_BUILD_TYPE, QThread::idealThreadCount(), affinityCount(), qPrintable(load), steal,
        qPrintable(fileSystem), hashRate);
    std::printf("| figure | value | target |\n| --- | ---: | ---: |\n");
    std::printf("| upload MiB/s (hashing, chunks, server check and fsync) | %s | ≥ %.0f |\n",
        qPrintable(range(column([&](const Figures& f) { return f.uploadMiBps(bytes); }), 0)),
        TargetMiBps);
    std::printf("| — of which hashing the file first, ms | %s | |\n",
        qPrintable(range(column([](const Figures& f) { return f.hashMs; }), 0)));
    std::printf(
        "| — of which the chunks, until `complete` (server hash check, fsync), ms | %s | |\n",
        qPrintable(range(column([](const Figures& f) { return f.chunksMs; }), 0)));
    std::printf("| download MiB/s (chunks, sink writes, SHA-256 check) | %s | ≥ %.0f |\n",
        qPrintable(range(column([&](const Figures& f) { return f.downloadMiBps(bytes); }), 0)),
        TargetMiBps);
    const struct {
        const char* name;
        MemorySampler::Figures Figures::*field;
    } memories[] = {
        { "upload, server", &Figures::uploadServer },
        { "upload, client", &Figures::uploadClient },
        { "download, server", &Figures::downloadServer },
        { "download, client", &Figures::downloadClient },
    };
    for (const auto& m : memories) {
        std::printf("| CPU time %s, ms (user + system, all threads) | %s | |\n", m.name,
            qPrintable(range(column([&](const Figures& f) { return (f.*m.field).cpuMs; }), 0)));
    }
    for (const auto& m : memories) {
        std::printf("| RSS growth %s, MiB (baseline %.1f, peak %.1f, VmHWM after %.1f) | %s | ≤ "
                    "%.0f |\n",
            m.name, median(column([&](const Figures& f) { return mib((f.*m.field).before.rss); })),
            median(column([&](const Figures& f) { return mib((f.*m.field).peakRss); })),
            median(column([&](const Figures& f) { return mib((f.*m.field).after.hwm); })),
            qPrintable(
                range(column([&](const Figures& f) { return (f.*m.field).growthMiB(); }), 1)),
            TargetGrowthMiB);
    }
    return 0;
}
