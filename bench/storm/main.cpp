// SPDX-License-Identifier: GPL-3.0-or-later
// bench-storm: what a crowd costs the people in it. Prints a table (docs/performance.md).
//
//   bench-storm [--server PATH] [--devices N] [--guesses N] [--runs N]
//
// Reconnect storm: N devices (default 1000) open a WebSocket and say `hello` at once, as
// after a server restart. Measured: the time until the last is answered, and the kernel's
// listen-queue overflows meanwhile (TcpExtListenOverflows, /proc/net/netstat: connections
// dropped because the backlog was full, which the client only sees as a slow SYN retry).
//
// Password storm: M wrong-password `register`s for one account at once (default 200), and
// 100 ms later one right password for another account. Measured: how long that person
// waits until signed in, retrying when answered `throttled` after `retryAfter` seconds,
// as the reference client does. The sign-in budgets are switched off for the storm, so
// only the server's queue of password checks decides.
//
// Everything from 127.0.0.1: the per-source cap is lifted, and the file limits raised.

#include "benchloop.h"
#include "netstat.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <sys/resource.h>
#include <vector>

namespace {

using cpm::bench::listenOverflows;
using cpm::bench::waitFor;

void raiseFileLimit()
{
    rlimit r {};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

struct Server {
    QString binary;
    QTemporaryDir dir;
    QProcess process;
    QUrl url;

    bool admin(const QStringList& args)
    {
        QProcess p;
        p.start(binary, QStringList { QStringLiteral("--data"), dir.path() } + args);
        return p.waitForFinished(60000) && p.exitCode() == 0;
    }
    bool start()
    {
        QFile pw(dir.filePath(QStringLiteral("pw")));
        if (!pw.open(QIODevice::WriteOnly) || pw.write("right-password") < 0) {
            return false;
        }
        pw.close();
        for (const char* user : { "victim@bench.example", "person@bench.example" }) {
            if (!admin({ QStringLiteral("user"), QStringLiteral("add"), QString::fromLatin1(user),
                    QStringLiteral("--password-file"), pw.fileName() })) {
                return false;
            }
        }
        // Budgets off (an older server may not know some of these: that is fine).
        for (const char* key :
            { "login.maxFailures", "login.maxFailuresPerSource", "net.maxConnectionsPerSource" }) {
            admin({ QStringLiteral("settings"), QStringLiteral("set"), QString::fromLatin1(key),
                QStringLiteral("0") });
        }
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.setChildProcessModifier([] { raiseFileLimit(); });
        process.start(binary,
            { QStringLiteral("--data"), dir.path(), QStringLiteral("--port"),
                QStringLiteral("0") });
        if (!process.waitForStarted()) {
            return false;
        }
        while (process.waitForReadyRead(10000)) {
            const QByteArray line = process.readLine().trimmed();
            if (const qsizetype at = line.indexOf("ws://"); at >= 0) {
                url = QUrl(QString::fromUtf8(line.mid(at)));
                return true;
            }
        }
        return false;
    }
    ~Server()
    {
        process.terminate();
        if (!process.waitForFinished(10000)) {
            process.kill();
            process.waitForFinished();
        }
    }
};

QString frame(qint64 id, const QString& op, const QJsonObject& args)
{
    return QString::fromUtf8(QJsonDocument(
        QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("op"), op },
            { QStringLiteral("args"),
                args } }).toJson(QJsonDocument::Compact));
}

const QJsonObject Hello { { QStringLiteral("versions"), QJsonArray { 1 } } };

QJsonObject registerArgs(const QString& address, const QString& password, int n)
{
    return { { QStringLiteral("address"), address }, { QStringLiteral("password"), password },
        { QStringLiteral("device"),
            QJsonObject { { QStringLiteral("instanceId"), QStringLiteral("storm-%1").arg(n) },
                { QStringLiteral("name"), QStringLiteral("storm %1").arg(n) },
                { QStringLiteral("kind"), QStringLiteral("laptop") },
                { QStringLiteral("capabilities"), QJsonArray { QStringLiteral("text") } } } } };
}

//! Seconds until all \a count devices had `hello` answered; overflows meanwhile.
std::pair<double, qint64> reconnectStorm(const QUrl& url, int count)
{
    std::vector<std::unique_ptr<QWebSocket>> sockets;
    int answered = 0;
    const qint64 overflowsBefore = listenOverflows();
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<QWebSocket>();
        QWebSocket* s = socket.get();
        QObject::connect(s, &QWebSocket::connected, s,
            [s] { s->sendTextMessage(frame(1, QStringLiteral("hello"), Hello)); });
        QObject::connect(
            s, &QWebSocket::textMessageReceived, s, [&answered](const QString&) { ++answered; });
        s->open(url);
        sockets.push_back(std::move(socket));
    }
    const bool all = waitFor([&] { return answered >= count; }, 120000);
    const double seconds = all ? static_cast<double>(t.elapsed()) / 1000.0 : -1;
    return { seconds, listenOverflows() - overflowsBefore };
}

//! Seconds the right password waited behind \a guesses wrong ones (with retries).
double passwordStorm(const QUrl& url, int guesses)
{
    std::vector<std::unique_ptr<QWebSocket>> storm;
    for (int i = 0; i < guesses; ++i) {
        auto socket = std::make_unique<QWebSocket>();
        QWebSocket* s = socket.get();
        QObject::connect(s, &QWebSocket::connected, s, [s, i] {
            s->sendTextMessage(frame(1, QStringLiteral("hello"), Hello));
            s->sendTextMessage(frame(2, QStringLiteral("register"),
                registerArgs(QStringLiteral("victim@bench.example"), QStringLiteral("guess"), i)));
        });
        s->open(url);
        storm.push_back(std::move(socket));
    }
    waitFor([] { return false; }, 100);
    QElapsedTimer t;
    t.start();
    bool done = false;
    QWebSocket person;
    std::function<void()> attempt = [&] {
        person.sendTextMessage(frame(2, QStringLiteral("register"),
            registerArgs(QStringLiteral("person@bench.example"), QStringLiteral("right-password"),
                1000000)));
    };
    QObject::connect(&person, &QWebSocket::connected, &person, [&] {
        person.sendTextMessage(frame(1, QStringLiteral("hello"), Hello));
        attempt();
    });
    QObject::connect(&person, &QWebSocket::textMessageReceived, &person, [&](const QString& text) {
        const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
        if (o.value(QLatin1StringView("id")).toInt() != 2) {
            return;
        }
        if (o.contains(QLatin1StringView("result"))) {
            done = true;
            return;
        }
        const QJsonObject error = o.value(QLatin1StringView("error")).toObject();
        const int retryAfter = error.value(QLatin1StringView("retryAfter")).toInt(1);
        QTimer::singleShot(std::max(1, retryAfter) * 1000, &person, attempt);
    });
    person.open(url);
    return waitFor([&] { return done; }, 120000) ? static_cast<double>(t.elapsed()) / 1000.0 : -1;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    raiseFileLimit();
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption serverOption(
        QStringLiteral("server"), QStringLiteral("cpm-server binary."), QStringLiteral("PATH"));
    const QCommandLineOption devicesOption(QStringLiteral("devices"),
        QStringLiteral("Devices in the reconnect storm (1000)."), QStringLiteral("N"));
    const QCommandLineOption guessesOption(QStringLiteral("guesses"),
        QStringLiteral("Wrong passwords in the password storm (200)."), QStringLiteral("N"));
    const QCommandLineOption runsOption(
        QStringLiteral("runs"), QStringLiteral("Runs of each (3)."), QStringLiteral("N"));
    parser.addOptions({ serverOption, devicesOption, guessesOption, runsOption });
    parser.process(app);
    const QString binary = parser.isSet(serverOption) ? parser.value(serverOption)
                                                      : QStringLiteral(CPM_SERVER_BINARY);
    const int devices = parser.isSet(devicesOption) ? parser.value(devicesOption).toInt() : 1000;
    const int guesses = parser.isSet(guessesOption) ? parser.value(guessesOption).toInt() : 200;
    const int runs = parser.isSet(runsOption) ? parser.value(runsOption).toInt() : 3;

    std::vector<double> reconnect, waited;
    std::vector<double> overflows;
    std::printf("%-6s %12s %12s %16s\n", "run", "storm s", "overflows", "sign-in wait s");
    for (int run = 1; run <= runs; ++run) {
        double stormSeconds = -1, waitSeconds = -1;
        qint64 dropped = -1;
        {
            Server server;
            server.binary = binary;
            if (!server.start()) {
                std::fprintf(stderr, "bench-storm: cannot start %s\n", qPrintable(binary));
                return 1;
            }
            std::tie(stormSeconds, dropped) = reconnectStorm(server.url, devices);
        }
        {
            Server server;
            server.binary = binary;
            if (!server.start()) {
                return 1;
            }
            waitSeconds = passwordStorm(server.url, guesses);
        }
        reconnect.push_back(stormSeconds);
        overflows.push_back(static_cast<double>(dropped));
        waited.push_back(waitSeconds);
        std::printf("%-6d %12.2f %12lld %16.2f\n", run, stormSeconds,
            static_cast<long long>(dropped), waitSeconds);
        std::fflush(stdout);
    }
    std::printf("%-6s %12.2f %12.0f %16.2f\n", "median", median(reconnect), median(overflows),
        median(waited));
    return 0;
}
