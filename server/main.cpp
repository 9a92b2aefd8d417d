// SPDX-License-Identifier: GPL-3.0-or-later
// cpm-server: serves protocol v1 over WebSocket, or runs one admin command (QA-3).
// See docs/server.md.

#include "admincli.h"
#include "credentials.h"
#include "logging.h"
#include "server.h"
#include "signalwatcher.h"
#include "sqlitestore.h"
#include "streamingheap.h"
#include "tlsconfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTextStream>

#include <cstdio>

using namespace cpm::server;
using cpm::Result;

namespace {

struct Options {
    QString dataDir;
    QString listen = QStringLiteral("127.0.0.1");
    int port = 7878;
    int backlog = Acceptor::DefaultBacklog;
    QString tlsCert;
    QString tlsKey;
};

//! \a text as an integer from \a min to \a max, or -1.
int parseInt(const QString& text, int min, int max)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    return ok && value >= min && value <= max ? value : -1;
}

} // namespace

int main(int argc, char* argv[])
{
    cpm::protocol::setUpHeapForStreaming();
    // Timestamps and categories in the log, unless the operator chose a pattern.
    if (qEnvironmentVariableIsEmpty("QT_MESSAGE_PATTERN")) {
        qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{category} "
                                          "%{if-warning}warning: %{endif}%{if-critical}"
                                          "critical: %{endif}%{message}"));
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("cpm-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CPM_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The CPM reference server.\n\n") + AdminCli::commandsHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"),
        QStringLiteral("Data directory (created if missing)."), QStringLiteral("DIR"));
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("Address to listen on (default 127.0.0.1)."), QStringLiteral("ADDR"));
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("TCP port (default 7878; 0 = any free port)."), QStringLiteral("N"));
    const QCommandLineOption backlogOption(QStringLiteral("backlog"),
        QStringLiteral("Connections the kernel queues before they are accepted (default %1;"
                       " capped by net.core.somaxconn).")
            .arg(Acceptor::DefaultBacklog),
        QStringLiteral("N"));
    const QCommandLineOption tlsCertOption(QStringLiteral("tls-cert"),
        QStringLiteral("Serve wss:// with this PEM certificate (chain: the server's first)."),
        QStringLiteral("FILE"));
    const QCommandLineOption tlsKeyOption(QStringLiteral("tls-key"),
        QStringLiteral("The PEM private key of --tls-cert (RSA or EC, unencrypted)."),
        QStringLiteral("FILE"));
    const QCommandLineOption configOption(QStringLiteral("config"),
        QStringLiteral("INI file with the keys data, listen, port, backlog, tls-cert and "
                       "tls-key."),
        QStringLiteral("FILE"));
    const QCommandLineOption passwordOption(QStringLiteral("password-file"),
        QStringLiteral("For 'user add': file whose first line is the password (- = stdin)."),
        QStringLiteral("FILE"));
    parser.addOptions({ dataOption, listenOption, portOption, backlogOption, tlsCertOption,
        tlsKeyOption, configOption, passwordOption });
    parser.addPositionalArgument(QStringLiteral("command"),
        QStringLiteral("An admin command (see above)."), QStringLiteral("[command ...]"));
    // parse(), not process(): a malformed command line exits 2 like every other usage error
    // (process() exits 1), e.g. a negative number, which reads as an unknown option.
    if (!parser.parse(QCoreApplication::arguments())) {
        err << "cpm-server: " << parser.errorText() << "\n\n" << parser.helpText();
        return AdminCli::Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return AdminCli::Ok;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        out << "cpm-server " << CPM_VERSION << '\n';
        return AdminCli::Ok;
    }

    Options options;
    options.dataDir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/cpm-server");
    if (parser.isSet(configOption)) {
        const QString file = parser.value(configOption);
        if (!QFileInfo::exists(file)) {
            err << "cpm-server: the config file " << file << " does not exist\n";
            return AdminCli::Usage;
        }
        QSettings config(file, QSettings::IniFormat);
        if (config.status() != QSettings::NoError) {
            err << "cpm-server: cannot read the config file " << file << '\n';
            return AdminCli::Usage;
        }
        options.dataDir = config.value(QStringLiteral("data"), options.dataDir).toString();
        options.listen = config.value(QStringLiteral("listen"), options.listen).toString();
        options.port
            = parseInt(config.value(QStringLiteral("port"), options.port).toString(), 0, 65535);
        options.backlog = parseInt(
            config.value(QStringLiteral("backlog"), options.backlog).toString(), 1, 65535);
        options.tlsCert = config.value(QStringLiteral("tls-cert")).toString();
        options.tlsKey = config.value(QStringLiteral("tls-key")).toString();
    }
    if (parser.isSet(tlsCertOption)) {
        options.tlsCert = parser.value(tlsCertOption);
    }
    if (parser.isSet(tlsKeyOption)) {
        options.tlsKey = parser.value(tlsKeyOption);
    }
    if (parser.isSet(dataOption)) {
        options.dataDir = parser.value(dataOption);
    }
    if (parser.isSet(listenOption)) {
        options.listen = parser.value(listenOption);
    }
    if (parser.isSet(portOption)) {
        options.port = parseInt(parser.value(portOption), 0, 65535);
    }
    if (parser.isSet(backlogOption)) {
        options.backlog = parseInt(parser.value(backlogOption), 1, 65535);
    }
    if (options.port < 0) {
        err << "cpm-server: the port must be 0 to 65535\n";
        return AdminCli::Usage;
    }
    if (options.backlog < 0) {
        err << "cpm-server: the backlog must be 1 to 65535\n";
        return AdminCli::Usage;
    }
    if (options.tlsCert.isEmpty() != options.tlsKey.isEmpty()) {
        err << "cpm-server: TLS needs both --tls-cert and --tls-key\n";
        return AdminCli::Usage;
    }
    if (!credentials::init()) {
        err << "cpm-server: libsodium cannot be initialised\n";
        return AdminCli::Failed;
    }

    const QStringList commands = parser.positionalArguments();
    if (!commands.isEmpty()) {
        AdminCli cli(options.dataDir, out, err);
        return cli.run(commands, parser.value(passwordOption));
    }

    const QHostAddress address(options.listen);
    if (address.isNull()) {
        err << "cpm-server: '" << options.listen << "' is not an IP address\n";
        return AdminCli::Usage;
    }
    Server server;
    if (const Result<void> opened = server.open(options.dataDir); !opened) {
        err << "cpm-server: " << SqliteStore::explainOpenFailure(options.dataDir, opened.error())
            << '\n';
        return AdminCli::Failed;
    }
    if (!options.tlsCert.isEmpty()) {
        const Result<QSslConfiguration> tls = loadServerTls(options.tlsCert, options.tlsKey);
        if (!tls) {
            err << "cpm-server: " << tls.error().message << '\n';
            return AdminCli::Failed;
        }
        server.setTls(*tls);
    }
    QString error;
    server.setListenBacklog(options.backlog);
    if (!server.listen(address, static_cast<quint16>(options.port), &error)) {
        err << "cpm-server: cannot listen on " << options.listen << ':' << options.port << ": "
            << error << '\n';
        return AdminCli::Failed;
    }
    // Exactly one line on stdout: tests and scripts read the port from it.
    out << "cpm-server listening on " << server.url().toString() << '\n';
    out.flush();
    std::fflush(stdout);

    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &server, &Server::shutdown);
    QObject::connect(&server, &Server::stopped, &app, &QCoreApplication::quit);
    return QCoreApplication::exec();
}
