// SPDX-License-Identifier: GPL-3.0-or-later
// bench-transfer: how fast a chat session moves between devices (SES-3, SES-6). Prints a
// table (docs/performance.md, "Sessions").
//
//   bench-transfer [--transfers N (200)] [--answers N (200)] [--history N (1000)] [--runs N (3)]
//
// A real cpm-server (a fresh data directory per run) and real client cores in this
// process: Alice on a laptop and a phone, Bob on three devices, a conversation of
// --history messages that both of Alice's devices have synced.
//   - transfer: from `transfer(…, history all)` on the bound device until the target
//     has received and stored the whole history (SessionManager::historyLoaded), moving
//     the session back and forth N times. The target already holds the messages (its
//     sync brought them), so this is the server's paging plus the client's merge;
//   - withdrawal: from Bob's `accept` on one device until both other devices have
//     withdrawn the request (requestEnded), over N fresh requests.
// Each run reports p50/p99; the table shows, per figure, the median of the runs.

#include "benchloop.h"
#include "client.h"
#include "protocol.h"
#include "sessionmanager.h"
#include "testserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace cpm;
using cpm::bench::median;
using cpm::bench::percentile;
using cpm::bench::waitFor;

namespace {

const QString Password = QStringLiteral("bench-password");
const QString Alice = QStringLiteral("alice@bench.example");
const QString Bob = QStringLiteral("bob@bench.example");

struct Figures {
    double transferP50 = 0;
    double transferP99 = 0;
    double withdrawalP50 = 0;
    double withdrawalP99 = 0;
};

class Run {
public:
    bool setUp(int history)
    {
        if (!m_server.start() || !m_server.addUser(Alice, Password)
            || !m_server.addUser(Bob, Password)
            || !m_server.setSetting(QStringLiteral("quota.dailyMessages"), QStringLiteral("0"))
            || !m_server.setSetting(
                QStringLiteral("deferred.maxCount"), QStringLiteral("100000000"))) {
            std::fprintf(stderr, "bench-transfer: the server did not start\n");
            return false;
        }
        m_aliceLaptop = device(Alice, QStringLiteral("laptop"));
        m_alicePhone = device(Alice, QStringLiteral("mobile"));
        m_bobPda = device(Bob, QStringLiteral("tablet"));
        m_bobMobile = device(Bob, QStringLiteral("mobile"));
        m_bobLaptop = device(Bob, QStringLiteral("laptop"));
        for (Client* c : all()) {
            if (!c) {
                return false;
            }
        }
        for (int i = 0; i < history; ++i) {
            if (!m_bobPda->send(Alice, QString(), QStringLiteral("history %1").arg(i))) {
                return false;
            }
        }
        const auto has = [history](Client* c) {
            const Result<QList<Message>> list = c->messages(Bob, history + 10);
            return list && list->size() >= history;
        };
        return waitFor([&] { return has(m_aliceLaptop) && has(m_alicePhone); }, 120000);
    }

    std::vector<double> transfers(int count)
    {
        std::vector<double> ms;
        const qint64 id = startSession();
        if (id == 0) {
            return ms;
        }
        Client* devices[] = { m_aliceLaptop, m_alicePhone };
        for (int i = 0; i < count; ++i) {
            Client* from = devices[i % 2];
            Client* to = devices[(i + 1) % 2];
            bool loaded = false;
            const QMetaObject::Connection c
                = QObject::connect(&to->sessions(), &SessionManager::historyLoaded,
                    [&](qint64 session, int) { loaded = loaded || session == id; });
            bool failed = false;
            QElapsedTimer t;
            t.start();
            from->sessions().transfer(id, to->deviceId(),
                protocol::HistoryChoice { protocol::HistoryChoice::Kind::All, 0 },
                [&](const Error& e, const Session&) { failed = !e.isNull(); });
            const bool ok = waitFor([&] { return loaded || failed; });
            QObject::disconnect(c);
            if (!ok || failed) {
                std::fprintf(stderr, "bench-transfer: transfer %d failed\n", i);
                return {};
            }
            ms.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        end(id);
        return ms;
    }

    std::vector<double> withdrawals(int count)
    {
        std::vector<double> ms;
        for (int i = 0; i < count; ++i) {
            qint64 id = 0;
            m_aliceLaptop->sessions().invite(
                Bob, QString(), [&](const Error&, const Session& s) { id = s.id; });
            const auto ringing = [](Client* c) { return !c->sessions().ringing().isEmpty(); };
            if (!waitFor([&] {
                    return id != 0 && ringing(m_bobPda) && ringing(m_bobMobile)
                        && ringing(m_bobLaptop);
                })) {
                std::fprintf(stderr, "bench-transfer: request %d did not ring\n", i);
                return {};
            }
            QElapsedTimer t;
            t.start();
            m_bobPda->sessions().accept(id);
            if (!waitFor([&] { return !ringing(m_bobMobile) && !ringing(m_bobLaptop); })) {
                std::fprintf(stderr, "bench-transfer: request %d was not withdrawn\n", i);
                return {};
            }
            ms.push_back(double(t.nsecsElapsed()) / 1e6);
            end(id);
        }
        return ms;
    }

private:
    QList<Client*> all()
    {
        return { m_aliceLaptop, m_alicePhone, m_bobPda, m_bobMobile, m_bobLaptop };
    }

    Client* device(const QString& address, const QString& kind)
    {
        auto client = std::make_unique<Client>(m_profiles.filePath(address + kind));
        if (!client->open()) {
            return nullptr;
        }
        client->setServerUrl(m_server.url());
        bool done = false;
        Error error;
        client->registerDevice(address, Password, kind, kind, [&](const Error& e) {
            error = e;
            done = true;
        });
        if (!waitFor([&] { return done && client->state() == ConnectionState::Online; })
            || !error.isNull()) {
            std::fprintf(
                stderr, "bench-transfer: cannot register: %s\n", qPrintable(error.message));
            return nullptr;
        }
        m_clients.push_back(std::move(client));
        return m_clients.back().get();
    }

    qint64 startSession()
    {
        qint64 id = 0;
        m_aliceLaptop->sessions().invite(
            Bob, QString(), [&](const Error&, const Session& s) { id = s.id; });
        if (!waitFor([&] { return id != 0 && m_bobPda->sessions().session(id).has_value(); })) {
            return 0;
        }
        m_bobPda->sessions().accept(id);
        return waitFor([&] { return m_aliceLaptop->sessions().isHere(id); }) ? id : 0;
    }

    void end(qint64 id)
    {
        bool done = false;
        m_aliceLaptop->sessions().end(id, [&](const Error&, const Session&) { done = true; });
        waitFor([&] {
            return done && std::all_of(m_clients.begin(), m_clients.end(), [id](const auto& c) {
                const std::optional<Session> s = c->sessions().session(id);
                return !s || !s->isOpen();
            });
        });
    }

    test::TestServer m_server;
    QTemporaryDir m_profiles;
    std::vector<std::unique_ptr<Client>> m_clients;
    Client* m_aliceLaptop = nullptr;
    Client* m_alicePhone = nullptr;
    Client* m_bobPda = nullptr;
    Client* m_bobMobile = nullptr;
    Client* m_bobLaptop = nullptr;
};

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    qputenv("CPM_KEYSTORE", "file");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Session transfer and withdrawal times"));
    parser.addHelpOption();
    const QCommandLineOption transfers(QStringLiteral("transfers"),
        QStringLiteral("Transfers per run (200)."), QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption answers(QStringLiteral("answers"),
        QStringLiteral("Requests answered per run (200)."), QStringLiteral("N"),
        QStringLiteral("200"));
    const QCommandLineOption history(QStringLiteral("history"),
        QStringLiteral("Messages in the conversation (1000)."), QStringLiteral("N"),
        QStringLiteral("1000"));
    const QCommandLineOption runs(QStringLiteral("runs"), QStringLiteral("Runs (3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({ transfers, answers, history, runs });
    parser.process(app);
    // Quiet: the clients' informational logging is not what is measured.
    QLoggingCategory::setFilterRules(QStringLiteral("cpm.*.info=false"));

    const int runCount = std::max(1, parser.value(runs).toInt());
    std::vector<Figures> figures;
    for (int r = 0; r < runCount; ++r) {
        Run run;
        if (!run.setUp(parser.value(history).toInt())) {
            return 1;
        }
        const std::vector<double> t = run.transfers(parser.value(transfers).toInt());
        const std::vector<double> w = run.withdrawals(parser.value(answers).toInt());
        if (t.empty() || w.empty()) {
            return 1;
        }
        figures.push_back(
            { percentile(t, 0.5), percentile(t, 0.99), percentile(w, 0.5), percentile(w, 0.99) });
        std::fprintf(stderr,
            "run %d: transfer p50 %.1f p99 %.1f ms, withdrawal p50 %.1f p99 %.1f ms\n", r + 1,
            figures.back().transferP50, figures.back().transferP99, figures.back().withdrawalP50,
            figures.back().withdrawalP99);
    }
    const auto med = [&figures](double Figures::*field) {
        std::vector<double> v;
        for (const Figures& f : figures) {
            v.push_back(f.*field);
        }
        return median(v);
    };
    std::printf("Session moves and answers, loopback, %d-message history, median of %d runs\n\n",
        parser.value(history).toInt(), runCount);
    std::printf("| figure | p50 ms | p99 ms | target (p99) |\n| --- | ---: | ---: | ---: |\n");
    std::printf(
        "| transfer until the target has the history (%d per run) | %.1f | %.1f | ≤ 100 |\n",
        parser.value(transfers).toInt(), med(&Figures::transferP50), med(&Figures::transferP99));
    std::printf(
        "| accept until the other two devices withdrew (%d per run) | %.1f | %.1f | ≤ 50 |\n",
        parser.value(answers).toInt(), med(&Figures::withdrawalP50), med(&Figures::withdrawalP99));
    return 0;
}
