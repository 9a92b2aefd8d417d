// SPDX-License-Identifier: GPL-3.0-or-later
// bench-fanout: one sender to a user with three connected devices. For each row a fresh
// cpm-server is started, the sender submits at a fixed rate, and we time from submit until
// the *last* of the three devices has the message. Each row runs twice: durable (the
// message is committed to SQLite before anyone hears of it) and routing only
// (bench-routing-server, nothing stored), the baseline that shows what storage costs.
//
// The sender and the three devices share this process and its one thread; with two or more
// CPUs it keeps the last one and the server gets the others (--no-pin turns that off).
// Devices acknowledge as the client core does (an incoming message at the next 50 ms tick,
// anything else within --position-ack-ms). See docs/performance.md.
//
//   bench-fanout [--rates 2000,5000,10000,12500,15000] [--seconds 3] [--modes durable,routing]
//                [--server PATH] [--routing-server PATH] [--no-pin]
//   CPM_BENCH_DUMP=/tmp/lat bench-fanout ...   # also writes "sent-ms latency-ms" per message

#include "epolldispatcher.h"
#include "frame.h"
#include "netstat.h"
#include "procstat.h"
#include "protocol.h"
#include "testpostgres.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <memory>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

using namespace cpm::protocol;
using cpm::Error;

namespace {

QElapsedTimer g_clock;

// With two or more CPUs the bench (sender and devices: one thread) keeps the last CPU and
// the server gets the others, so neither measures the other's scheduling: without this the
// bench preempted the server thousands of times a second on a 2-core machine.
bool g_pin = false;
cpu_set_t g_serverCpus;

// Devices acknowledge as the client core does (cpm::Connection): an incoming message within
// a tick (its ack makes it delivered), any other event (a sent copy, a report) only when
// nothing else has acknowledged it for this long (--position-ack-ms).
constexpr int AckTickMs = 50;
qint64 g_positionAckNs = 2000 * qint64(1000000);

void pinCpus()
{
    cpu_set_t all;
    CPU_ZERO(&all);
    if (sched_getaffinity(0, sizeof(all), &all) != 0 || CPU_COUNT(&all) < 2) {
        return;
    }
    int last = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &all)) {
            last = cpu;
        }
    }
    cpu_set_t mine;
    CPU_ZERO(&mine);
    CPU_SET(last, &mine);
    g_serverCpus = all;
    CPU_CLR(last, &g_serverCpus);
    g_pin = sched_setaffinity(0, sizeof(mine), &mine) == 0;
}

//! A bare protocol peer: just enough of a client to register and receive.
class Peer final : public QObject {
public:
    //! A `message` event arrived for the message with clientId "m<index>" (-1: unknown).
    std::function<void(qint64 index)> onMessage;

    bool open(const QUrl& url)
    {
        QEventLoop loop;
        connect(&m_ws, &QWebSocket::connected, &loop, &QEventLoop::quit);
        // QWebSocket::errorOccurred is Qt 6.5+; 6.4 calls the signal error().
        connect(&m_ws, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), &loop,
            &QEventLoop::quit);
        connect(&m_ws, &QWebSocket::textMessageReceived, this, &Peer::onText);
        m_ws.open(url);
        loop.exec();
        return m_ws.state() == QAbstractSocket::ConnectedState;
    }

    void post(
        QLatin1StringView op, const QJsonObject& args, std::function<void(const Frame&)> done = {})
    {
        const qint64 id = m_nextId++;
        if (done) {
            m_pending.emplace(id, std::move(done));
        }
        m_ws.sendTextMessage(QString::fromUtf8(Frame::request(id, op, args).encode()));
    }

    //! Sends a request and waits for its answer (set-up only, never in the measured path).
    Frame call(QLatin1StringView op, const QJsonObject& args)
    {
        Frame answer = Frame::failure(0, cpm::makeError(cpm::ErrorCode::Timeout, {}));
        QEventLoop loop;
        post(op, args, [&](const Frame& f) {
            answer = f;
            loop.quit();
        });
        QTimer::singleShot(15000, &loop, &QEventLoop::quit);
        loop.exec();
        return answer;
    }

    bool hello()
    {
        const Frame answer = call(op::Hello, helloArgs());
        takeNotices(answer);
        return !answer.isFailure();
    }

    /*!
     * Opens, says hello, signs in with \a token and syncs to the head without waiting for
     * any of it (a storm: many at once); \a done once, true when the device is live.
     */
    void signInAsync(const QUrl& url, const QString& address, qint64 deviceId, const QString& token,
        std::function<void(bool)> done)
    {
        auto once = std::make_shared<std::function<void(bool)>>(std::move(done));
        const std::function<void(bool)> finish = [once](bool ok) {
            if (*once) {
                std::exchange(*once, {})(ok);
            }
        };
        connect(&m_ws, &QWebSocket::textMessageReceived, this, &Peer::onText);
        connect(&m_ws, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [finish] { finish(false); });
        connect(&m_ws, &QWebSocket::disconnected, this, [finish] { finish(false); });
        connect(&m_ws, &QWebSocket::connected, this, [this, address, deviceId, token, finish] {
            post(op::Hello, helloArgs(), [this, address, deviceId, token, finish](const Frame& h) {
                if (h.isFailure()) {
                    finish(false);
                    return;
                }
                takeNotices(h);
                post(op::Login,
                    { { QStringLiteral("address"), address },
                        { QStringLiteral("deviceId"), deviceId },
                        { QStringLiteral("token"), token } },
                    [this, finish](const Frame& r) {
                        if (r.isFailure()) {
                            std::fprintf(stderr, "login failed: %s\n", qPrintable(r.error.message));
                            finish(false);
                            return;
                        }
                        syncAsync(0, finish);
                    });
            });
        });
        m_ws.open(url);
    }

    //! Events the last sync answers brought.
    qint64 eventsSynced() const { return m_eventsSynced; }

    //! Signs in with a token from an earlier `register` and (\a live) catches up.
    bool logIn(const QString& address, qint64 deviceId, const QString& token, bool live = true)
    {
        if (!hello()) {
            return false;
        }
        const Frame r = call(op::Login,
            { { QStringLiteral("address"), address }, { QStringLiteral("deviceId"), deviceId },
                { QStringLiteral("token"), token } });
        if (r.isFailure()) {
            std::fprintf(stderr, "login failed: %s\n", qPrintable(r.error.message));
            return false;
        }
        return !live || catchUp();
    }

    bool signIn(const QString& address, const QString& instance)
    {
        if (!hello()) {
            return false;
        }
        const QJsonObject device { { QStringLiteral("instanceId"), instance },
            { QStringLiteral("name"), instance },
            { QStringLiteral("kind"), QStringLiteral("laptop") },
            { QStringLiteral("capabilities"), QJsonArray { QStringLiteral("text") } } };
        const Frame r = call(op::Register,
            { { QStringLiteral("address"), address },
                { QStringLiteral("password"), QStringLiteral("bench-password") },
                { QStringLiteral("device"), device } });
        if (r.isFailure()) {
            std::fprintf(stderr, "register failed: %s\n", qPrintable(r.error.message));
            return false;
        }
        return catchUp();
    }

    //! Syncs to the head: from here on the device is live.
    bool catchUp()
    {
        qint64 since = 0;
        for (;;) {
            const Frame s = call(op::Sync, { { QStringLiteral("since"), since } });
            if (s.isFailure()) {
                return false;
            }
            since = s.result.value(QLatin1StringView("next")).toInteger();
            m_position = since;
            if (!s.result.value(QLatin1StringView("more")).toBool()) {
                return true;
            }
        }
    }

    //! At each tick: acknowledges what an incoming message, or a position-only event
    //! older than the position-ack delay, is waiting for.
    void ackPosition(qint64 now)
    {
        if (m_position <= m_acked) {
            return;
        }
        if (m_incoming || now - m_unackedSince >= g_positionAckNs) {
            m_incoming = false;
            m_unackedSince = -1;
            m_acked = m_position;
            const QJsonObject args { { QStringLiteral("seq"), m_acked } };
            if (m_ackNotices) {
                m_ws.sendTextMessage(QString::fromUtf8(Frame::notice(op::Ack, args).encode()));
            } else {
                post(op::Ack, args);
            }
        }
    }

    bool hasUnacked() const { return m_position > m_acked; }

    void close() { m_ws.close(); }

private:
    void onText(const QString& text)
    {
        // The measured path: a device only needs the message's clientId and the frame's seq,
        // so it scans for them instead of decoding every frame (three devices and the sender
        // share one thread; full decoding made the bench, not the server, the bottleneck).
        if (m_pending.empty()) {
            if (!onMessage) {
                return; // the sender during the run: its answers and events are not measured
            }
            const qint64 seq = numberAfter(text, u"\"seq\":");
            const bool message = text.contains(u"\"event\":\"message\"");
            applied(seq, message && text.contains(u"\"folder\":\"inbox\""));
            if (message) {
                onMessage(numberAfter(text, u"\"clientId\":\"m"));
            }
            return;
        }
        const DecodeResult d = decode(text.toUtf8(), limits::MaxFrameBytes);
        if (!d.frame) {
            return;
        }
        const Frame& f = *d.frame;
        if (f.type == Frame::Type::Event) {
            applied(f.seq,
                f.event == cpm::protocol::event::Message
                    && f.data.value(QLatin1StringView("message"))
                            .toObject()
                            .value(QLatin1StringView("folder"))
                            .toString()
                        == QLatin1StringView("inbox"));
            return;
        }
        if (f.type == Frame::Type::Response) {
            const auto it = m_pending.find(f.id.toInteger());
            if (it != m_pending.end()) {
                auto done = std::move(it->second);
                m_pending.erase(it);
                done(f);
            }
        }
    }

    static QJsonObject helloArgs()
    {
        return { { QStringLiteral("versions"), QJsonArray { Version } } };
    }

    //! As the client core: acks without an id when the server takes them so.
    void takeNotices(const Frame& helloAnswer)
    {
        m_ackNotices = helloAnswer.result.value(QLatin1StringView("notices"))
                           .toArray()
                           .contains(QJsonValue(QString(op::Ack)));
    }

    void syncAsync(qint64 since, const std::function<void(bool)>& done)
    {
        post(op::Sync, { { QStringLiteral("since"), since } }, [this, done](const Frame& s) {
            if (s.isFailure()) {
                done(false);
                return;
            }
            m_eventsSynced += s.result.value(QLatin1StringView("events")).toArray().size();
            const qint64 next = s.result.value(QLatin1StringView("next")).toInteger();
            m_position = next;
            // As the client core: each sync answer is acknowledged at once, which makes the
            // messages it brought delivered (reports to their senders). With an id here,
            // so that its answer says the server has stored it.
            m_acked = next;
            post(op::Ack, { { QStringLiteral("seq"), next } },
                [this, next, more = s.result.value(QLatin1StringView("more")).toBool(), done](
                    const Frame& a) {
                    if (a.isFailure()) {
                        done(false);
                    } else if (more) {
                        syncAsync(next, done);
                    } else {
                        done(true);
                    }
                });
        });
    }

    void applied(qint64 seq, bool incoming)
    {
        if (seq <= m_position) {
            return;
        }
        m_position = seq;
        m_incoming = m_incoming || incoming;
        if (m_unackedSince < 0) {
            m_unackedSince = g_clock.nsecsElapsed();
        }
    }

    //! The non-negative integer right after the last \a key in \a text, or -1.
    static qint64 numberAfter(QStringView text, QStringView key)
    {
        const qsizetype at = text.lastIndexOf(key);
        if (at < 0) {
            return -1;
        }
        qint64 value = 0;
        qsizetype i = at + key.size();
        const qsizetype start = i;
        for (; i < text.size() && text[i].isDigit(); ++i) {
            value = value * 10 + text[i].digitValue();
        }
        return i > start ? value : -1;
    }

    QWebSocket m_ws;
    qint64 m_nextId = 1;
    qint64 m_position = 0;
    qint64 m_acked = 0;
    qint64 m_unackedSince = -1; //!< g_clock ns when the first unacknowledged event came
    qint64 m_eventsSynced = 0;
    bool m_incoming = false; //!< an unacknowledged incoming message
    bool m_ackNotices = false;
    std::unordered_map<qint64, std::function<void(const Frame&)>> m_pending;
};

struct Server {
    QString binary;
    QString routingBinary;
    QTemporaryDir dir;
    //! PostgreSQL instead of SQLite: a throwaway cluster for the row, `nodes` servers on it.
    bool postgres = false;
    int nodes = 1;
    std::unique_ptr<cpm::test::TestPostgres> cluster;
    std::vector<std::unique_ptr<QTemporaryDir>> nodeDirs;
    std::vector<std::unique_ptr<QProcess>> processes;
    QList<QUrl> urls;
    QUrl url; //!< node 0's

    QStringList storeArgs() const
    {
        return postgres ? QStringList { QStringLiteral("--store"), cluster->uri() } : QStringList();
    }

    bool admin(const QStringList& args)
    {
        QProcess p;
        p.start(binary, QStringList { QStringLiteral("--data"), dir.path() } + storeArgs() + args);
        return p.waitForFinished(30000) && p.exitCode() == 0;
    }

    bool start(bool routingOnly)
    {
        if (postgres) {
            cluster = std::make_unique<cpm::test::TestPostgres>();
            if (!cluster->start()) {
                return false;
            }
        }
        QFile pw(dir.filePath(QStringLiteral("pw")));
        if (!pw.open(QIODevice::WriteOnly) || pw.write("bench-password") < 0) {
            return false;
        }
        pw.close();
        for (const char* user : { "sender@bench.example", "rcpt@bench.example" }) {
            if (!admin({ QStringLiteral("user"), QStringLiteral("add"), QString::fromLatin1(user),
                    QStringLiteral("--password-file"), pw.fileName() })) {
                return false;
            }
        }
        // The bench measures routing and storage, not the operator's safety limits.
        admin({ QStringLiteral("settings"), QStringLiteral("set"),
            QStringLiteral("quota.dailyMessages"), QStringLiteral("0") });
        admin({ QStringLiteral("settings"), QStringLiteral("set"),
            QStringLiteral("deferred.maxCount"), QStringLiteral("100000000") });
        for (int n = 0; n < nodes; ++n) {
            QString data = dir.path();
            if (n > 0) {
                nodeDirs.push_back(std::make_unique<QTemporaryDir>());
                data = nodeDirs.back()->path();
            }
            auto process = std::make_unique<QProcess>();
            const QStringList args = QStringList {
                QStringLiteral("--data"), data, QStringLiteral("--port"), QStringLiteral("0")
            } + storeArgs();
            process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            if (g_pin) {
                process->setChildProcessModifier(
                    [] { sched_setaffinity(0, sizeof(g_serverCpus), &g_serverCpus); });
            }
            // Accounts and settings through cpm-server's admin CLI; the routing-only baseline
            // is a server of its own (bench/fanout/routingserver.cpp), never the shipped one.
            process->start(routingOnly ? routingBinary : binary, args);
            if (!process->waitForStarted()) {
                return false;
            }
            QUrl found;
            while (found.isEmpty() && process->waitForReadyRead(10000)) {
                const QByteArray line = process->readLine().trimmed();
                const qsizetype at = line.indexOf("ws://");
                if (at >= 0) {
                    found = QUrl(QString::fromUtf8(line.mid(at)));
                }
            }
            if (found.isEmpty()) {
                return false;
            }
            urls.append(found);
            processes.push_back(std::move(process));
        }
        url = urls.constFirst();
        return true;
    }

    qint64 pid() const { return processes.empty() ? 0 : processes.front()->processId(); }

    //! CPU the servers' network threads have run (ns).
    qint64 serverCpuNs() const;
    //! CPU all the servers' threads have run (ns): the network thread and SQLite's
    //! checkpoint thread.
    qint64 processCpuNs() const;
    //! \a perProcess (ns) summed over the servers' processes; -1 if one cannot be read.
    qint64 sumCpuNs(qint64 (*perProcess)(qint64)) const;
    //! CPU PostgreSQL's processes have run (ns), or -1 without PostgreSQL.
    qint64 databaseCpuNs() const;

    void stop()
    {
        for (auto& process : processes) {
            process->terminate();
            if (!process->waitForFinished(10000)) {
                process->kill();
                process->waitForFinished();
            }
        }
        processes.clear();
        cluster.reset();
    }
};

struct Row {
    QString mode;
    int targetRate = 0;
    double achievedRate = 0;
    double p50 = 0, p99 = 0, p999 = 0;
    int complete = 0, total = 0;
    double serverCpuUs = 0; //!< the server's network thread, per message (all nodes')
    double processCpuUs = 0; //!< all the server's threads, per message (all nodes')
    double databaseCpuUs = -1; //!< PostgreSQL's processes, per message (-1: SQLite)
    double sameNodeP99 = -1, crossNodeP99 = -1; //!< several nodes: to the sender's node, others
};

//! The first field of a schedstat file: nanoseconds its task has run, or -1.
qint64 schedstatNs(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    return f.readAll().split(' ').value(0).toLongLong();
}

//! Nanoseconds the main thread of process \a pid has run (its network thread, for the
//! server). Robust to the machine's noise in a way latency is not: what the server spends
//! per message, not how long it waited for a CPU.
qint64 threadCpuNs(qint64 pid)
{
    return schedstatNs(QStringLiteral("/proc/%1/task/%1/schedstat").arg(pid));
}

//! Nanoseconds all threads of process \a pid have run: the network thread and the store's
//! checkpoint thread (SQLite), which the network thread's figure leaves out.
qint64 allThreadsCpuNs(qint64 pid)
{
    const QString tasks = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList tids = QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    if (tids.isEmpty()) {
        return -1;
    }
    qint64 sum = 0;
    for (const QString& tid : tids) {
        // A thread that ended since the listing counts nothing.
        sum += std::max<qint64>(
            0, schedstatNs(tasks + QLatin1Char('/') + tid + QStringLiteral("/schedstat")));
    }
    return sum;
}

qint64 Server::sumCpuNs(qint64 (*perProcess)(qint64)) const
{
    qint64 sum = 0;
    for (const auto& process : processes) {
        const qint64 ns = perProcess(process->processId());
        if (ns < 0) {
            return -1;
        }
        sum += ns;
    }
    return sum;
}

qint64 Server::serverCpuNs() const { return sumCpuNs(threadCpuNs); }

qint64 Server::processCpuNs() const { return sumCpuNs(allThreadsCpuNs); }

qint64 Server::databaseCpuNs() const
{
    if (!cluster) {
        return -1;
    }
    QFile pidFile(cluster->socketDir() + QStringLiteral("/data/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const qint64 postmaster = pidFile.readLine().trimmed().toLongLong();
    // The postmaster and its children (backends, writer, WAL writer, ...).
    qint64 sum = cpm::test::processCpuNs(postmaster);
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& pid : pids) {
        if (pid.toLongLong() > 0
            && cpm::test::procStatFields(pid.toLongLong()).value(1).toLongLong() == postmaster) {
            sum += std::max<qint64>(0, cpm::test::processCpuNs(pid.toLongLong()));
        }
    }
    return sum;
}

double percentile(std::vector<double>& v, double p)
{
    if (v.empty()) {
        return 0;
    }
    const auto k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

//! What a row's CPU columns read (ns so far; -1: cannot tell).
struct CpuClocks {
    std::function<qint64()> network; //!< the server's network thread (all nodes')
    std::function<qint64()> process; //!< all the server's threads (all nodes')
    std::function<qint64()> database; //!< PostgreSQL's processes; empty with SQLite
};

/*!
 * The measured part of a row: calls \a send(i) for i = 0 … total - 1 at \a rate from now
 * (message i due at i / rate s), runs \a loop until it quits (the last arrival) or 20 s after
 * the last send, and fills \a row from \a sentAt / \a doneAt (ns on g_clock; 0: never
 * arrived) and the server's network-thread CPU (\a serverPid).
 */
void measure(Row& row, QEventLoop& loop, int rate, double seconds, const CpuClocks& cpu,
    const std::vector<std::unique_ptr<Peer>>& receivers, std::vector<qint64>& sentAt,
    const std::vector<qint64>& doneAt, const int& complete, const std::function<void(int)>& send)
{
    // Devices acknowledge like a client does: a little after applying, not per message
    // (see AckTickMs).
    QTimer ackTimer;
    ackTimer.setInterval(AckTickMs);
    QObject::connect(&ackTimer, &QTimer::timeout, &loop, [&] {
        const qint64 now = g_clock.nsecsElapsed();
        for (const auto& p : receivers) {
            p->ackPosition(now);
        }
    });
    ackTimer.start();
    // What the devices synced before the window is acknowledged before it, as the client
    // core acknowledges each sync answer at once.
    {
        const qint64 now = g_clock.nsecsElapsed();
        for (const auto& p : receivers) {
            p->ackPosition(now);
        }
        QTimer::singleShot(100, &loop, &QEventLoop::quit);
        loop.exec();
    }
    const int total = row.total;
    int sent = 0;
    const qint64 cpuBefore = cpu.network();
    const qint64 allBefore = cpu.process();
    const qint64 dbBefore = cpu.database ? cpu.database() : -1;
    const qint64 start = g_clock.nsecsElapsed();
    QTimer pacer;
    pacer.setTimerType(Qt::PreciseTimer);
    pacer.setInterval(1);
    QObject::connect(&pacer, &QTimer::timeout, &loop, [&] {
        const double elapsed = static_cast<double>(g_clock.nsecsElapsed() - start) / 1e9;
        const int due = std::min(total, static_cast<int>(elapsed * rate) + 1);
        for (; sent < due; ++sent) {
            sentAt[size_t(sent)] = g_clock.nsecsElapsed();
            send(sent);
        }
        if (sent == total) {
            pacer.stop();
        }
    });
    pacer.start();
    QTimer::singleShot(static_cast<int>(seconds * 1000) + 20000, &loop, &QEventLoop::quit);
    loop.exec();
    // Every event of the window is acknowledged inside it, lazily acknowledged ones too
    // (they wait up to --position-ack-ms): otherwise the lazy way would leave the acks of
    // the last seconds out of the count while acknowledging at once counts them all.
    const QDeadlineTimer tail(g_positionAckNs / 1000000 + 1000);
    const auto unacked = [&] {
        return std::any_of(
            receivers.begin(), receivers.end(), [](const auto& p) { return p->hasUnacked(); });
    };
    while (unacked() && !tail.hasExpired()) {
        QTimer::singleShot(AckTickMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    QTimer::singleShot(50, &loop, &QEventLoop::quit); // the server's turn on the last acks
    loop.exec();
    const qint64 cpuAfter = cpu.network();
    if (cpuBefore >= 0 && cpuAfter >= cpuBefore && complete > 0) {
        row.serverCpuUs = static_cast<double>(cpuAfter - cpuBefore) / 1e3 / complete;
    }
    const qint64 allAfter = cpu.process();
    if (allBefore >= 0 && allAfter >= allBefore && complete > 0) {
        row.processCpuUs = static_cast<double>(allAfter - allBefore) / 1e3 / complete;
    }
    const qint64 dbAfter = cpu.database ? cpu.database() : -1;
    if (dbBefore >= 0 && dbAfter >= dbBefore && complete > 0) {
        row.databaseCpuUs = static_cast<double>(dbAfter - dbBefore) / 1e3 / complete;
    }
    if (qEnvironmentVariableIsSet("CPM_BENCH_DUMP")) {
        // Debugging aid: one line per message, "sent-ms latency-ms", to see when stalls happen.
        QFile dump(qEnvironmentVariable("CPM_BENCH_DUMP") + QLatin1Char('-') + row.mode.left(1)
            + QString::number(rate));
        if (dump.open(QIODevice::WriteOnly)) {
            for (size_t k = 0; k < size_t(total); ++k) {
                dump.write(QByteArray::number((sentAt[k] - start) / 1e6, 'f', 2) + ' '
                    + QByteArray::number(doneAt[k] > 0 ? (doneAt[k] - sentAt[k]) / 1e6 : -1, 'f', 2)
                    + '\n');
            }
        }
    }
    std::vector<double> latencies;
    qint64 last = start;
    for (size_t k = 0; k < size_t(total); ++k) {
        if (doneAt[k] > 0) {
            latencies.push_back(static_cast<double>(doneAt[k] - sentAt[k]) / 1e6);
            last = std::max(last, doneAt[k]);
        }
    }
    row.complete = complete;
    row.achievedRate = complete / (static_cast<double>(last - start) / 1e9);
    row.p50 = percentile(latencies, 0.50);
    row.p99 = percentile(latencies, 0.99);
    row.p999 = percentile(latencies, 0.999);
}

Row runOnce(const QString& binary, const QString& routingBinary, bool routingOnly, int rate,
    double seconds, bool postgres = false, int nodes = 1)
{
    Row row;
    row.mode = routingOnly ? QStringLiteral("routing only")
        : postgres
        ? (nodes > 1 ? QStringLiteral("pg %1 nodes").arg(nodes) : QStringLiteral("pg 1 node"))
        : QStringLiteral("durable");
    row.targetRate = rate;
    Server server;
    server.binary = binary;
    server.routingBinary = routingBinary;
    server.postgres = postgres;
    server.nodes = nodes;
    if (!server.start(routingOnly)) {
        std::fprintf(
            stderr, "could not start %s\n", qPrintable(routingOnly ? routingBinary : binary));
        return row;
    }
    const QString rcpt = QStringLiteral("rcpt@bench.example");
    Peer sender;
    std::vector<std::unique_ptr<Peer>> devices;
    if (!sender.open(server.url)
        || !sender.signIn(QStringLiteral("sender@bench.example"), QStringLiteral("s"))) {
        server.stop();
        return row;
    }
    const int total = static_cast<int>(rate * seconds);
    row.total = total;
    std::vector<qint64> sentAt(static_cast<size_t>(total), 0);
    std::vector<qint64> doneAt(static_cast<size_t>(total), 0);
    std::vector<int> arrivals(static_cast<size_t>(total), 0);
    int complete = 0;
    QEventLoop loop;
    // With several nodes, device i on node i: device 0 shares the sender's node.
    std::array<std::vector<qint64>, 3> arrivedAt;
    for (int i = 0; i < 3; ++i) {
        auto peer = std::make_unique<Peer>();
        arrivedAt[size_t(i)].assign(size_t(total), 0);
        if (!peer->open(server.urls.value(i % nodes))
            || !peer->signIn(rcpt, QStringLiteral("r%1").arg(i))) {
            server.stop();
            return row;
        }
        peer->onMessage = [&, i](qint64 index) {
            if (index < 0 || index >= total) {
                return;
            }
            arrivedAt[size_t(i)][size_t(index)] = g_clock.nsecsElapsed();
            if (++arrivals[static_cast<size_t>(index)] == 3) {
                doneAt[static_cast<size_t>(index)] = g_clock.nsecsElapsed();
                if (++complete == total) {
                    loop.quit();
                }
            }
        };
        devices.push_back(std::move(peer));
    }

    const QString body(64, QLatin1Char('x'));
    measure(row, loop, rate, seconds,
        { [&server] { return server.serverCpuNs(); }, [&server] { return server.processCpuNs(); },
            postgres ? std::function<qint64()>([&server] { return server.databaseCpuNs(); })
                     : std::function<qint64()>() },
        devices, sentAt, doneAt, complete, [&](int i) {
            sender.post(op::Send,
                { { QStringLiteral("clientId"), QStringLiteral("m%1").arg(i) },
                    { QStringLiteral("to"), rcpt }, { QStringLiteral("body"), body } });
        });
    if (nodes > 1) {
        // p99 of send → arrival on device 0 (the sender's node) and on the others (worst).
        std::vector<double> same;
        std::vector<double> cross;
        for (size_t k = 0; k < size_t(total); ++k) {
            if (arrivedAt[0][k] > 0) {
                same.push_back(static_cast<double>(arrivedAt[0][k] - sentAt[k]) / 1e6);
            }
            const qint64 other = std::max(arrivedAt[1][k], arrivedAt[2][k]);
            if (arrivedAt[1][k] > 0 && arrivedAt[2][k] > 0) {
                cross.push_back(static_cast<double>(other - sentAt[k]) / 1e6);
            }
        }
        row.sameNodeP99 = percentile(same, 0.99);
        row.crossNodeP99 = percentile(cross, 0.99);
    }
    sender.close();
    for (auto& d : devices) {
        d->close();
    }
    server.stop();
    return row;
}

// --- many users ------------------------------------------------------------------------

//! One device of the many-users mode: who it is, and its token for `login`.
struct Account {
    QString address;
    qint64 deviceId = 0;
    QString token;
};

//! Open files for thousands of sockets, here and (inherited) in the server.
void raiseFileLimit()
{
    rlimit r {};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

//! The resident set of process \a pid in KiB (VmRSS), or -1.
qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

bool run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(program, args);
    return p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

/*!
 * The data directory \a dir with \a users accounts of \a perUser devices each, and their
 * tokens (dir/accounts.json). Registering 2,000 devices means 2,000 Argon2 checks (about a
 * minute), so it is made once and kept: each row runs on a copy. An existing \a dir of the
 * same size is used as it is.
 */
bool prepareUsers(const QString& binary, const QString& dir, int users, int perUser,
    std::vector<std::vector<Account>>& accounts)
{
    const QString saved = dir + QStringLiteral("/accounts.json");
    QFile in(saved);
    if (in.open(QIODevice::ReadOnly)) {
        const QJsonArray all = QJsonDocument::fromJson(in.readAll()).array();
        if (all.size() == users && all.at(0).toArray().size() == perUser) {
            accounts.assign(size_t(users), {});
            for (int u = 0; u < users; ++u) {
                for (const QJsonValue& d : all.at(u).toArray()) {
                    const QJsonObject o = d.toObject();
                    accounts[size_t(u)].push_back({ o.value(u"address").toString(),
                        o.value(u"deviceId").toInteger(), o.value(u"token").toString() });
                }
            }
            std::fprintf(stderr, "using the accounts in %s\n", qPrintable(dir));
            return true;
        }
        std::fprintf(stderr, "%s holds other sizes: delete it first\n", qPrintable(dir));
        return false;
    }
    if (!QDir().mkpath(dir)) {
        return false;
    }
    std::fprintf(stderr, "registering %d users x %d devices into %s (once; a minute or more)\n",
        users, perUser, qPrintable(dir));
    const QString pw = dir + QStringLiteral("/pw");
    {
        QFile f(pw);
        if (!f.open(QIODevice::WriteOnly) || f.write("bench-password") < 0) {
            return false;
        }
    }
    const QStringList data { QStringLiteral("--data"), dir };
    // Budgets that protect a real server from one source: here everything is one source.
    for (const auto& [key, value] : { std::pair { "quota.dailyMessages", "0" },
             { "deferred.maxCount", "1000000000" }, { "net.maxConnectionsPerSource", "0" },
             { "login.maxFailuresPerSource", "0" }, { "login.maxFailures", "0" } }) {
        if (!run(binary,
                data
                    + QStringList { QStringLiteral("settings"), QStringLiteral("set"),
                        QString::fromLatin1(key), QString::fromLatin1(value) })) {
            return false;
        }
    }
    // `user add` hashes each password: two at a time on two cores.
    std::vector<std::unique_ptr<QProcess>> running;
    for (int u = 0; u < users || !running.empty();) {
        while (u < users && running.size() < 2) {
            auto p = std::make_unique<QProcess>();
            p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p->start(binary,
                data
                    + QStringList { QStringLiteral("user"), QStringLiteral("add"),
                        QStringLiteral("u%1@bench.example").arg(u),
                        QStringLiteral("--password-file"), pw });
            running.push_back(std::move(p));
            ++u;
        }
        QProcess& first = *running.front();
        if (!first.waitForFinished(120000) || first.exitCode() != 0) {
            std::fprintf(stderr, "user add failed\n");
            return false;
        }
        running.erase(running.begin());
    }
    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.setChildProcessModifier([] { raiseFileLimit(); });
    server.start(binary, data + QStringList { QStringLiteral("--port"), QStringLiteral("0") });
    QUrl url;
    while (url.isEmpty() && server.waitForReadyRead(10000)) {
        const QByteArray line = server.readLine().trimmed();
        if (const qsizetype at = line.indexOf("ws://"); at >= 0) {
            url = QUrl(QString::fromUtf8(line.mid(at)));
        }
    }
    if (url.isEmpty()) {
        return false;
    }
    // The server checks a few passwords at once; keep it busy with eight registrations.
    accounts.assign(size_t(users), std::vector<Account>(size_t(perUser)));
    const int total = users * perUser;
    int next = 0, done = 0, failed = 0;
    std::vector<std::unique_ptr<Peer>> open;
    QEventLoop loop;
    std::function<void()> startOne = [&] {
        if (next >= total) {
            return;
        }
        const int index = next++;
        const int u = index / perUser;
        auto peer = std::make_unique<Peer>();
        Peer* p = peer.get();
        open.push_back(std::move(peer));
        if (!p->open(url) || !p->hello()) {
            ++failed;
            loop.quit();
            return;
        }
        const QJsonObject device { { QStringLiteral("instanceId"),
                                       QStringLiteral("u%1-d%2").arg(u).arg(index % perUser) },
            { QStringLiteral("name"), QStringLiteral("device %1").arg(index % perUser) },
            { QStringLiteral("kind"), QStringLiteral("laptop") },
            { QStringLiteral("capabilities"), QJsonArray { QStringLiteral("text") } } };
        const QString address = QStringLiteral("u%1@bench.example").arg(u);
        p->post(op::Register,
            { { QStringLiteral("address"), address },
                { QStringLiteral("password"), QStringLiteral("bench-password") },
                { QStringLiteral("device"), device } },
            [&, p, index, address](const Frame& f) {
                if (f.isFailure()) {
                    std::fprintf(stderr, "register failed: %s\n", qPrintable(f.error.message));
                    ++failed;
                    loop.quit();
                    return;
                }
                accounts[size_t(index / perUser)][size_t(index % perUser)]
                    = { address, f.result.value(QLatin1StringView("deviceId")).toInteger(),
                          f.result.value(QLatin1StringView("token")).toString() };
                p->close();
                if (++done == total) {
                    loop.quit();
                } else {
                    QTimer::singleShot(0, &loop, startOne);
                }
            });
    };
    for (int i = 0; i < 8; ++i) {
        startOne();
    }
    if (failed == 0 && done < total) {
        loop.exec();
    }
    server.terminate();
    server.waitForFinished(30000);
    if (failed > 0) {
        return false;
    }
    QJsonArray all;
    for (const std::vector<Account>& user : accounts) {
        QJsonArray devices;
        for (const Account& a : user) {
            devices.append(QJsonObject { { QStringLiteral("address"), a.address },
                { QStringLiteral("deviceId"), a.deviceId }, { QStringLiteral("token"), a.token } });
        }
        all.append(devices);
    }
    QFile out(saved);
    return out.open(QIODevice::WriteOnly) && out.write(QJsonDocument(all).toJson()) > 0;
}

/*!
 * A cpm-server on a copy of \a templateDir (the accounts of prepareUsers), on the server's
 * CPUs when pinning; stopped when destroyed.
 */
struct CopyServer {
    QTemporaryDir dir;
    QProcess process;
    QUrl url;

    bool start(const QString& binary, const QString& templateDir)
    {
        if (!run(QStringLiteral("cp"),
                { QStringLiteral("-a"), templateDir + QStringLiteral("/."), dir.path() })) {
            return false;
        }
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.setChildProcessModifier([] {
            raiseFileLimit();
            if (g_pin) {
                sched_setaffinity(0, sizeof(g_serverCpus), &g_serverCpus);
            }
        });
        process.start(binary,
            { QStringLiteral("--data"), dir.path(), QStringLiteral("--port"),
                QStringLiteral("0") });
        while (url.isEmpty() && (process.canReadLine() || process.waitForReadyRead(10000))) {
            const QByteArray line = process.readLine().trimmed();
            if (const qsizetype at = line.indexOf("ws://"); at >= 0) {
                url = QUrl(QString::fromUtf8(line.mid(at)));
            }
        }
        return !url.isEmpty();
    }

    void stop()
    {
        if (process.state() == QProcess::NotRunning) {
            return;
        }
        process.terminate();
        if (!process.waitForFinished(30000)) {
            process.kill();
            process.waitForFinished();
        }
    }

    ~CopyServer() { stop(); }
};

struct ManyRow : Row {
    double rssPerConnectionKiB = 0; //!< server RSS after sign-in, per connection, after start
    double idleCpuPercent = 0; //!< of one core, all connections signed in and silent
    int connections = 0; //!< signed in: the live ones and the idle ones
};

/*!
 * N users × D devices, all signed in and live; at \a rate a random device of a random user
 * sends to another random user. A message counts when the last of the recipient's devices
 * has it (the sender's other devices get their copy too, uncounted).
 */
ManyRow runMany(const QString& binary, const QString& templateDir,
    const std::vector<std::vector<Account>>& accounts, int rate, double seconds, int idlePerDevice)
{
    ManyRow row;
    row.mode = QStringLiteral("many");
    row.targetRate = rate;
    CopyServer server;
    if (!server.start(binary, templateDir)) {
        return row;
    }
    const QUrl url = server.url;
    const auto stop = [&] { server.stop(); };
    const qint64 pid = server.process.processId();
    const qint64 rssBefore = rssKiB(pid);
    const int users = int(accounts.size());
    const int perUser = int(accounts.front().size());
    const int total = static_cast<int>(rate * seconds);
    row.total = total;
    std::vector<qint64> sentAt(size_t(total), 0);
    std::vector<qint64> doneAt(size_t(total), 0);
    std::vector<int> arrivals(size_t(total), 0);
    std::vector<int> recipientOf(size_t(total), -1);
    int complete = 0;
    QEventLoop loop;
    std::vector<std::unique_ptr<Peer>> peers;
    peers.reserve(size_t(users * perUser));
    for (int u = 0; u < users; ++u) {
        for (const Account& a : accounts[size_t(u)]) {
            auto peer = std::make_unique<Peer>();
            if (!peer->open(url) || !peer->logIn(a.address, a.deviceId, a.token)) {
                std::fprintf(stderr, "device %lld of %s could not sign in\n", a.deviceId,
                    qPrintable(a.address));
                stop();
                return row;
            }
            peer->onMessage = [&, u](qint64 index) {
                if (index < 0 || index >= total || recipientOf[size_t(index)] != u) {
                    return; // the sender's own copy on its other devices
                }
                if (++arrivals[size_t(index)] == perUser) {
                    doneAt[size_t(index)] = g_clock.nsecsElapsed();
                    if (++complete == total) {
                        loop.quit();
                    }
                }
            };
            peers.push_back(std::move(peer));
        }
    }
    // More signed-in connections that stay silent and not live (no sync: nothing is pushed
    // to them), to see what many idle ones cost without registering more devices.
    std::vector<std::unique_ptr<Peer>> idle;
    for (int k = 0; k < idlePerDevice; ++k) {
        for (const std::vector<Account>& user : accounts) {
            for (const Account& a : user) {
                auto peer = std::make_unique<Peer>();
                if (!peer->open(url) || !peer->logIn(a.address, a.deviceId, a.token, false)) {
                    std::fprintf(stderr, "an idle connection could not sign in\n");
                    stop();
                    return row;
                }
                idle.push_back(std::move(peer));
            }
        }
    }
    const qint64 rssSignedIn = rssKiB(pid);
    if (rssBefore > 0 && rssSignedIn > rssBefore) {
        row.rssPerConnectionKiB
            = double(rssSignedIn - rssBefore) / double(peers.size() + idle.size());
    }
    row.connections = int(peers.size() + idle.size());
    // What the connections cost while nobody says anything (no timer or poll per connection).
    {
        constexpr int IdleMs = 3000;
        const qint64 idleBefore = threadCpuNs(pid);
        QTimer::singleShot(IdleMs, &loop, &QEventLoop::quit);
        loop.exec();
        const qint64 idleAfter = threadCpuNs(pid);
        if (idleBefore >= 0 && idleAfter >= idleBefore) {
            row.idleCpuPercent = double(idleAfter - idleBefore) / (IdleMs * 1e4);
        }
    }

    // For a profiler attached to the server: from here on is the measured part.
    std::fprintf(stderr, "bench-fanout: measuring %d msg/s for %.0f s (server pid %lld)\n", rate,
        seconds, pid);
    QRandomGenerator random(42); // the same pairs in every row and every run
    const QString body(64, QLatin1Char('x'));
    measure(row, loop, rate, seconds,
        { [pid] { return threadCpuNs(pid); }, [pid] { return allThreadsCpuNs(pid); }, {} }, peers,
        sentAt, doneAt, complete, [&](int i) {
            const int from = int(random.bounded(users));
            int to = int(random.bounded(users - 1));
            to += to >= from ? 1 : 0;
            recipientOf[size_t(i)] = to;
            Peer& device = *peers[size_t(from * perUser + int(random.bounded(perUser)))];
            device.post(op::Send,
                { { QStringLiteral("clientId"), QStringLiteral("m%1").arg(i) },
                    { QStringLiteral("to"), QStringLiteral("u%1@bench.example").arg(to) },
                    { QStringLiteral("body"), body } });
        });
    for (auto& p : peers) {
        p->close();
    }
    for (auto& p : idle) {
        p->close();
    }
    stop();
    return row;
}

struct StormRow {
    int devices = 0;
    int synced = 0;
    qint64 events = 0; //!< what their syncs brought, in all
    double p50Seconds = -1; //!< from the storm's start until a device is live
    double lastSeconds = -1; //!< until the last one is
    qint64 overflows = -1; //!< listen-queue overflows meanwhile
    double serverCpuMs = -1;
};

/*!
 * A sign-in storm, as after a server restart: \a devices of the accounts' devices (the
 * first device of every user, then the second, ...) open a WebSocket, say `hello`, sign in
 * with their token and sync from 0 to the head, all at once. Before it, while everybody is
 * away, \a backlog messages per user are sent from random users to random users, so that
 * each sync has something to bring.
 */
StormRow runStorm(const QString& binary, const QString& templateDir,
    const std::vector<std::vector<Account>>& accounts, int devices, int backlog)
{
    StormRow row;
    CopyServer server;
    if (!server.start(binary, templateDir)) {
        return row;
    }
    const int users = int(accounts.size());
    const int perUser = int(accounts.front().size());
    devices = std::min(devices, users * perUser);
    row.devices = devices;
    if (devices <= 0) {
        return row;
    }
    QEventLoop loop;
    if (backlog > 0) {
        // The first device of each of a few senders, pipelining their sends.
        constexpr int Senders = 10;
        std::vector<std::unique_ptr<Peer>> senders;
        for (int u = 0; u < std::min(Senders, users); ++u) {
            const Account& a = accounts[size_t(u)].front();
            auto peer = std::make_unique<Peer>();
            if (!peer->open(server.url) || !peer->logIn(a.address, a.deviceId, a.token, false)) {
                std::fprintf(stderr, "a sender could not sign in\n");
                return row;
            }
            senders.push_back(std::move(peer));
        }
        QRandomGenerator random(7);
        const QString body(64, QLatin1Char('x'));
        const int total = users * backlog;
        int answered = 0, failed = 0;
        for (int i = 0; i < total; ++i) {
            const int from = i % int(senders.size());
            int to = int(random.bounded(users - 1));
            to += to >= from ? 1 : 0;
            senders[size_t(from)]->post(op::Send,
                { { QStringLiteral("clientId"), QStringLiteral("b%1").arg(i) },
                    { QStringLiteral("to"), QStringLiteral("u%1@bench.example").arg(to) },
                    { QStringLiteral("body"), body } },
                [&](const Frame& f) {
                    failed += f.isFailure() ? 1 : 0;
                    if (++answered == total) {
                        loop.quit();
                    }
                });
        }
        QTimer::singleShot(120000, &loop, &QEventLoop::quit);
        loop.exec();
        if (answered < total || failed > 0) {
            std::fprintf(stderr, "the backlog was not stored (%d of %d answered, %d failed)\n",
                answered, total, failed);
            return row;
        }
        for (auto& p : senders) {
            p->close();
        }
    }

    // Declared before the peers: a peer still signing in when the run gives up may call
    // back while it is destroyed.
    std::vector<double> liveAt;
    int finished = 0;
    std::vector<std::unique_ptr<Peer>> peers;
    const qint64 pid = server.process.processId();
    const qint64 overflowsBefore = cpm::bench::listenOverflows();
    const qint64 cpuBefore = threadCpuNs(pid);
    const qint64 start = g_clock.nsecsElapsed();
    for (int i = 0; i < devices; ++i) {
        const Account& a = accounts[size_t(i % users)][size_t(i / users)];
        auto peer = std::make_unique<Peer>();
        peer->signInAsync(server.url, a.address, a.deviceId, a.token, [&](bool ok) {
            if (ok) {
                liveAt.push_back(double(g_clock.nsecsElapsed() - start) / 1e9);
            }
            if (++finished == devices) {
                loop.quit();
            }
        });
        peers.push_back(std::move(peer));
    }
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
    const qint64 cpuAfter = threadCpuNs(pid);
    row.overflows = cpm::bench::listenOverflows() - overflowsBefore;
    row.synced = int(liveAt.size());
    if (cpuBefore >= 0 && cpuAfter >= cpuBefore) {
        row.serverCpuMs = double(cpuAfter - cpuBefore) / 1e6;
    }
    if (!liveAt.empty()) {
        row.lastSeconds = *std::max_element(liveAt.begin(), liveAt.end());
        row.p50Seconds = percentile(liveAt, 0.50);
    }
    for (const auto& p : peers) {
        row.events += p->eventsSynced();
        p->close();
    }
    return row;
}

int manyUsers(const QCommandLineParser& parser, int users)
{
    const int perUser = std::max(1, parser.value(QStringLiteral("user-devices")).toInt());
    const QString binary = parser.value(QStringLiteral("server"));
    const QString dir = parser.isSet(QStringLiteral("users-dir"))
        ? parser.value(QStringLiteral("users-dir"))
        : QStringLiteral("/tmp/bench-fanout-users-%1x%2").arg(users).arg(perUser);
    std::vector<std::vector<Account>> accounts;
    if (!prepareUsers(binary, dir, users, perUser, accounts)) {
        std::fprintf(stderr, "could not prepare the accounts in %s\n", qPrintable(dir));
        return 1;
    }
    if (parser.isSet(QStringLiteral("storm"))) {
        const int devices = parser.value(QStringLiteral("storm")).toInt();
        const int backlog = parser.value(QStringLiteral("storm-backlog")).toInt();
        std::printf("%-16s %8s %8s %10s %10s %10s %9s %10s\n", "mode", "devices", "synced",
            "events", "p50 s", "last s", "overflows", "srv cpu ms");
        const StormRow r = runStorm(binary, dir, accounts, devices, backlog);
        std::printf("%-16s %8d %8d %10lld %10.3f %10.3f %9lld %10.0f\n", "sign-in storm", r.devices,
            r.synced, r.events, r.p50Seconds, r.lastSeconds, r.overflows, r.serverCpuMs);
        return r.devices > 0 && r.synced == r.devices ? 0 : 1;
    }
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const int idlePerDevice = parser.value(QStringLiteral("idle-per-device")).toInt();
    const QStringList rates = parser.isSet(QStringLiteral("rates"))
        ? parser.value(QStringLiteral("rates")).split(QLatin1Char(','))
        : QStringList { QStringLiteral("500"), QStringLiteral("1000"), QStringLiteral("2000"),
              QStringLiteral("4000"), QStringLiteral("8000") };
    std::printf("%-16s %8s %9s %9s %9s %10s %12s %11s %11s %10s %9s %6s\n", "mode", "target/s",
        "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "complete", "srv us/msg", "all us/msg",
        "KiB/conn", "idle cpu", "conns");
    const QString many = QStringLiteral("%1 users x %2").arg(users).arg(perUser);
    int bestMany = 0, bestSingle = 0;
    struct Cpu {
        int rate;
        double network, all;
    };
    std::vector<Cpu> manyCpu, singleCpu;
    const auto saturated = [](double p99, int complete, int total, double achieved, int rate) {
        return complete == total && p99 < 50 && achieved >= 0.95 * rate;
    };
    for (const QString& r : rates) {
        const int rate = r.toInt();
        const ManyRow m = runMany(binary, dir, accounts, rate, seconds, idlePerDevice);
        std::printf(
            "%-16s %8d %10.0f %9.2f %9.2f %10.2f %6d/%-6d %10.1f %11.1f %10.1f %8.2f%% %6d\n",
            qPrintable(many), m.targetRate, m.achievedRate, m.p50, m.p99, m.p999, m.complete,
            m.total, m.serverCpuUs, m.processCpuUs, m.rssPerConnectionKiB, m.idleCpuPercent,
            m.connections);
        std::fflush(stdout);
        manyCpu.push_back({ rate, m.serverCpuUs, m.processCpuUs });
        if (saturated(m.p99, m.complete, m.total, m.achievedRate, rate)) {
            bestMany = std::max(bestMany, rate);
        }
        const Row one = runOnce(binary, {}, false, rate, seconds);
        std::printf("%-16s %8d %10.0f %9.2f %9.2f %10.2f %6d/%-6d %10.1f %11.1f\n", "1 user x 3",
            one.targetRate, one.achievedRate, one.p50, one.p99, one.p999, one.complete, one.total,
            one.serverCpuUs, one.processCpuUs);
        std::fflush(stdout);
        singleCpu.push_back({ rate, one.serverCpuUs, one.processCpuUs });
        if (saturated(one.p99, one.complete, one.total, one.achievedRate, rate)) {
            bestSingle = std::max(bestSingle, rate);
        }
    }
    std::printf("\n");
    for (size_t i = 0; i < manyCpu.size(); ++i) {
        if (singleCpu[i].network > 0 && singleCpu[i].all > 0) {
            std::printf("us/msg at %d msg/s, %s / 1 user x 3: network thread %.2fx, all threads "
                        "%.2fx\n",
                manyCpu[i].rate, qPrintable(many), manyCpu[i].network / singleCpu[i].network,
                manyCpu[i].all / singleCpu[i].all);
        }
    }
    std::printf("highest rate with p99 < 50 ms: %s %d msg/s, 1 user x 3 %d msg/s (%.2fx)\n",
        qPrintable(many), bestMany, bestSingle,
        bestSingle > 0 ? double(bestMany) / bestSingle : 0.0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // Thousands of sockets here too: the bench must not be what saturates.
    cpm::protocol::installEpollDispatcher();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fan-out latency of cpm-server: 1 sender → 1 user with 3 devices"));
    parser.addHelpOption();
    parser.addOption(
        { QStringLiteral("rates"), QStringLiteral("Comma-separated send rates (msg/s)."),
            QStringLiteral("list"), QStringLiteral("2000,5000,10000,12500,15000") });
    parser.addOption({ QStringLiteral("modes"),
        QStringLiteral("Which servers to run: durable, routing or both (comma-separated)."),
        QStringLiteral("list"), QStringLiteral("durable,routing") });
    parser.addOption({ QStringLiteral("seconds"), QStringLiteral("Seconds of sending per row."),
        QStringLiteral("s"), QStringLiteral("3") });
    parser.addOption({ QStringLiteral("server"), QStringLiteral("cpm-server binary."),
        QStringLiteral("path"), QStringLiteral(CPM_SERVER_BINARY) });
    parser.addOption({ QStringLiteral("routing-server"),
        QStringLiteral("The routing-only baseline server (bench-routing-server)."),
        QStringLiteral("path"), QStringLiteral(CPM_ROUTING_SERVER_BINARY) });
    parser.addOption({ QStringLiteral("no-pin"),
        QStringLiteral("Do not pin the bench and the server to separate CPUs.") });
    parser.addOption({ QStringLiteral("users"),
        QStringLiteral("Many-users mode: N users, random sender and recipient per message, "
                       "beside the single-user durable rows of the same run."),
        QStringLiteral("N"), QStringLiteral("1") });
    parser.addOption({ QStringLiteral("user-devices"),
        QStringLiteral("Devices per user in the many-users mode."), QStringLiteral("D"),
        QStringLiteral("2") });
    parser.addOption({ QStringLiteral("idle-per-device"),
        QStringLiteral("Many-users mode: K more signed-in, silent connections per device (not "
                       "synced, so nothing is pushed to them), counted in KiB/conn and idle cpu."),
        QStringLiteral("K"), QStringLiteral("0") });
    parser.addOption({ QStringLiteral("store"),
        QStringLiteral("sqlite (default) or postgresql: the durable rows on a throwaway "
                       "PostgreSQL cluster (Debian's postgresql-15), beside SQLite's."),
        QStringLiteral("store"), QStringLiteral("sqlite") });
    parser.addOption({ QStringLiteral("nodes"),
        QStringLiteral("With --store postgresql: also rows with N nodes on the one database, "
                       "the receiving devices spread over them."),
        QStringLiteral("N"), QStringLiteral("1") });
    parser.addOption({ QStringLiteral("users-dir"),
        QStringLiteral("Where the many-users accounts are registered once and kept "
                       "(default: a directory under /tmp named after N and D)."),
        QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("storm"),
        QStringLiteral("Many-users mode: instead of the rates, a sign-in storm of D devices "
                       "(hello, login with a token, sync to the head, all at once)."),
        QStringLiteral("D") });
    parser.addOption({ QStringLiteral("storm-backlog"),
        QStringLiteral("With --storm: messages per user stored while everyone is away, for "
                       "the storm's syncs to bring."),
        QStringLiteral("N"), QStringLiteral("5") });
    parser.addOption({ QStringLiteral("position-ack-ms"),
        QStringLiteral("How long a device waits before acknowledging an event that is not an "
                       "incoming message, as the client core does (0: every event at the next "
                       "tick, as before)."),
        QStringLiteral("ms"), QStringLiteral("2000") });
    parser.process(app);
    g_positionAckNs = parser.value(QStringLiteral("position-ack-ms")).toLongLong() * 1000000;
    if (!parser.isSet(QStringLiteral("no-pin"))) {
        pinCpus();
    }
    g_clock.start();
    raiseFileLimit();

    const int users = parser.value(QStringLiteral("users")).toInt();
    if (users > 1) {
        return manyUsers(parser, users);
    }

    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const QStringList modes = parser.value(QStringLiteral("modes")).split(QLatin1Char(','));
    const bool postgres = parser.value(QStringLiteral("store")) == QLatin1StringView("postgresql");
    const int nodes = std::max(1, parser.value(QStringLiteral("nodes")).toInt());
    std::printf("%-13s %8s %9s %9s %9s %10s %12s %11s %11s%s\n", "mode", "target/s", "achieved/s",
        "p50 ms", "p99 ms", "p99.9 ms", "complete", "srv us/msg", "all us/msg",
        postgres ? "  db us/msg  same p99  cross p99" : "");
    double durableP99At2k = -1, routingP99At2k = -1;
    int bestRate = 0;
    for (const QString& r : parser.value(QStringLiteral("rates")).split(QLatin1Char(','))) {
        const int rate = r.toInt();
        for (const bool routingOnly : { false, true }) {
            if (!modes.contains(
                    routingOnly ? QStringLiteral("routing") : QStringLiteral("durable"))) {
                continue;
            }
            const Row row = runOnce(parser.value(QStringLiteral("server")),
                parser.value(QStringLiteral("routing-server")), routingOnly, rate, seconds);
            std::printf("%-13s %8d %10.0f %9.2f %9.2f %10.2f %6d/%-6d %10.1f %11.1f\n",
                qPrintable(row.mode), row.targetRate, row.achievedRate, row.p50, row.p99, row.p999,
                row.complete, row.total, row.serverCpuUs, row.processCpuUs);
            std::fflush(stdout);
            if (postgres && !routingOnly) {
                // The same row on PostgreSQL: one node, then (--nodes) several.
                for (int n : nodes > 1 ? QList<int> { 1, nodes } : QList<int> { 1 }) {
                    const Row pg = runOnce(parser.value(QStringLiteral("server")),
                        parser.value(QStringLiteral("routing-server")), false, rate, seconds, true,
                        n);
                    std::printf("%-13s %8d %10.0f %9.2f %9.2f %10.2f %6d/%-6d %10.1f %11.1f %10.1f "
                                "%9s %10s\n",
                        qPrintable(pg.mode), pg.targetRate, pg.achievedRate, pg.p50, pg.p99,
                        pg.p999, pg.complete, pg.total, pg.serverCpuUs, pg.processCpuUs,
                        pg.databaseCpuUs,
                        pg.sameNodeP99 >= 0 ? qPrintable(QString::number(pg.sameNodeP99, 'f', 2))
                                            : "-",
                        pg.crossNodeP99 >= 0 ? qPrintable(QString::number(pg.crossNodeP99, 'f', 2))
                                             : "-");
                    std::fflush(stdout);
                }
            }
            if (rate == 2000) {
                (routingOnly ? routingP99At2k : durableP99At2k) = row.p99;
            }
            if (!routingOnly && row.complete == row.total && row.p99 < 50
                && row.achievedRate >= 0.95 * rate) {
                bestRate = std::max(bestRate, rate);
            }
        }
    }
    if (durableP99At2k >= 0 && routingP99At2k > 0) {
        std::printf(
            "\ndurable/routing-only p99 at 2000 msg/s: %.1fx\n", durableP99At2k / routingP99At2k);
    }
    std::printf("highest durable rate with p99 < 50 ms: %d msg/s\n", bestRate);
    return 0;
}
