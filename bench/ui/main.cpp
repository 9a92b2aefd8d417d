// SPDX-License-Identifier: GPL-3.0-or-later
// bench-ui: how the desktop window copes with a large profile. Two profiles of the same
// shape (500 conversations, one of them holding a fifth of all messages) are generated
// once through the real store code — sync batches of `message` events, so bodies and
// subjects are encrypted at rest exactly as a sync leaves them — one with 1,000 messages,
// one with 1,000,000. Each measurement runs in a fresh process (this program re-executed
// with --measure), so caches and RSS belong to that run alone, and is repeated; the table
// shows medians:
//   - start → list: from exec (and from main()) until the main window is shown with the
//     conversation list populated and painted;
//   - open → first paint: MainWindow::openConversation() on the large conversation until
//     the message view's first paint;
//   - RSS after that (VmRSS).
//
//   bench-ui [--cache DIR] [--runs N (15)] [--regenerate]
//
// The OS page cache is warm (the profiles were just written or read): this measures the
// application's own work, not the disk.

#include "client.h"
#include "conversationmodel.h"
#include "keystore.h"
#include "localstore.h"
#include "mainwindow.h"
#include "messagemodel.h"
#include "protocol.h"
#include "secretbox.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QLocale>
#include <QProcess>
#include <QSqlQuery>
#include <QSysInfo>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <random>

namespace {

// Bump when the generated data changes shape: cached profiles of another version are
// generated again.
constexpr int GeneratorVersion = 1;
constexpr int BatchSize = 10000;
constexpr qint64 FirstMessageTime = 1735689600000; // 2025-01-01 00:00 UTC
constexpr qint64 HistorySpanMs = 365LL * 24 * 3600 * 1000;
const QString Me = QStringLiteral("me@bench.example");
constexpr char SpawnClockVariable[] = "CPM_BENCH_SPAWN_NS";
constexpr char StampFile[] = "bench-ui.json";

struct ProfileSpec {
    QString name;
    int messages;
    int conversations;
    int largeShare; //!< every largeShare-th message belongs to the large conversation
};

// Same shape at two sizes: 500 conversations, a fifth of the messages in the first one.
const QList<ProfileSpec>& specs()
{
    static const QList<ProfileSpec> all {
        { QStringLiteral("1k"), 1000, 500, 5 },
        { QStringLiteral("1M"), 1000000, 500, 5 },
    };
    return all;
}

QString peerAddress(int index)
{
    return QStringLiteral("peer-%1@bench.example").arg(index, 4, 10, QLatin1Char('0'));
}
// The conversation the measurement opens: 200 messages in 1k, 200,000 in 1M.
QString largePeer() { return peerAddress(0); }

qint64 monotonicNs()
{
    // steady_clock is CLOCK_MONOTONIC on Linux: comparable between processes.
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void say(const QString& line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

// --- generation ------------------------------------------------------------------------

QString bodyText(std::mt19937_64& rng)
{
    static const QStringList words = QStringLiteral(
        "the a meeting tomorrow at noon please send report thanks see you later call me "
        "when ready I will be there in ten minutes did you get my message about train "
        "lunch project deadline Friday coffee great idea sounds good let us talk soon "
        "okay sure tonight weekend plans photo address budget review draft final")
                                         .split(QLatin1Char(' '));
    const int count = 3 + int(rng() % 28);
    QString out;
    for (int i = 0; i < count; ++i) {
        if (i > 0) {
            out += QLatin1Char(' ');
        }
        out += words.at(int(rng() % words.size()));
    }
    return out;
}

QString uuidFrom(std::mt19937_64& rng)
{
    QByteArray bytes(16, Qt::Uninitialized);
    const quint64 a = rng();
    const quint64 b = rng();
    std::memcpy(bytes.data(), &a, 8);
    std::memcpy(bytes.data() + 8, &b, 8);
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

QJsonObject readStamp(const QString& dir)
{
    QFile f(QDir(dir).filePath(QString::fromLatin1(StampFile)));
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                       : QJsonObject();
}

QJsonObject stampOf(const ProfileSpec& spec)
{
    return { { QStringLiteral("generator"), GeneratorVersion },
        { QStringLiteral("messages"), spec.messages },
        { QStringLiteral("conversations"), spec.conversations },
        { QStringLiteral("largeShare"), spec.largeShare } };
}

//! Writes the profile through a Client (identity, key file) and the LocalStore's sync
//! path: `contact` and `message` events applied in batches of BatchSize, one transaction
//! each, as a first sync of a long history would.
bool generate(const ProfileSpec& spec, const QString& dir)
{
    QElapsedTimer timer;
    timer.start();
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    QString error;
    {
        cpm::Client client(dir);
        if (const cpm::Result<void> opened = client.open(); !opened) {
            say(QStringLiteral("cannot create the profile %1: %2")
                    .arg(dir, opened.error().message));
            return false;
        }
    }
    cpm::Keystore keystore(dir, QString());
    cpm::SecretKey key = keystore.load(cpm::Keystore::Kind::KeyFile, &error);
    if (key.isNull()) {
        say(QStringLiteral("cannot read the profile key: ") + error);
        return false;
    }
    cpm::SecretBox box(std::move(key));
    cpm::LocalStore store(&box);
    if (const cpm::Result<void> opened
        = store.open(QDir(dir).filePath(QString::fromLatin1(cpm::LocalStore::FileName)));
        !opened) {
        say(QStringLiteral("cannot open the store: ") + opened.error().message);
        return false;
    }
    // A page cache that holds the indexes: a batch then writes each page once instead of
    // spilling and re-reading them (2 MB default). Only this connection's memory; the rows
    // are what the sync path writes either way.
    QSqlQuery(store.database()).exec(QStringLiteral("PRAGMA cache_size = -262144"));

    static const QStringList firstNames = QStringLiteral(
        "Ada Ben Chloé Dmitri Emma Farid Grace Hiro Inès Jonas Kavya Liam Mia Noah Olga Paul")
                                              .split(QLatin1Char(' '));
    static const QStringList lastNames
        = QStringLiteral("Adler Brandt Costa Dubois Eriksen Fischer García Haas Ivanova Jensen")
              .split(QLatin1Char(' '));

    std::mt19937_64 rng(20250101);
    qint64 seq = 0;
    QList<cpm::protocol::Frame> batch;
    auto flush = [&]() {
        if (batch.isEmpty()) {
            return true;
        }
        if (!store.applyEvents(batch, seq, nullptr)) {
            say(QStringLiteral("applying a batch failed at event %1").arg(seq));
            return false;
        }
        batch.clear();
        return true;
    };
    // Half the peers are contacts with a name.
    for (int p = 0; p < spec.conversations; p += 2) {
        batch.append(cpm::protocol::Frame::streamEvent(cpm::protocol::event::Contact, ++seq,
            { { QStringLiteral("address"), peerAddress(p) },
                { QStringLiteral("name"),
                    QString(firstNames.at(int(rng() % firstNames.size())) + QLatin1Char(' ')
                        + lastNames.at(int(rng() % lastNames.size()))) } }));
    }
    if (!flush()) {
        return false;
    }

    // The small conversations take turns in a fixed shuffled order, so each gets its
    // share (1 or 2 messages in 1k, ~1,600 in 1M) spread over the whole year.
    QList<int> order;
    for (int p = 1; p < spec.conversations; ++p) {
        order.append(p);
    }
    std::shuffle(order.begin(), order.end(), rng);
    // The newest few incoming messages of small conversations stay unread (badges in the
    // list); the large conversation is all read, so opening it writes nothing and every
    // run sees the same profile.
    const int unreadTail = std::max(2, spec.messages / 500);
    const qint64 step = HistorySpanMs / spec.messages;
    int smallIndex = 0;
    for (int i = 0; i < spec.messages; ++i) {
        const bool large = i % spec.largeShare == 0;
        const QString peer
            = large ? largePeer() : peerAddress(order.at(smallIndex++ % order.size()));
        const bool incoming = rng() % 2 == 0;
        const bool read = !incoming || large || i < spec.messages - unreadTail;
        const QString subject = rng() % 20 == 0 ? QStringLiteral("Re: plans") : QString();
        QString status = QStringLiteral("sent");
        if (!incoming) {
            status = rng() % 4 == 0 ? QStringLiteral("delivered") : QStringLiteral("displayed");
        }
        const QJsonObject message { { QStringLiteral("id"), i + 1 },
            { QStringLiteral("clientId"), uuidFrom(rng) },
            { QStringLiteral("from"), incoming ? peer : Me },
            { QStringLiteral("to"), incoming ? Me : peer }, { QStringLiteral("subject"), subject },
            { QStringLiteral("body"), bodyText(rng) },
            { QStringLiteral("time"), FirstMessageTime + i * step },
            { QStringLiteral("folder"),
                incoming ? QStringLiteral("inbox") : QStringLiteral("sent") },
            { QStringLiteral("read"), read }, { QStringLiteral("status"), status },
            { QStringLiteral("partial"), false } };
        batch.append(cpm::protocol::Frame::streamEvent(
            cpm::protocol::event::Message, ++seq, { { QStringLiteral("message"), message } }));
        if (batch.size() >= BatchSize && !flush()) {
            return false;
        }
        if ((i + 1) % 100000 == 0) {
            say(QStringLiteral("  %1: %2 messages, %3 s")
                    .arg(spec.name)
                    .arg(i + 1)
                    .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1));
        }
    }
    if (!flush()) {
        return false;
    }
    // Leave a checkpointed database behind: the first measured run must not pay for it.
    QSqlQuery(store.database()).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    store.close();

    QFile stamp(QDir(dir).filePath(QString::fromLatin1(StampFile)));
    if (!stamp.open(QIODevice::WriteOnly)) {
        return false;
    }
    stamp.write(QJsonDocument(stampOf(spec)).toJson());
    say(QStringLiteral("  %1: generated %2 messages in %3 s")
            .arg(spec.name)
            .arg(spec.messages)
            .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1));
    return true;
}

// --- measurement (child process) -------------------------------------------------------

//! Notes the first paint of a widget that happens while \a ready holds.
class PaintProbe final : public QObject {
public:
    PaintProbe(QWidget* widget, std::function<bool()> ready)
        : m_ready(std::move(ready))
    {
        widget->installEventFilter(this);
    }
    bool painted() const { return m_painted; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        // The filter runs just before the paint; painted() is read after processEvents()
        // returns, so the paint itself is included.
        if (event->type() == QEvent::Paint && m_ready()) {
            m_painted = true;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<bool()> m_ready;
    bool m_painted = false;
};

bool processUntil(const std::function<bool()>& done, int timeoutMs = 20000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    }
    return true;
}

qint64 statusKb(const char* field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith(prefix)) {
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

int measure(int argc, char** argv, const QElapsedTimer& sinceMain)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption measureOption(QStringLiteral("measure"));
    const QCommandLineOption profileOption(
        QStringLiteral("profile"), QStringLiteral("profile dir"), QStringLiteral("dir"));
    const QCommandLineOption peerOption(
        QStringLiteral("peer"), QStringLiteral("conversation"), QStringLiteral("address"));
    parser.addOptions({ measureOption, profileOption, peerOption });
    parser.process(app);

    cpm::Client client(parser.value(profileOption));
    QString error;
    QElapsedTimer clientOpen;
    clientOpen.start();
    if (const cpm::Result<void> opened = client.open(); !opened) {
        say(QStringLiteral("ERROR cannot open the profile: ") + opened.error().message);
        return 1;
    }
    const double clientOpenMs = double(clientOpen.nsecsElapsed()) / 1e6;
    cpm::ui::MainWindow window(&client);
    auto* conversations = window.findChild<QListView*>(QStringLiteral("conversations"));
    auto* messages = window.findChild<QListView*>(QStringLiteral("messages"));
    if (!conversations || !messages) {
        say(QStringLiteral("ERROR the main window has no conversation or message view"));
        return 1;
    }
    PaintProbe listPainted(conversations->viewport(),
        [&window] { return window.conversationModel()->rowCount() > 0; });
    window.show();
    if (!processUntil([&] { return listPainted.painted(); })) {
        say(QStringLiteral("ERROR the conversation list was never painted"));
        return 1;
    }
    const double listMs = double(sinceMain.nsecsElapsed()) / 1e6;
    const qint64 spawnNs = qEnvironmentVariable(SpawnClockVariable).toLongLong();
    const double execMs = spawnNs > 0 ? double(monotonicNs() - spawnNs) / 1e6 : -1.0;
    const int conversationRows = window.conversationModel()->rowCount();

    PaintProbe messagesPainted(
        messages->viewport(), [&window] { return window.messageModel()->rowCount() > 0; });
    QElapsedTimer open;
    open.start();
    window.openConversation(parser.value(peerOption));
    if (!processUntil([&] { return messagesPainted.painted(); })) {
        say(QStringLiteral("ERROR the conversation was never painted"));
        return 1;
    }
    const double openMs = double(open.nsecsElapsed()) / 1e6;

    say(QStringLiteral("RESULT exec_ms=%1 main_ms=%2 client_open_ms=%3 open_ms=%4 rss_kb=%5 "
                       "hwm_kb=%6 rows=%7 message_rows=%8")
            .arg(execMs, 0, 'f', 2)
            .arg(listMs, 0, 'f', 2)
            .arg(clientOpenMs, 0, 'f', 2)
            .arg(openMs, 0, 'f', 2)
            .arg(statusKb("VmRSS"))
            .arg(statusKb("VmHWM"))
            .arg(conversationRows)
            .arg(window.messageModel()->rowCount()));
    return 0;
}

// --- driver ----------------------------------------------------------------------------

struct Run {
    double execMs = 0;
    double mainMs = 0;
    double clientOpenMs = 0;
    double openMs = 0;
    double rssMb = 0;
    int rows = 0;
};

std::optional<Run> runOnce(const QString& profileDir)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("CPM_KEYSTORE"), QStringLiteral("file"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("cpm.*.debug=false"));
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const QStringList args { QStringLiteral("--measure"), QStringLiteral("--profile"), profileDir,
        QStringLiteral("--peer"), largePeer() };
    env.insert(QString::fromLatin1(SpawnClockVariable), QString::number(monotonicNs()));
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), args);
    if (!child.waitForFinished(120000) || child.exitCode() != 0) {
        say(QStringLiteral("measurement failed: ")
            + QString::fromUtf8(child.readAllStandardOutput()));
        return std::nullopt;
    }
    const QString out = QString::fromUtf8(child.readAllStandardOutput());
    const qsizetype at = out.indexOf(QLatin1StringView("RESULT "));
    if (at < 0) {
        say(QStringLiteral("measurement printed no result: ") + out);
        return std::nullopt;
    }
    QHash<QString, double> values;
    for (const QString& pair :
        out.mid(at + 7).section(QLatin1Char('\n'), 0, 0).split(QLatin1Char(' '))) {
        values.insert(
            pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1).toDouble());
    }
    Run r;
    r.execMs = values.value(QStringLiteral("exec_ms"));
    r.mainMs = values.value(QStringLiteral("main_ms"));
    r.clientOpenMs = values.value(QStringLiteral("client_open_ms"));
    r.openMs = values.value(QStringLiteral("open_ms"));
    r.rssMb = values.value(QStringLiteral("rss_kb")) / 1024.0;
    r.rows = int(values.value(QStringLiteral("rows")));
    return r;
}

double median(QList<double> v)
{
    if (v.isEmpty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v.at(n / 2) : (v.at(n / 2 - 1) + v.at(n / 2)) / 2.0;
}

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
            }
        }
    }
    return QStringLiteral("unknown CPU");
}

int drive(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Start-up and conversation-open times of the desktop window, 1k vs 1M messages."));
    parser.addHelpOption();
    const QCommandLineOption cacheOption(QStringLiteral("cache"),
        QStringLiteral("Directory for the generated profiles (kept between runs)."),
        QStringLiteral("dir"),
        QCoreApplication::applicationDirPath() + QStringLiteral("/profiles"));
    const QCommandLineOption runsOption(QStringLiteral("runs"),
        QStringLiteral("Measurements per profile (median reported)."), QStringLiteral("n"),
        QStringLiteral("15"));
    const QCommandLineOption regenerateOption(
        QStringLiteral("regenerate"), QStringLiteral("Generate the profiles again."));
    parser.addOptions({ cacheOption, runsOption, regenerateOption });
    parser.process(app);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    qputenv("CPM_KEYSTORE", "file");

    const QDir cache(QDir(parser.value(cacheOption)).absolutePath());
    QList<QString> dirs;
    for (const ProfileSpec& spec : specs()) {
        const QString dir = cache.filePath(spec.name);
        dirs.append(dir);
        if (parser.isSet(regenerateOption) || readStamp(dir) != stampOf(spec)) {
            say(QStringLiteral("generating the %1 profile in %2").arg(spec.name, dir));
            if (!generate(spec, dir)) {
                return 1;
            }
        }
        // Open once untimed: a profile from an older build is migrated here, not in a run.
        QElapsedTimer opening;
        opening.start();
        cpm::Client client(dir);
        QString error;
        if (const cpm::Result<void> opened = client.open(); !opened) {
            say(QStringLiteral("cannot open %1: %2").arg(dir, opened.error().message));
            return 1;
        }
        say(QStringLiteral("  %1: untimed first open (migrations included) %2 ms")
                .arg(spec.name)
                .arg(opening.elapsed()));
    }

    QList<QList<Run>> results(specs().size());
    for (int run = 0; run < runs; ++run) {
        // Interleaved, so a drift in the machine's load touches both profiles alike.
        for (int i = 0; i < specs().size(); ++i) {
            const auto r = runOnce(dirs.at(i));
            if (!r) {
                return 1;
            }
            results[i].append(*r);
            say(QStringLiteral(
                "  run %1 %2: exec→list %3 ms, main→list %4 ms (Client::open %5 ms), "
                "open→paint %6 ms, RSS %7 MB")
                    .arg(run + 1)
                    .arg(specs().at(i).name)
                    .arg(r->execMs, 0, 'f', 1)
                    .arg(r->mainMs, 0, 'f', 1)
                    .arg(r->clientOpenMs, 0, 'f', 1)
                    .arg(r->openMs, 0, 'f', 1)
                    .arg(r->rssMb, 0, 'f', 1));
        }
    }

    struct Row {
        double exec, main, clientOpen, open, rss;
    };
    QList<Row> rows;
    for (const QList<Run>& rs : results) {
        QList<double> exec, main, clientOpen, open, rss;
        for (const Run& r : rs) {
            exec.append(r.execMs);
            main.append(r.mainMs);
            clientOpen.append(r.clientOpenMs);
            open.append(r.openMs);
            rss.append(r.rssMb);
        }
        rows.append({ median(exec), median(main), median(clientOpen), median(open), median(rss) });
    }

    say(QString());
    say(QStringLiteral("%1, %2 cores (%3), Qt %4, %5 runs each, medians")
            .arg(cpuModel())
            .arg(QThread::idealThreadCount())
            .arg(QSysInfo::prettyProductName(), QString::fromLatin1(qVersion()))
            .arg(runs));
    say(QString());
    say(QStringLiteral(
        "| profile | messages | start→list, from exec (ms) | start→list, from main() "
        "(ms) | of which Client::open (ms) | open→first paint (ms) | RSS after "
        "open (MB) |"));
    say(QStringLiteral("| --- | ---: | ---: | ---: | ---: | ---: | ---: |"));
    for (int i = 0; i < specs().size(); ++i) {
        const Row& r = rows.at(i);
        say(QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 |")
                .arg(specs().at(i).name, QLocale(QLocale::English).toString(specs().at(i).messages))
                .arg(r.exec, 0, 'f', 1)
                .arg(r.main, 0, 'f', 1)
                .arg(r.clientOpen, 0, 'f', 1)
                .arg(r.open, 0, 'f', 1)
                .arg(r.rss, 0, 'f', 1));
    }
    const Row& small = rows.constFirst();
    const Row& big = rows.constLast();
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    say(QStringLiteral("| 1M / 1k | | %1× | %2× | %3× | %4× | %5× |")
            .arg(ratio(big.exec, small.exec), 0, 'f', 2)
            .arg(ratio(big.main, small.main), 0, 'f', 2)
            .arg(ratio(big.clientOpen, small.clientOpen), 0, 'f', 2)
            .arg(ratio(big.open, small.open), 0, 'f', 2)
            .arg(ratio(big.rss, small.rss), 0, 'f', 2));
    say(QString());

    auto verdict = [](bool ok) { return ok ? QStringLiteral("PASS") : QStringLiteral("FAIL"); };
    const bool openOk = small.open <= 100 && big.open <= 100;
    const bool startOk = ratio(big.exec, small.exec) <= 1.2 && ratio(big.main, small.main) <= 1.2;
    const bool openRatioOk = ratio(big.open, small.open) <= 1.2;
    const bool rssOk = big.rss <= 150;
    say(QStringLiteral("target open ≤ 100 ms: %1").arg(verdict(openOk)));
    say(QStringLiteral("target start 1M ≤ 1.2 × 1k: %1").arg(verdict(startOk)));
    say(QStringLiteral("target open 1M ≤ 1.2 × 1k: %1").arg(verdict(openRatioOk)));
    say(QStringLiteral("target RSS ≤ 150 MB after opening the large conversation: %1")
            .arg(verdict(rssOk)));
    return openOk && startOk && openRatioOk && rssOk ? 0 : 2;
}

} // namespace

int main(int argc, char** argv)
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--measure") == 0) {
            return measure(argc, argv, sinceMain);
        }
    }
    return drive(argc, argv);
}
