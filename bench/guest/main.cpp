// SPDX-License-Identifier: GPL-3.0-or-later
// bench-guest: how fast a guest sign-in brings a user's messaging environment onto a
// visited machine, and how fast the sign-out removes it (GST-2, GST-4). Prints a table
// (docs/performance.md, "Guest sign-in").
//
//   bench-guest [--messages N (10000)] [--senders N (20)] [--runs N (3)]
//
// A real cpm-server (a fresh data directory per run) on loopback; N messages to Bob from
// --senders people, sent round-robin so every conversation has old and new messages.
// Bob's account is then signed into by a guest client core in this process:
//   - usable: from Client::createGuest() (the click on "Sign in as guest") until the
//     newest conversation's newest message is in the guest's store, readable;
//   - full sync: the same start until the device is online with everything;
//   - wipe: Client::signOut() until the key is zeroed, the database dropped and the
//     directory removed (signedOut()); the server is told afterwards, not measured.
// The table shows, per figure, the median of the runs.

#include "benchdevice.h"
#include "benchloop.h"
#include "client.h"
#include "guestvault.h"
#include "testserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace cpm;
using cpm::bench::median;

namespace {

const QString Password = QStringLiteral("bench-password");
const QString Bob = QStringLiteral("bob@bench.example");

QString sender(int i) { return QStringLiteral("sender%1@bench.example").arg(i); }

struct Figures {
    double signInMs = 0; //!< until the server accepted the password: hashing, not syncing
    double usableMs = 0;
    double fullMs = 0;
    double wipeMs = 0;
};

class Run {
public:
    bool setUp(int messages, int senders)
    {
        if (!m_server.start() || !m_server.addUser(Bob, Password)
            || !m_server.setSetting(QStringLiteral("quota.dailyMessages"), QStringLiteral("0"))
            || !m_server.setSetting(
                QStringLiteral("deferred.maxCount"), QStringLiteral("100000000"))) {
            std::fprintf(stderr, "bench-guest: the server did not start\n");
            return false;
        }
        std::vector<Client*> from;
        for (int s = 0; s < senders; ++s) {
            if (!m_server.addUser(sender(s), Password)) {
                return false;
            }
            Client* c = device(sender(s));
            if (!c) {
                return false;
            }
            from.push_back(c);
        }
        int sent = 0;
        for (Client* c : from) {
            QObject::connect(c, &Client::messageSent, [&sent] { ++sent; });
        }
        for (int i = 0; i < messages; ++i) {
            const int s = i % senders;
            if (!from[size_t(s)]->send(Bob, QStringLiteral("Subject %1").arg(i),
                    QStringLiteral("Message %1 of the bench, a line of ordinary length to read.")
                        .arg(i))) {
                return false;
            }
        }
        if (!bench::waitFor([&] { return sent >= messages; }, 600000)) {
            std::fprintf(stderr, "bench-guest: only %d of %d messages sent\n", sent, messages);
            return false;
        }
        // The newest of all, once the others are stored: the last one of Bob's stream.
        m_newestPeer = sender(0);
        m_newestSubject = QStringLiteral("The newest");
        if (!from[0]->send(Bob, m_newestSubject, QStringLiteral("Read me first."))
            || !bench::waitFor([&] { return sent > messages; })) {
            return false;
        }
        // The senders are on other machines in life: here they share this thread, and their
        // stores' commits of the delivery reports would be counted as the guest's time.
        for (const auto& c : m_clients) {
            c->disconnectFromServer();
        }
        return true;
    }

    bool measure(Figures* figures)
    {
        QElapsedTimer clock;
        clock.start();
        std::unique_ptr<Client> guest = Client::createGuest();
        if (!guest->open()) {
            return false;
        }
        guest->setServerUrl(m_server.url());
        double usable = -1;
        const auto checkUsable = [&] {
            if (usable >= 0) {
                return;
            }
            const Result<QList<Message>> newest = guest->messages(m_newestPeer, 1);
            if (newest && !newest->isEmpty() && newest->constFirst().subject == m_newestSubject
                && !newest->constFirst().body.isEmpty()) {
                usable = double(clock.nsecsElapsed()) / 1e6;
            }
        };
        QObject::connect(
            guest.get(), &Client::messageAdded, guest.get(), [&](qint64, const QString& peer) {
                if (peer == m_newestPeer) {
                    checkUsable();
                }
            });
        if (qEnvironmentVariableIsSet("BENCH_TRACE")) {
            QObject::connect(guest.get(), &Client::syncProgressChanged, guest.get(),
                [&](qint64 position, qint64 head) {
                    std::fprintf(stderr, "%8.1f ms: %lld of %lld\n",
                        double(clock.nsecsElapsed()) / 1e6, qint64(position), qint64(head));
                });
        }
        bool registered = false;
        Error error;
        guest->registerDevice(
            Bob, Password, QStringLiteral("Guest"), QStringLiteral("laptop"), [&](const Error& e) {
                error = e;
                registered = true;
                figures->signInMs = double(clock.nsecsElapsed()) / 1e6;
            });
        if (!bench::waitFor(
                [&] { return registered && guest->state() == ConnectionState::Online; }, 120000)
            || !error.isNull()) {
            std::fprintf(
                stderr, "bench-guest: guest sign-in failed: %s\n", qPrintable(error.message));
            return false;
        }
        figures->fullMs = double(clock.nsecsElapsed()) / 1e6;
        checkUsable();
        figures->usableMs = usable;
        if (usable < 0) {
            std::fprintf(stderr, "bench-guest: the newest message never arrived\n");
            return false;
        }
        const QString dir = guest->profileDir();
        bool told = false;
        QElapsedTimer wipe;
        wipe.start();
        guest->signOut([&](const Error&) { told = true; });
        figures->wipeMs = double(wipe.nsecsElapsed()) / 1e6;
        if (QFileInfo::exists(dir) || guest->isOpen()) {
            std::fprintf(stderr, "bench-guest: the sign-out did not wipe\n");
            return false;
        }
        return bench::waitFor([&] { return told; }, 10000);
    }

private:
    Client* device(const QString& address)
    {
        std::unique_ptr<Client> client = bench::registeredDevice(
            "bench-guest", m_profiles.filePath(address), m_server.url(), address, Password);
        if (!client) {
            return nullptr;
        }
        m_clients.push_back(std::move(client));
        return m_clients.back().get();
    }

    test::TestServer m_server;
    QTemporaryDir m_profiles;
    std::vector<std::unique_ptr<Client>> m_clients;
    QString m_newestPeer;
    QString m_newestSubject;
};

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    qputenv("CPM_KEYSTORE", "file");
    QTemporaryDir guestParent;
    qputenv(GuestVault::ParentVariable, guestParent.path().toUtf8());
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Guest sign-in and sign-out times"));
    parser.addHelpOption();
    const QCommandLineOption messages(QStringLiteral("messages"),
        QStringLiteral("Messages in the account (10000)."), QStringLiteral("N"),
        QStringLiteral("10000"));
    const QCommandLineOption senders(QStringLiteral("senders"),
        QStringLiteral("People who sent them, one conversation each (20)."), QStringLiteral("N"),
        QStringLiteral("20"));
    const QCommandLineOption runs(QStringLiteral("runs"), QStringLiteral("Runs (3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({ messages, senders, runs });
    parser.process(app);
    QLoggingCategory::setFilterRules(QStringLiteral("cpm.*.info=false"));

    const int messageCount = std::max(1, parser.value(messages).toInt());
    const int senderCount = std::max(1, parser.value(senders).toInt());
    const int runCount = std::max(1, parser.value(runs).toInt());
    std::vector<Figures> figures;
    for (int r = 0; r < runCount; ++r) {
        Run run;
        Figures f;
        if (!run.setUp(messageCount, senderCount) || !run.measure(&f)) {
            return 1;
        }
        figures.push_back(f);
        std::fprintf(stderr,
            "run %d: signed in %.0f ms, usable %.0f ms, full sync %.0f ms, wipe %.1f ms\n", r + 1,
            f.signInMs, f.usableMs, f.fullMs, f.wipeMs);
    }
    const auto med = [&figures](double Figures::*field) {
        std::vector<double> v;
        for (const Figures& f : figures) {
            v.push_back(f.*field);
        }
        return median(v);
    };
    std::printf("Guest sign-in into an account with %d messages from %d people, loopback, "
                "median of %d runs\n\n",
        messageCount, senderCount, runCount);
    std::printf("| figure | ms | target |\n| --- | ---: | ---: |\n");
    std::printf("| sign-in until the password is accepted (Argon2id on the server) | %.0f | |\n",
        med(&Figures::signInMs));
    std::printf("| sign-in until the newest conversation is readable | %.0f | ≤ 1000 |\n",
        med(&Figures::usableMs));
    std::printf("| sign-in until the whole environment is synced | %.0f | ≤ 5000 |\n",
        med(&Figures::fullMs));
    std::printf(
        "| sign-out until everything local is gone | %.1f | ≤ 500 |\n", med(&Figures::wipeMs));
    return 0;
}
