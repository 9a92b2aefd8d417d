// SPDX-License-Identifier: GPL-3.0-or-later
// bench-routing-server: cpm-server with a store whose `send` routes the message to the
// live devices without storing it: the baseline bench-fanout compares the durable server
// with, to show what storage costs. A benchmark tool, never installed: the shipped
// cpm-server always stores before it answers.
//
//   bench-routing-server --data DIR [--port N]   (accounts made with cpm-server's admin CLI)

#include "epolldispatcher.h"
#include "logging.h"
#include "protocol.h"
#include "server.h"
#include "signalwatcher.h"
#include "sqlitestore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHash>
#include <QTextStream>

#include <cstdio>

using namespace cpm;
using namespace cpm::server;

namespace {

//! Everything is the SQLite store's, but a message: it is given ids and stream positions
//! from counters in memory and never written.
class RoutingOnlyStore final : public SqliteStore {
public:
    Result<StoredMessage> storeMessage(const NewMessage& m, Events* events) override
    {
        const Result<qint64> recipientSeq = nextSeq(m.recipientId);
        const Result<qint64> senderSeq = nextSeq(m.senderId);
        if (!recipientSeq || !senderSeq) {
            return recipientSeq ? senderSeq.error() : recipientSeq.error();
        }
        protocol::Message view;
        view.id = ++m_messageId;
        view.clientId = m.clientId;
        view.from = m.senderAddress;
        view.to = m.recipientAddress;
        view.subject = m.subject;
        view.body = m.body;
        view.time = m.now;
        StoredEvent in;
        in.userId = m.recipientId;
        in.seq = *recipientSeq;
        in.kind = QString(protocol::event::Message);
        in.messageId = view.id;
        in.message = view;
        StoredEvent out = in;
        out.userId = m.senderId;
        out.seq = *senderSeq;
        out.message->folder = protocol::Folder::Sent;
        events->append(std::move(in));
        events->append(std::move(out));
        return StoredMessage { view.id, *senderSeq, m.now };
    }

private:
    Result<qint64> nextSeq(qint64 userId)
    {
        auto it = m_seq.find(userId);
        if (it == m_seq.end()) {
            const Result<std::optional<UserRecord>> user = userById(userId);
            if (!user) {
                return user.error();
            }
            it = m_seq.insert(userId, user->has_value() ? (*user)->headSeq : 0);
        }
        return ++it.value();
    }

    QHash<qint64, qint64> m_seq;
    qint64 m_messageId = qint64(1) << 40;
};

} // namespace

int main(int argc, char* argv[])
{
    cpm::protocol::installEpollDispatcher(); // as cpm-server
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
        { { QStringLiteral("data"), QStringLiteral("Data directory."), QStringLiteral("DIR") },
            { QStringLiteral("port"), QStringLiteral("TCP port (0: any)."), QStringLiteral("N"),
                QStringLiteral("0") } });
    parser.process(app);
    qCWarning(lcServer) << "routing-only: messages are NOT stored (benchmark baseline)";

    auto store = std::make_unique<RoutingOnlyStore>();
    if (const Result<void> opened
        = store->open(parser.value(QStringLiteral("data")), SqliteStore::Mode::Serving);
        !opened) {
        std::fprintf(stderr, "bench-routing-server: %s\n", qPrintable(opened.error().message));
        return 1;
    }
    Server server;
    server.open(std::move(store));
    QString error;
    if (!server.listen(QHostAddress::LocalHost,
            static_cast<quint16>(parser.value(QStringLiteral("port")).toUInt()), &error)) {
        std::fprintf(stderr, "bench-routing-server: %s\n", qPrintable(error));
        return 1;
    }
    QTextStream out(stdout);
    out << "cpm-server listening on " << server.url().toString() << '\n';
    out.flush();
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &server, &Server::shutdown);
    QObject::connect(&server, &Server::stopped, &app, &QCoreApplication::quit);
    return QCoreApplication::exec();
}
