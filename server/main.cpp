// SPDX-License-Identifier: GPL-3.0-or-later
// cpm-server: serves protocol v1 over WebSocket, or runs one admin command (QA-3).
// See docs/server.md.

#include "admincli.h"
#include "credentials.h"
#include "epolldispatcher.h"
#include "logging.h"
#include "openstore.h"
#include "server.h"
#include "signalwatcher.h"
#include "streamingheap.h"
#include "tlsconfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTextStream>

#include <cstdio>

using namespace cpm::server;
using cpm::ErrorCode;
using cpm::makeError;
using cpm::Result;

namespace {

struct Options {
    QString dataDir;
    QString store; //!< sqlite (empty) or a PostgreSQL URI
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

//! The first line of \a path, for secrets kept out of the command line.
Result<QString> firstLineOf(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return makeError(
            ErrorCode::NotFound, QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    }
    return QString::fromUtf8(f.readLine()).trimmed();
}

//! The gateways of the interworking function from their options (docs/server.md).
Result<Interworking::Config> interworkingConfig(const QMap<QString, QString>& o)
{
    Interworking::Config c;
    if (const QString smtp = o.value(QStringLiteral("smtp")); !smtp.isEmpty()) {
        c.smtp.url = QUrl(smtp, QUrl::StrictMode);
        if (!c.smtp.url.isValid() || c.smtp.url.host().isEmpty()
            || (c.smtp.url.scheme() != QLatin1StringView("smtp")
                && c.smtp.url.scheme() != QLatin1StringView("smtps"))) {
            return makeError(ErrorCode::BadRequest,
                QStringLiteral("--smtp must be smtp://HOST:PORT or smtps://HOST:PORT"));
        }
        c.mailFrom
            = o.value(QStringLiteral("smtp-from"), QStringLiteral("cpm@") + c.smtp.url.host());
        c.smtp.user = o.value(QStringLiteral("smtp-user"));
        if (const QString file = o.value(QStringLiteral("smtp-password-file")); !file.isEmpty()) {
            const Result<QString> password = firstLineOf(file);
            if (!password) {
                return password.error();
            }
            c.smtp.password = *password;
        }
        c.smtp.caFile = o.value(QStringLiteral("smtp-ca"));
        c.smtp.requireTls = o.value(QStringLiteral("smtp-require-tls")) == QLatin1StringView("yes");
    }
    if (const QString sms = o.value(QStringLiteral("sms-gateway")); !sms.isEmpty()) {
        c.sms.url = QUrl(sms, QUrl::StrictMode);
        if (!c.sms.url.isValid() || c.sms.url.host().isEmpty()
            || (c.sms.url.scheme() != QLatin1StringView("http")
                && c.sms.url.scheme() != QLatin1StringView("https"))) {
            return makeError(
                ErrorCode::BadRequest, QStringLiteral("--sms-gateway must be an http(s):// URL"));
        }
        if (const QString file = o.value(QStringLiteral("sms-token-file")); !file.isEmpty()) {
            const Result<QString> token = firstLineOf(file);
            if (!token) {
                return token.error();
            }
            c.sms.token = *token;
        }
        c.sms.from = o.value(QStringLiteral("sms-from"), QStringLiteral("CPM"));
        c.sms.caFile = o.value(QStringLiteral("sms-ca"));
    }
    return c;
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
    // One wake-up costs what happened, not the number of connections (epolldispatcher.h).
    cpm::protocol::installEpollDispatcher();
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
    const QCommandLineOption storeOption(QStringLiteral("store"),
        QStringLiteral("Where accounts and messages are kept: sqlite (default, a file in the "
                       "data directory) or postgresql://USER@HOST:PORT/DB, a database several "
                       "nodes share (docs/scaling.md)."),
        QStringLiteral("STORE"));
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
        QStringLiteral("INI file with the keys data, store, listen, port, backlog, tls-cert "
                       "and tls-key."),
        QStringLiteral("FILE"));
    const QCommandLineOption passwordOption(QStringLiteral("password-file"),
        QStringLiteral("For 'user add': file whose first line is the password (- = stdin)."),
        QStringLiteral("FILE"));
    const QCommandLineOption networkOption(QStringLiteral("network"),
        QStringLiteral("For 'legacy register/unregister': email or sms."), QStringLiteral("NET"));
    parser.addOptions({ dataOption, storeOption, listenOption, portOption, backlogOption,
        tlsCertOption, tlsKeyOption, configOption, passwordOption, networkOption });
    // The interworking gateways (MSG-8, docs/server.md "Interworking"); each may also be a
    // key of the --config file.
    const QList<QCommandLineOption> gatewayOptions {
        { QStringLiteral("smtp"),
            QStringLiteral("SMTP relay for e-mail delivery: smtp://HOST:PORT (STARTTLS when "
                           "offered) or smtps://HOST:PORT."),
            QStringLiteral("URL") },
        { QStringLiteral("smtp-from"),
            QStringLiteral("Sender address of converted e-mail (default cpm@HOST of --smtp)."),
            QStringLiteral("ADDRESS") },
        { QStringLiteral("smtp-user"), QStringLiteral("SMTP AUTH user."), QStringLiteral("USER") },
        { QStringLiteral("smtp-password-file"),
            QStringLiteral("File whose first line is the SMTP AUTH password."),
            QStringLiteral("FILE") },
        { QStringLiteral("smtp-ca"),
            QStringLiteral("CA certificate(s) to verify the SMTP relay with (default: the "
                           "system's)."),
            QStringLiteral("FILE") },
        { QStringLiteral("smtp-require-tls"),
            QStringLiteral("yes: refuse an smtp:// relay that does not offer STARTTLS."),
            QStringLiteral("yes|no") },
        { QStringLiteral("sms-gateway"),
            QStringLiteral("HTTP(S) URL the SMS segments are POSTed to as JSON."),
            QStringLiteral("URL") },
        { QStringLiteral("sms-token-file"),
            QStringLiteral("File whose first line is the SMS gateway's bearer token."),
            QStringLiteral("FILE") },
        { QStringLiteral("sms-from"), QStringLiteral("Sender id of SMS (default CPM)."),
            QStringLiteral("ID") },
        { QStringLiteral("sms-ca"),
            QStringLiteral("CA certificate(s) to verify an https:// SMS gateway with."),
            QStringLiteral("FILE") },
    };
    parser.addOptions(gatewayOptions);
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
    QMap<QString, QString> gateway; // option name -> value, the command line over the file
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
        options.store = config.value(QStringLiteral("store")).toString();
        options.listen = config.value(QStringLiteral("listen"), options.listen).toString();
        options.port
            = parseInt(config.value(QStringLiteral("port"), options.port).toString(), 0, 65535);
        options.backlog = parseInt(
            config.value(QStringLiteral("backlog"), options.backlog).toString(), 1, 65535);
        options.tlsCert = config.value(QStringLiteral("tls-cert")).toString();
        options.tlsKey = config.value(QStringLiteral("tls-key")).toString();
        for (const QCommandLineOption& o : gatewayOptions) {
            if (config.contains(o.names().constFirst())) {
                gateway.insert(
                    o.names().constFirst(), config.value(o.names().constFirst()).toString());
            }
        }
    }
    for (const QCommandLineOption& o : gatewayOptions) {
        if (parser.isSet(o)) {
            gateway.insert(o.names().constFirst(), parser.value(o));
        }
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
    if (parser.isSet(storeOption)) {
        options.store = parser.value(storeOption);
    }
    if (QString why; !isValidStoreOption(options.store, &why)) {
        err << "cpm-server: " << why << '\n';
        return AdminCli::Usage;
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
        AdminCli cli(StoreLocation { options.dataDir, options.store }, out, err);
        return cli.run(commands, parser.value(passwordOption), parser.value(networkOption));
    }

    if (credentials::fastHashForTests()) {
        qCWarning(lcAuth) << "CPM_TEST_FAST_PASSWORD_HASH=1: new passwords get Argon2id's"
                             " minimum cost; for tests only, never for real accounts";
    }
    const QHostAddress address(options.listen);
    if (address.isNull()) {
        err << "cpm-server: '" << options.listen << "' is not an IP address\n";
        return AdminCli::Usage;
    }
    Server server;
    const Result<Interworking::Config> interworking = interworkingConfig(gateway);
    if (!interworking) {
        err << "cpm-server: " << interworking.error().message << '\n';
        return AdminCli::Usage;
    }
    server.interworking().setConfig(*interworking);
    const StoreLocation where { options.dataDir, options.store };
    if (const Result<void> opened = server.open(where); !opened) {
        err << "cpm-server: " << explainOpenFailure(where, opened.error()) << '\n';
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
