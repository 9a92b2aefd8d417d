// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

#include "attachmentmanager.h"
#include "guestvault.h"
#include "logging.h"
#include "profile.h"
#include "protocol.h"
#include "secrets.h"
#include "sessionmanager.h"
#include "transfers.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <optional>
#include <unistd.h>

namespace cpm::cli {

namespace {
Error usage(const QString& message) { return makeError(ErrorCode::Usage, message); }

//! How long a guest's sign-out waits for the server's word before the process ends.
constexpr int GuestSignOutWaitMs = 5000;

//! The self-pipe that turns SIGTERM, SIGINT and SIGHUP into an event of the event loop.
int signalPipe[2] = { -1, -1 };

void onSignal(int signo)
{
    const int saved = errno;
    const char byte = char(signo);
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[1], &byte, 1);
    errno = saved;
}

/*!
 * The password in the first line of \a path; `-` reads it from stdin, up to its newline
 * and not a byte further, so what follows stays for a shell (`guest`).
 */
Error readPassword(const QString& path, QString* password)
{
    QByteArray line;
    line.reserve(1024); // no reallocation leaves a copy behind for typical passwords
    if (path == QLatin1StringView("-")) {
        char byte = 0;
        ssize_t n = 0;
        while ((n = ::read(STDIN_FILENO, &byte, 1)) == 1 || (n < 0 && errno == EINTR)) {
            if (n == 1 && byte == '\n') {
                break;
            }
            if (n == 1) {
                line.append(byte);
            }
        }
        byte = 0;
        if (n < 0) {
            return usage(QStringLiteral("cannot read the password from stdin"));
        }
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            return usage(QStringLiteral("cannot read the password file %1").arg(path));
        }
        line = file.readLine();
    }
    *password = QString::fromUtf8(line);
    secrets::wipe(line);
    while (password->endsWith(QLatin1Char('\n')) || password->endsWith(QLatin1Char('\r'))) {
        password->chop(1);
    }
    return {};
}

// The protocol's Message object (one codec, core/protocol/model.h) with this device's own
// states: `pending` while in the outbox, `failed` when refused for good, and a null
// clientId for a message that has none.
//! Where an attachment is as this device sees it: `pending` (not uploaded yet),
//! `remote` (in the network storage only), `downloading`, or `local` (here).
QString attachmentState(const protocol::Attachment& a, const AttachmentManager& files)
{
    if (a.id.isEmpty()) {
        return QStringLiteral("pending");
    }
    if (files.has(a.id)) {
        return QStringLiteral("local");
    }
    return files.downloadOf(a.id) ? QStringLiteral("downloading") : QStringLiteral("remote");
}

QJsonObject messageJson(const Message& m, const AttachmentManager& files)
{
    QJsonObject o = m.toWire().toJson();
    o.insert(QStringLiteral("status"), Message::statusName(m.status));
    o.insert(QStringLiteral("route"), protocol::routeName(m.route));
    if (m.clientId.isEmpty()) {
        o.insert(QStringLiteral("clientId"), QJsonValue(QJsonValue::Null));
    }
    if (!m.attachments.isEmpty()) {
        // Listed on every copy this device has, pending ones and partial ones included.
        QJsonArray list;
        for (const protocol::Attachment& a : m.attachments) {
            QJsonObject j = a.inMessage().toJson();
            j.insert(QStringLiteral("state"), attachmentState(a, files));
            list.append(j);
        }
        o.insert(QStringLiteral("attachments"), list);
    }
    return o;
}

QJsonObject transferJson(const TransferInfo& t)
{
    QJsonObject o { { QStringLiteral("id"), t.id },
        { QStringLiteral("direction"),
            t.direction == TransferInfo::Direction::Upload ? QStringLiteral("upload")
                                                           : QStringLiteral("download") },
        { QStringLiteral("name"), t.name }, { QStringLiteral("attachmentId"), t.attachmentId },
        { QStringLiteral("done"), t.done }, { QStringLiteral("size"), t.size },
        { QStringLiteral("state"), TransferInfo::stateName(t.state) } };
    if (!t.error.isNull()) {
        o.insert(QStringLiteral("error"), t.error.toJson());
    }
    return o;
}

QJsonObject deviceJson(Device dev)
{
    dev.online = dev.online || dev.current; // this device is online while it asks
    return dev.toJson();
}

QJsonArray deviceArray(const QList<Device>& devices)
{
    QJsonArray list;
    for (const Device& dev : devices) {
        list.append(deviceJson(dev));
    }
    return list;
}

QString stateName(ConnectionState state)
{
    return QString::fromLatin1(QMetaEnum::fromType<ConnectionState>().valueToKey(int(state)));
}

//! The arguments of one command: `--name value` options, flags and positionals.
struct Args {
    QStringList positional;
    QHash<QString, QString> options; //!< the last value of each
    QHash<QString, QStringList> repeated; //!< every value of each, in order
    QSet<QString> flags;
    QString bad; //!< an option that lacks its value

    QString option(const char* name) const { return options.value(QString::fromLatin1(name)); }
    QStringList values(const char* name) const { return repeated.value(QString::fromLatin1(name)); }
    bool has(const char* name) const
    {
        return flags.contains(QString::fromLatin1(name))
            || options.contains(QString::fromLatin1(name));
    }
};

Args parseArgs(const QStringList& args)
{
    static const QSet<QString> flagNames { QStringLiteral("local"), QStringLiteral("everywhere"),
        QStringLiteral("all-devices") };
    Args out;
    bool onlyPositional = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (onlyPositional || !a.startsWith(QLatin1StringView("--")) || a.size() == 2) {
            if (a == QLatin1StringView("--") && !onlyPositional) {
                onlyPositional = true;
                continue;
            }
            out.positional.append(a);
            continue;
        }
        const QString name = a.mid(2);
        if (flagNames.contains(name)) {
            out.flags.insert(name);
        } else if (i + 1 < args.size()) {
            out.options.insert(name, args.at(++i));
            out.repeated[name].append(args.at(i));
        } else {
            out.bad = a;
        }
    }
    return out;
}

//! \a name as a file name of its own: no directories, nothing hidden; the id when none.
QString safeFileName(const QString& name, const QString& id)
{
    QString n = QFileInfo(name).fileName();
    n.replace(QLatin1Char('/'), QLatin1Char('_'));
    while (n.startsWith(QLatin1Char('.'))) {
        n.remove(0, 1);
    }
    return n.isEmpty() ? id : n;
}

//! Splits a shell line into words: whitespace separates, quotes group, \ escapes.
QStringList splitLine(const QString& line)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('\\') && i + 1 < line.size() && quote != QLatin1Char('\'')) {
            word += line.at(++i);
            inWord = true;
        } else if (!quote.isNull()) {
            if (c == quote) {
                quote = QChar();
            } else {
                word += c;
            }
        } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            quote = c;
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord) {
                words.append(word);
                word.clear();
                inWord = false;
            }
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord) {
        words.append(word);
    }
    return words;
}

//! Whether \a a has no option or flag besides \a allowed (a command that takes none of
//! some name must not quietly ignore it: a typo would change what it does).
bool takesOnly(const Args& a, std::initializer_list<const char*> allowed)
{
    QSet<QString> known;
    for (const char* name : allowed) {
        known.insert(QString::fromLatin1(name));
    }
    for (auto it = a.options.cbegin(); it != a.options.cend(); ++it) {
        if (!known.contains(it.key())) {
            return false;
        }
    }
    return std::all_of(
        a.flags.cbegin(), a.flags.cend(), [&known](const QString& f) { return known.contains(f); });
}

//! Whether an open session concerns this device: it rings here, or it is bound here.
bool concernsDevice(const Session& s, qint64 deviceId)
{
    if (s.boundDevice && s.boundDevice->id == deviceId) {
        return true;
    }
    return !s.inviter && s.state == protocol::SessionState::Inviting
        && std::any_of(s.invitedDevices.cbegin(), s.invitedDevices.cend(),
            [deviceId](const protocol::SessionDevice& d) { return d.id == deviceId; });
}

bool parseId(const QString& text, qint64* id)
{
    bool ok = false;
    *id = text.toLongLong(&ok);
    return ok && *id != 0;
}

void writeJson(const QJsonObject& object)
{
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

const char* const GuestUsage
    = "guest --server URL[,URL...] --address A --password-file F --name N [--kind K]";

const char* const Usage
    = "usage: cpm-cli --profile DIR [--server URL[,URL...]] [--ca FILE] [--insecure]\n"
      "               [--timeout SECONDS] [--offline] COMMAND [ARGS]\n"
      "       cpm-cli [--ca FILE] [--insecure] [--timeout SECONDS] guest --server URL[,URL...]\n"
      "               --address A --password-file F --name N [--kind K]\n"
      "       cpm-cli --version | --help\n"
      "commands: register-device, whoami, send, sync, conversations, messages, read, open,\n"
      "  delete, devices, rename-device, sign-out-device, set-delivery, contacts, add-contact,\n"
      "  remove-contact, set-status, peer-status, prefs, set-pref, diagnostics, sign-out,\n"
      "  watch, shell\n"
      "chat sessions: invite --to A [--subject S], sessions [--all-devices], accept ID,\n"
      "  decline ID, cancel ID, end ID, say ID TEXT, transfer ID --to-device DEVICE_ID\n"
      "  --history H, pull ID --history H   (H: none, session, last:N or all)\n"
      "see docs/cli.md\n";
} // namespace

Cli::Cli(QObject* parent)
    : QObject(parent)
    , m_deadline(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        finish({},
            makeError(ErrorCode::Timeout,
                QStringLiteral("the command did not complete within %1 s").arg(m_timeoutSeconds)));
    });
}

Cli::~Cli() = default;

void Cli::printLine(const QJsonObject& object)
{
    // While this device signs itself out, the store emptying itself is no news: the
    // sign-out's answer says what happened.
    if (m_signingOut && object.contains(QLatin1StringView("event"))) {
        return;
    }
    writeJson(object);
}

void Cli::finish(const QJsonValue& result, const Error& error)
{
    if (m_finished) {
        return;
    }
    if (m_client && m_client->isGuest() && m_client->isOpen() && !m_signingOut) {
        // A guest never ends with its data left behind: failed sign-in, timeout, anything.
        return endGuest([this, result, error](const QJsonObject&) { finish(result, error); });
    }
    m_finished = true;
    m_deadline->stop();
    int code = 0;
    if (!error.isNull()) {
        writeJson({ { QStringLiteral("error"), error.toJson() } });
        code = error.code == ErrorCode::Usage ? 2 : 1;
    } else if (!result.isUndefined() && !result.isNull()) {
        writeJson(result.isObject() ? result.toObject()
                                    : QJsonObject { { QStringLiteral("result"), result } });
    }
    if (m_client) {
        m_client->disconnect(this); // no events after the answer
        m_client->sessions().disconnect(this);
        // Closing sends the last ack; give the socket a moment to write it out.
        m_client->disconnectFromServer();
    }
    QTimer::singleShot(200, qApp, [code] { QCoreApplication::exit(code); });
}

void Cli::start(const QStringList& arguments)
{
    // GST-5: what a guest session that crashed left behind goes before anything else.
    // Said on stderr (once: the core logs it too when its info lines are on).
    for (const QString& dir : GuestVault::removeOrphans()) {
        if (!lcClient().isInfoEnabled()) {
            std::fprintf(
                stderr, "cpm-cli: removed the orphaned guest directory %s\n", qPrintable(dir));
        }
    }
    QStringList args = arguments;
    QString profile;
    QString server;
    std::optional<QString> caFile;
    bool insecure = false;
    while (!args.isEmpty() && args.constFirst().startsWith(QLatin1StringView("-"))) {
        const QString option = args.takeFirst();
        if (option == QLatin1StringView("--offline")) {
            m_offline = true;
        } else if (option == QLatin1StringView("--insecure")) {
            insecure = true;
        } else if (option == QLatin1StringView("--version")) {
            std::printf("cpm-cli %s\n", qPrintable(QCoreApplication::applicationVersion()));
            QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
            m_finished = true;
            return;
        } else if (option == QLatin1StringView("--help") || option == QLatin1StringView("-h")) {
            std::fputs(Usage, stdout);
            QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
            m_finished = true;
            return;
        } else if (args.isEmpty()) {
            return finish({}, usage(QStringLiteral("%1 needs a value").arg(option)));
        } else if (option == QLatin1StringView("--profile")) {
            profile = args.takeFirst();
        } else if (option == QLatin1StringView("--server")) {
            server = args.takeFirst();
        } else if (option == QLatin1StringView("--ca")) {
            caFile = args.takeFirst();
        } else if (option == QLatin1StringView("--timeout")) {
            m_timeoutSeconds = std::max(1, args.takeFirst().toInt());
        } else {
            return finish({}, usage(QStringLiteral("unknown option %1").arg(option)));
        }
    }
    if (!args.isEmpty() && args.constFirst() == QLatin1StringView("guest")) {
        if (!profile.isEmpty() || m_offline) {
            return finish({},
                usage(QStringLiteral("guest takes neither --profile nor --offline: a guest has "
                                     "no profile on this machine")));
        }
        return startGuest(args.mid(1), server, caFile, insecure);
    }
    if (profile.isEmpty()) {
        return finish({}, usage(QStringLiteral("--profile DIR is required")));
    }
    if (args.isEmpty()) {
        return finish({}, usage(QStringLiteral("a command is required")));
    }
    m_client = std::make_unique<Client>(profile);
    if (const Result<void> opened = m_client->open(); !opened) {
        return finish({}, opened.error()); // `profile` (busy, unusable) or the store's code
    }
    if (!m_client->recoveredStore().isEmpty()) {
        std::fprintf(stderr,
            "cpm-cli: the local database was damaged; it was kept as %s and this device "
            "downloads its messages again\n",
            qPrintable(m_client->recoveredStore()));
    }
    if (const Error bad = configure(server, caFile, insecure); !bad.isNull()) {
        return finish({}, bad);
    }
    m_client->setAutoReconnect(false);

    const QString command = args.takeFirst();
    static const QStringList commands { QStringLiteral("register-device"), QStringLiteral("whoami"),
        QStringLiteral("send"), QStringLiteral("sync"), QStringLiteral("conversations"),
        QStringLiteral("messages"), QStringLiteral("read"), QStringLiteral("open"),
        QStringLiteral("delete"), QStringLiteral("devices"), QStringLiteral("rename-device"),
        QStringLiteral("sign-out-device"), QStringLiteral("set-delivery"),
        QStringLiteral("contacts"), QStringLiteral("add-contact"), QStringLiteral("remove-contact"),
        QStringLiteral("set-status"), QStringLiteral("status"), QStringLiteral("peer-status"),
        QStringLiteral("prefs"), QStringLiteral("set-pref"), QStringLiteral("diagnostics"),
        QStringLiteral("sign-out"), QStringLiteral("watch"), QStringLiteral("shell"),
        QStringLiteral("invite"), QStringLiteral("sessions"), QStringLiteral("accept"),
        QStringLiteral("decline"), QStringLiteral("cancel"), QStringLiteral("end"),
        QStringLiteral("say"), QStringLiteral("transfer"), QStringLiteral("pull"),
        QStringLiteral("download"), QStringLiteral("files"), QStringLiteral("delete-file") };
    if (!commands.contains(command)) {
        return finish({}, usage(QStringLiteral("unknown command '%1'").arg(command)));
    }
    if (command == QLatin1StringView("watch")) {
        const Args a = parseArgs(args);
        const int seconds = a.has("seconds") ? a.option("seconds").toInt() : 0;
        return connectThen([this, seconds] { startWatching(seconds); });
    }
    if (command == QLatin1StringView("shell")) {
        return connectThen([this] { startShell(); });
    }
    m_deadline->start(m_timeoutSeconds * 1000);
    const QStringList commandLine = QStringList { command } + args;
    auto run = [this, commandLine] {
        execute(
            commandLine, [this](const QJsonValue& result, const Error& e) { finish(result, e); });
    };
    // `send` queues first and connects itself: it must queue even when the server is down.
    const bool local = command == QLatin1StringView("register-device")
        || command == QLatin1StringView("send") || m_offline
        || (command == QLatin1StringView("diagnostics") && !m_client->hasAccount());
    if (local) {
        run();
    } else {
        connectThen(run);
    }
}

Error Cli::configure(const QString& server, const std::optional<QString>& caFile, bool insecure)
{
    if (!server.isEmpty()) {
        QString bad;
        const QList<QUrl> urls = Profile::parseServers(server, &bad);
        if (urls.isEmpty()) {
            return usage(QStringLiteral("--server takes a ws:// or wss:// URL, or up to %1 of them "
                                        "separated by commas; not '%2'")
                             .arg(Profile::MaxServers)
                             .arg(bad.isEmpty() ? server : bad));
        }
        m_client->setServerUrls(urls);
    }
    if (caFile) {
        // Remembered in the profile, like --server; --ca "" forgets it.
        m_client->setCaFile(caFile->isEmpty() ? QString() : QFileInfo(*caFile).absoluteFilePath());
    }
    m_client->setAllowInsecure(insecure);
    for (const QUrl& url : m_client->serverUrls()) {
        if (insecure && Client::isInsecure(url)) {
            std::fprintf(stderr,
                "cpm-cli: warning: %s is not encrypted; the password crosses the network in the "
                "clear\n",
                qPrintable(url.toDisplayString()));
        }
    }
    return {};
}

void Cli::startGuest(const QStringList& args, const QString& server,
    const std::optional<QString>& caFile, bool insecure)
{
    const Args a = parseArgs(args);
    if (!a.bad.isEmpty()) {
        return finish({}, usage(QStringLiteral("%1 needs a value").arg(a.bad)));
    }
    const QString url = a.has("server") ? a.option("server") : server;
    if (!a.positional.isEmpty()
        || !takesOnly(a, { "server", "address", "password-file", "name", "kind", "ca" })
        || url.isEmpty() || a.option("address").isEmpty() || a.option("password-file").isEmpty()
        || a.option("name").isEmpty()) {
        return finish({}, usage(QString::fromLatin1(GuestUsage)));
    }
    // From here on a signal ends the session the way `sign-out` does.
    catchSignals();
    m_client = Client::createGuest();
    if (const Result<void> opened = m_client->open(); !opened) {
        return finish({}, opened.error()); // `profile`: the parent cannot be made private
    }
    const Error bad
        = configure(url, a.has("ca") ? std::optional<QString>(a.option("ca")) : caFile, insecure);
    if (!bad.isNull()) {
        return finish({}, bad);
    }
    m_client->setAutoReconnect(false);
    m_deadline->start(m_timeoutSeconds * 1000);
    hookProgress(); // the first sync's progress, as `watch` shows it
    // The sign-in is `register-device` with the guest's client: the same password file
    // handling, the same wait for the first sync, the same answer.
    QStringList registration { QStringLiteral("register-device"), QStringLiteral("--address"),
        a.option("address"), QStringLiteral("--password-file"), a.option("password-file"),
        QStringLiteral("--name"), a.option("name") };
    if (a.has("kind")) {
        registration << QStringLiteral("--kind") << a.option("kind");
    }
    execute(registration, [this](const QJsonValue& result, const Error& error) {
        if (m_signingOut) {
            return; // a signal ended it meanwhile
        }
        if (!error.isNull()) {
            return finish({}, error); // wipes the guest directory first
        }
        printLine({ { QStringLiteral("command"), QStringLiteral("guest") },
            { QStringLiteral("result"), result } });
        startShell();
    });
}

void Cli::endGuest(std::function<void(const QJsonObject& answer)> then)
{
    m_signingOut = true;
    m_deadline->stop();
    const qint64 deviceId = m_client->deviceId();
    const QString dir = m_client->profileDir();
    auto settled = std::make_shared<bool>(false);
    auto* wait = new QTimer(this);
    wait->setSingleShot(true);
    auto settle = [this, settled, wait, deviceId, dir, then](std::optional<Error> answer) {
        if (*settled) {
            return;
        }
        *settled = true;
        wait->stop();
        wait->deleteLater();
        const bool confirmed = answer && answer->isNull();
        QJsonObject out { { QStringLiteral("signedOut"), deviceId },
            { QStringLiteral("wiped"),
                m_client->profileDir().isEmpty() && !QFileInfo::exists(dir) },
            { QStringLiteral("removed"), dir }, { QStringLiteral("serverConfirmed"), confirmed } };
        if (!confirmed) {
            if (answer) {
                out.insert(QStringLiteral("reason"), answer->toJson());
            }
            out.insert(QStringLiteral("note"),
                QStringLiteral("not confirmed; the guest device ends by itself on the server "
                               "after guest.idleSeconds without a connection (1 hour by "
                               "default) or at the end of its lifetime (12 hours by default)"));
        }
        then(out);
    };
    connect(wait, &QTimer::timeout, this, [settle] { settle(std::nullopt); });
    // The local wipe happens inside signOut(), at once; the server is told after, and
    // told again while the wait lasts if it cannot be reached now.
    m_client->setAutoReconnect(true);
    m_client->signOut([settle](const Error& error) { settle(error); });
    if (!*settled) {
        wait->start(GuestSignOutWaitMs);
    }
}

void Cli::catchSignals()
{
    if (::pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        std::fprintf(stderr, "cpm-cli: warning: cannot watch for signals\n");
        return;
    }
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signo : { SIGTERM, SIGINT, SIGHUP }) {
        ::sigaction(signo, &action, nullptr);
    }
    m_signals = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, this);
    connect(m_signals, &QSocketNotifier::activated, this, &Cli::handleSignal);
}

void Cli::handleSignal()
{
    char byte = 0;
    int signo = 0;
    while (::read(signalPipe[0], &byte, 1) == 1) {
        signo = byte;
    }
    if (signo == 0) {
        return;
    }
    if (m_signingOut || m_finished || !m_client || !m_client->isOpen()) {
        // Asked again while the server is being told: the local wipe is done, so go.
        QCoreApplication::exit(128 + signo);
        return;
    }
    std::fprintf(stderr, "cpm-cli: signal %d: signing the guest out\n", signo);
    endGuest([this](const QJsonObject& answer) {
        printLine({ { QStringLiteral("command"), QStringLiteral("sign-out") },
            { QStringLiteral("result"), answer } });
        finish({}, {});
    });
}

void Cli::connectThen(std::function<void()> then, std::function<void(const Error&)> failed)
{
    if (!failed) {
        failed = [this](const Error& error) { finish({}, error); };
    }
    if (!m_client->hasAccount()) {
        return failed(makeError(ErrorCode::NoAccount,
            QStringLiteral("this profile has no registered device; run register-device first")));
    }
    if (!m_client->serverUrl().isValid()) {
        return failed(usage(QStringLiteral("no server URL is known; pass --server URL")));
    }
    // The one-shot deadline; a shell's commands (`send` reconnecting) are not bounded by it.
    if (!m_stdin && !m_deadline->isActive()) {
        m_deadline->start(m_timeoutSeconds * 1000);
    }
    // Connected means signed in, synced, and the outbox sent: a command that connects
    // leaves nothing waiting that it could have delivered.
    auto state = std::make_shared<QMetaObject::Connection>();
    auto idle = std::make_shared<QMetaObject::Connection>();
    *state = connect(m_client.get(), &Client::stateChanged, this,
        [this, state, idle, then, failed](ConnectionState now) {
            if (now == ConnectionState::Online) {
                disconnect(*state);
                *idle = connect(m_client.get(), &Client::outboxIdle, this, [idle, then] {
                    disconnect(*idle);
                    then();
                });
            } else if (now == ConnectionState::Disconnected || now == ConnectionState::SignedOut) {
                disconnect(*state);
                disconnect(*idle);
                // The reason (refused, no such host, not a CPM server) is reported right
                // after the state changes: read it once that has happened.
                QMetaObject::invokeMethod(
                    this,
                    [this, now, failed] {
                        const QList<Error> errors = m_client->lastErrors();
                        failed(
                            now == ConnectionState::SignedOut ? makeError(
                                ErrorCode::DeviceSignedOut,
                                QStringLiteral("this device was signed out; local data was wiped"))
                                : !errors.isEmpty()
                                ? errors.constLast()
                                : makeError(ErrorCode::Unreachable,
                                    QStringLiteral("could not connect to the server")));
                    },
                    Qt::QueuedConnection);
            }
        });
    m_client->connectToServer();
}

namespace {
QJsonObject eventLine(const char* name, QJsonObject data = {})
{
    data.insert(QStringLiteral("event"), QString::fromLatin1(name));
    return data;
}
} // namespace

void Cli::hookTransfersKeepAlive()
{
    if (std::exchange(m_keepAliveHooked, true)) {
        return;
    }
    // A large file takes longer than the command's deadline: progress keeps it going.
    connect(&m_client->attachments(), &AttachmentManager::transferChanged, this, [this] {
        if (m_deadline->isActive()) {
            m_deadline->start(m_timeoutSeconds * 1000);
        }
    });
}

void Cli::hookProgress()
{
    if (std::exchange(m_progressHooked, true)) {
        return;
    }
    Client* c = m_client.get();
    connect(c, &Client::stateChanged, this, [this](ConnectionState state) {
        printLine(eventLine("stateChanged", { { QStringLiteral("state"), stateName(state) } }));
    });
    // One line per batch of a sync (not per live event once online).
    connect(c, &Client::syncProgressChanged, this, [this, c](qint64 position, qint64 head) {
        if (c->state() == ConnectionState::Syncing) {
            printLine(eventLine("syncProgress",
                { { QStringLiteral("position"), position }, { QStringLiteral("head"), head } }));
        }
    });
    // Uploads and downloads: a line when one starts, ends or passes another tenth.
    connect(&c->attachments(), &AttachmentManager::transferChanged, this, [this, c](qint64 id) {
        const std::optional<TransferInfo> t = c->attachments().transfer(id);
        if (!t) {
            return;
        }
        const int tenth = t->size > 0 ? int(t->done * 10 / t->size) : 10;
        const auto key = std::pair(int(t->state), tenth);
        if (m_transferShown.value(id) == key) {
            return;
        }
        m_transferShown.insert(id, key);
        printLine(eventLine("transfer", { { QStringLiteral("transfer"), transferJson(*t) } }));
    });
}

void Cli::hookEvents()
{
    Client* c = m_client.get();
    hookProgress();
    connect(c, &Client::messageAdded, this, [this, c](qint64 id, const QString&) {
        const Result<std::optional<Message>> m = c->message(id);
        if (m && m->has_value()) {
            printLine(eventLine("messageAdded",
                { { QStringLiteral("message"), messageJson(**m, c->attachments()) } }));
        }
    });
    connect(c, &Client::messageChanged, this, [this, c](qint64 id) {
        const Result<std::optional<Message>> m = c->message(id);
        if (m && m->has_value()) {
            printLine(eventLine("messageChanged",
                { { QStringLiteral("message"), messageJson(**m, c->attachments()) } }));
        }
    });
    connect(c, &Client::messageRemoved, this, [this](qint64 id) {
        printLine(eventLine("messageRemoved", { { QStringLiteral("id"), id } }));
    });
    connect(c, &Client::messageSent, this,
        [this](qint64 pendingId, qint64 id, const QString& clientId) {
            printLine(eventLine("messageSent",
                { { QStringLiteral("pendingId"), pendingId }, { QStringLiteral("id"), id },
                    { QStringLiteral("clientId"), clientId } }));
        });
    connect(c, &Client::sendFailed, this,
        [this](qint64 pendingId, const QString& clientId, const Error& e) {
            printLine(eventLine("sendFailed",
                { { QStringLiteral("pendingId"), pendingId },
                    { QStringLiteral("clientId"), clientId },
                    { QStringLiteral("error"), e.toJson() } }));
        });
    connect(c, &Client::incomingMessage, this,
        [this](qint64 id, const QString& from, const QString& subject) {
            printLine(eventLine("incomingMessage",
                { { QStringLiteral("id"), id }, { QStringLiteral("from"), from },
                    { QStringLiteral("subject"), subject } }));
        });
    connect(c, &Client::messageReadElsewhere, this, [this](qint64 id) {
        printLine(eventLine("messageReadElsewhere", { { QStringLiteral("id"), id } }));
    });
    connect(c, &Client::unreadCountChanged, this, [this](int count) {
        printLine(eventLine("unreadCountChanged", { { QStringLiteral("count"), count } }));
    });
    connect(c, &Client::deviceListChanged, this, [this, c] {
        const Result<QList<Device>> devices = c->devices();
        if (devices) {
            printLine(eventLine(
                "deviceListChanged", { { QStringLiteral("devices"), deviceArray(*devices) } }));
        }
    });
    connect(c, &Client::contactsChanged, this, [this] { printLine(eventLine("contactsChanged")); });
    connect(c, &Client::statusChanged, this, [this, c] {
        if (const Result<UserStatus> status = c->status()) {
            printLine(eventLine("statusChanged", status->toJson()));
        }
    });
    connect(c, &Client::prefsChanged, this, [this] { printLine(eventLine("prefsChanged")); });
    connect(c, &Client::signedOut, this, [this] {
        printLine(eventLine("signedOut"));
        if (m_signingOut) {
            return; // `sign-out` (or a guest's end) answers and ends the run itself
        }
        finish({},
            makeError(ErrorCode::DeviceSignedOut,
                QStringLiteral("this device was signed out; local data was wiped")));
    });
    connect(c, &Client::errorOccurred, this, [this](const Error& e) {
        printLine(eventLine("error", { { QStringLiteral("error"), e.toJson() } }));
    });

    // Chat sessions: each change as the server said it, then what it means for this device.
    SessionManager* sessions = &c->sessions();
    auto sessionEvent
        = [this, sessions](void (SessionManager::*signal)(const Session&), const char* name) {
              connect(sessions, signal, this, [this, name](const Session& s) {
                  printLine(eventLine(name, { { QStringLiteral("session"), s.toJson() } }));
              });
          };
    sessionEvent(&SessionManager::sessionUpdated, "sessionUpdated");
    sessionEvent(&SessionManager::incomingRequest, "incomingRequest");
    sessionEvent(&SessionManager::requestEnded, "requestEnded");
    sessionEvent(&SessionManager::arrivedHere, "arrivedHere");
    sessionEvent(&SessionManager::continuedElsewhere, "continuedElsewhere");
    sessionEvent(&SessionManager::sessionEnded, "sessionEnded");
    connect(sessions, &SessionManager::historyLoaded, this, [this](qint64 id, int count) {
        printLine(eventLine("historyLoaded",
            { { QStringLiteral("sessionId"), id }, { QStringLiteral("count"), count } }));
    });
    connect(sessions, &SessionManager::historyFailed, this, [this](qint64 id, const Error& e) {
        printLine(eventLine("historyFailed",
            { { QStringLiteral("sessionId"), id }, { QStringLiteral("error"), e.toJson() } }));
    });
    connect(
        sessions, &SessionManager::peerComposingChanged, this, [this](qint64 id, bool composing) {
            printLine(eventLine("peerComposing",
                { { QStringLiteral("sessionId"), id },
                    { QStringLiteral("composing"), composing } }));
        });
}

void Cli::startWatching(int seconds)
{
    m_deadline->stop();
    m_client->setAutoReconnect(true);
    hookEvents();
    printLine({ { QStringLiteral("event"), QStringLiteral("stateChanged") },
        { QStringLiteral("state"), stateName(m_client->state()) } });
    if (seconds > 0) {
        QTimer::singleShot(seconds * 1000, this, [this] { finish({}, {}); });
    }
}

void Cli::startShell()
{
    m_deadline->stop();
    m_client->setAutoReconnect(true);
    hookEvents();
    printLine({ { QStringLiteral("event"), QStringLiteral("ready") },
        { QStringLiteral("state"), stateName(m_client->state()) } });
    m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_stdin, &QSocketNotifier::activated, this, &Cli::readStdin);
}

void Cli::readStdin()
{
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        m_stdin->setEnabled(false);
        m_pendingLines.append(QStringLiteral("quit"));
    } else {
        m_stdinBuffer.append(buffer, n);
        qsizetype newline;
        while ((newline = m_stdinBuffer.indexOf('\n')) >= 0) {
            const QString line = QString::fromUtf8(m_stdinBuffer.left(newline)).trimmed();
            m_stdinBuffer.remove(0, newline + 1);
            if (!line.isEmpty() && !line.startsWith(QLatin1Char('#'))) {
                m_pendingLines.append(line);
            }
        }
    }
    processQueue();
}

void Cli::processQueue()
{
    // One command at a time, in order: a script can rely on each answer before the next.
    while (!m_busy && !m_pendingLines.isEmpty()) {
        const QString line = m_pendingLines.takeFirst();
        QStringList words = splitLine(line);
        if (words.isEmpty()) {
            continue;
        }
        if (words.constFirst() == QLatin1StringView("quit")
            || words.constFirst() == QLatin1StringView("exit")) {
            if (!m_client->isGuest() || !m_client->isOpen()) {
                return finish({}, {});
            }
            words = QStringList { QStringLiteral("sign-out") }; // a guest leaves nothing
        }
        m_busy = true;
        const QString command = words.constFirst();
        execute(words, [this, command](const QJsonValue& result, const Error& error) {
            QJsonObject out { { QStringLiteral("command"), command } };
            if (error.isNull()) {
                out.insert(QStringLiteral("result"), result);
            } else {
                out.insert(QStringLiteral("error"), error.toJson());
            }
            printLine(out);
            m_busy = false;
            if (m_signedOutSelf) {
                return finish({}, {}); // signed out: nothing left to run commands on
            }
            QTimer::singleShot(0, this, &Cli::processQueue);
        });
    }
}

void Cli::execute(const QStringList& commandLine, Done done)
{
    const QString command = commandLine.value(0);
    const Args a = parseArgs(commandLine.mid(1));
    Client* c = m_client.get();
    if (!a.bad.isEmpty()) {
        return done({}, usage(QStringLiteral("%1 needs a value").arg(a.bad)));
    }
    // Answers \a result when the asynchronous action succeeded; a local read that fails
    // makes the command fail with that error, never an empty answer.
    auto okThen = [done](std::function<Result<QJsonObject>()> result) {
        return [done, result](const Error& error) {
            if (!error.isNull()) {
                return done({}, error);
            }
            const Result<QJsonObject> r = result();
            r ? done(*r, {}) : done({}, r.error());
        };
    };
    auto answer = [done](const Result<QJsonObject>& r) { r ? done(*r, {}) : done({}, r.error()); };
    auto whoami = [c]() -> Result<QJsonObject> {
        const Result<int> unread = c->unreadCount();
        const Result<int> outbox = c->outboxSize();
        if (!unread || !outbox) {
            return unread ? outbox.error() : unread.error();
        }
        return QJsonObject { { QStringLiteral("address"), c->address() },
            { QStringLiteral("deviceId"), c->deviceId() },
            { QStringLiteral("deviceName"), c->deviceName() },
            { QStringLiteral("instanceId"), c->instanceId() },
            { QStringLiteral("server"), c->currentServerUrl().toString() },
            { QStringLiteral("servers"),
                QJsonArray::fromStringList(QUrl::toStringList(c->serverUrls())) },
            { QStringLiteral("state"), stateName(c->state()) },
            { QStringLiteral("syncPosition"), c->syncPosition() },
            { QStringLiteral("head"), c->serverHead() }, { QStringLiteral("unread"), *unread },
            { QStringLiteral("outbox"), *outbox } };
    };
    auto messageObject = [c](qint64 id) -> Result<QJsonObject> {
        const Result<std::optional<Message>> m = c->message(id);
        if (!m) {
            return m.error();
        }
        return m->has_value() ? messageJson(**m, c->attachments())
                              : QJsonObject { { QStringLiteral("id"), id } };
    };
    // Waits for the server's answer to the queued message \a clientId (send, say): prints
    // the message once sent, the error when refused for good, else that it is still queued.
    auto deliver = [this, c, done, answer, messageObject](
                       const QString& clientId, bool waitForUploads = false) {
        auto pending = [done, clientId](const Error& why) {
            QJsonObject out { { QStringLiteral("clientId"), clientId },
                { QStringLiteral("status"), QStringLiteral("pending") } };
            if (!why.isNull()) {
                out.insert(QStringLiteral("reason"), why.toJson());
            }
            done(out, {});
        };
        if (m_offline) {
            return pending({}); // the next command that connects sends it
        }
        // The answer to this very message: sent (with its server id) or refused for good.
        auto answered = std::make_shared<bool>(false);
        auto sent = std::make_shared<QMetaObject::Connection>();
        auto failed = std::make_shared<QMetaObject::Connection>();
        auto idle = std::make_shared<QMetaObject::Connection>();
        auto forget = [sent, failed, idle] {
            disconnect(*sent);
            disconnect(*failed);
            disconnect(*idle);
        };
        *sent = connect(c, &Client::messageSent, this,
            [messageObject, answer, clientId, forget, answered](
                qint64, qint64 messageId, const QString& cid) {
                if (cid == clientId) {
                    forget();
                    *answered = true;
                    answer(messageObject(messageId));
                }
            });
        *failed = connect(c, &Client::sendFailed, this,
            [done, clientId, forget, answered](qint64, const QString& cid, const Error& e) {
                if (cid == clientId) {
                    forget();
                    *answered = true;
                    done({}, e);
                }
            });
        auto afterFlush = [c, pending, forget, answered] {
            if (!*answered) {
                // Refused for now (storage full, throttled): it stays in the outbox.
                forget();
                const QList<Error> errors = c->lastErrors();
                pending(errors.isEmpty() ? Error() : errors.constLast());
            }
        };
        if (waitForUploads) {
            // Its files go first: the answer is the message sent or refused, however long
            // the uploads take (the deadline waits while they make progress).
            if (c->state() != ConnectionState::Online) {
                connectThen([] {},
                    [pending, forget](const Error& why) {
                        forget();
                        pending(why);
                    });
            }
            return;
        }
        if (c->state() == ConnectionState::Online) {
            // In the shell: send() put it on the wire already. Its answer, or the end of
            // this round of the outbox when it was refused only for now, answers.
            *idle = connect(c, &Client::outboxIdle, this, afterFlush);
            return;
        }
        return connectThen(afterFlush, [pending, forget](const Error& why) {
            forget();
            pending(why); // server down: it waits in the outbox, as with --offline
        });
    };
    qint64 id = 0;

    if (command == QLatin1StringView("register-device")) {
        const QString address = a.option("address");
        const QString passwordFile = a.option("password-file");
        if (address.isEmpty() || passwordFile.isEmpty() || a.option("name").isEmpty()) {
            return done({},
                usage(QStringLiteral(
                    "register-device --address A --password-file F --name N [--kind K]")));
        }
        if (c->isGuest() && c->hasAccount()) {
            return done({}, usage(QStringLiteral("this guest is signed in; sign-out ends it")));
        }
        QString password;
        if (const Error unread = readPassword(passwordFile, &password); !unread.isNull()) {
            return done({}, unread);
        }
        if (!c->serverUrl().isValid()) {
            secrets::wipe(password);
            return done({}, usage(QStringLiteral("no server URL is known; pass --server URL")));
        }
        const QString kind = a.has("kind") ? a.option("kind") : QStringLiteral("desktop");
        c->registerDevice(address, password, a.option("name"), kind,
            [this, c, answer, whoami](const Error& error) {
                if (!error.isNull()) {
                    return answer(error);
                }
                // Registered: finish the first sync before answering, like any command.
                auto connection = std::make_shared<QMetaObject::Connection>();
                if (c->state() == ConnectionState::Online) {
                    return answer(whoami());
                }
                *connection = connect(c, &Client::stateChanged, this,
                    [connection, answer, whoami, c](ConnectionState state) {
                        if (state == ConnectionState::Online) {
                            disconnect(*connection);
                            answer(whoami());
                        } else if (state != ConnectionState::Syncing
                            && state != ConnectionState::Connecting) {
                            disconnect(*connection);
                            const QList<Error> errors = c->lastErrors();
                            answer(errors.isEmpty() ? makeError(ErrorCode::Disconnected,
                                       QStringLiteral("connection lost while syncing"))
                                                    : errors.constLast());
                        }
                    });
            });
        secrets::wipe(password);
        return;
    }
    if (command == QLatin1StringView("whoami") || command == QLatin1StringView("sync")) {
        return answer(whoami());
    }
    if (command == QLatin1StringView("diagnostics")) {
        QJsonObject diagnostics = QJsonObject::fromVariantMap(c->diagnostics().toVariantMap());
        if (c->state() != ConnectionState::Online) {
            // What the server did with e-mail/SMS is asked only while connected.
            diagnostics.insert(QStringLiteral("legacyDeliveries"), QJsonValue::Null);
            return done(diagnostics, {});
        }
        c->legacyDeliveries([done, diagnostics](const Error& error,
                                const QList<protocol::LegacyDelivery>& list) mutable {
            QJsonArray deliveries;
            for (const protocol::LegacyDelivery& d : list) {
                deliveries.append(d.toJson());
            }
            diagnostics.insert(QStringLiteral("legacyDeliveries"),
                error.isNull() ? QJsonValue(deliveries) : QJsonValue(QJsonValue::Null));
            done(diagnostics, {});
        });
        return;
    }
    if (command == QLatin1StringView("sign-out")) {
        if (!a.positional.isEmpty() || !takesOnly(a, {})) {
            return done({}, usage(QStringLiteral("sign-out")));
        }
        if (c->isGuest()) {
            // GST-4: wiped at once; the answer says whether the server heard of it in time.
            return endGuest([this, done](const QJsonObject& signedOut) {
                m_signedOutSelf = true;
                done(signedOut, {});
            });
        }
        // This very device, as `sign-out-device` with its own id: the wipe follows the
        // server's answer.
        const qint64 self = c->deviceId();
        m_signingOut = true;
        return c->signOut([this, c, self, done](const Error& error) {
            if (!error.isNull()) {
                m_signingOut = false;
                return done({}, error);
            }
            m_signedOutSelf = true;
            done(QJsonObject { { QStringLiteral("signedOut"), self },
                     { QStringLiteral("wiped"), !c->hasAccount() },
                     { QStringLiteral("serverConfirmed"), true } },
                {});
        });
    }
    if (command == QLatin1StringView("send")) {
        const QString to = a.option("to");
        QString text = a.positional.join(QLatin1Char(' '));
        if (text == QLatin1StringView("-")) {
            QFile in;
            if (in.open(stdin, QIODevice::ReadOnly)) {
                text = QString::fromUtf8(in.readAll());
            }
        }
        const QStringList files = a.values("attach");
        if (to.isEmpty() || (text.isEmpty() && a.option("subject").isEmpty() && files.isEmpty())) {
            return done(
                {}, usage(QStringLiteral("send --to A [--subject S] [--attach FILE ...] TEXT")));
        }
        // In the on-disk outbox first: whatever happens next, the message is not lost.
        const Result<QString> queued = files.isEmpty()
            ? c->send(to, a.option("subject"), text)
            : c->send(to, a.option("subject"), text, files);
        if (!queued) {
            return done({}, queued.error()); // bad_request, too_large, not_found, a store error
        }
        if (!files.isEmpty()) {
            hookTransfersKeepAlive();
        }
        return deliver(*queued, !files.isEmpty());
    }
    if (command == QLatin1StringView("download")) {
        const QString path = a.option("to");
        if (!parseId(a.positional.value(0), &id) || path.isEmpty() || a.positional.size() != 1
            || !takesOnly(a, { "to", "attachment" })) {
            return done(
                {}, usage(QStringLiteral("download MESSAGE_ID [--attachment ATT_ID] --to PATH")));
        }
        const Result<std::optional<Message>> found = c->message(id);
        if (!found) {
            return done({}, found.error());
        }
        if (!found->has_value()) {
            return done({},
                makeError(
                    ErrorCode::NotFound, QStringLiteral("no message %1 on this device").arg(id)));
        }
        const Message m = **found;
        QList<std::pair<protocol::Attachment, QString>> wanted;
        if (a.has("attachment")) {
            for (const protocol::Attachment& att : m.attachments) {
                if (att.id == a.option("attachment")) {
                    wanted.append({ att, path });
                }
            }
        } else if (m.attachments.size() == 1) {
            wanted.append({ m.attachments.first(), path });
        } else {
            // Several: PATH is a directory, each saved under its own name.
            QDir().mkpath(path);
            for (const protocol::Attachment& att : m.attachments) {
                wanted.append({ att, QDir(path).filePath(safeFileName(att.name, att.id)) });
            }
        }
        if (wanted.isEmpty()) {
            return done({},
                makeError(ErrorCode::NotFound,
                    m.partial
                        ? QStringLiteral("message %1 is partial here: `open` it first").arg(id)
                        : QStringLiteral("message %1 has no such attachment").arg(id)));
        }
        hookTransfersKeepAlive();
        auto left = std::make_shared<qsizetype>(wanted.size());
        auto saved = std::make_shared<QJsonArray>();
        auto failure = std::make_shared<Error>();
        for (const auto& [att, target] : wanted) {
            c->attachments().download(id, att.id, target,
                [done, left, saved, failure, att = att, target = target](const Error& error) {
                    if (!error.isNull()) {
                        *failure = error;
                    } else {
                        saved->append(QJsonObject { { QStringLiteral("attachmentId"), att.id },
                            { QStringLiteral("name"), att.name },
                            { QStringLiteral("size"), att.size },
                            { QStringLiteral("sha256"), att.sha256 },
                            { QStringLiteral("path"), QFileInfo(target).absoluteFilePath() } });
                    }
                    if (--*left == 0) {
                        failure->isNull()
                            ? done(QJsonObject { { QStringLiteral("saved"), *saved } }, {})
                            : done({}, *failure);
                    }
                });
        }
        return;
    }
    if (command == QLatin1StringView("files")) {
        return c->attachments().listFiles(
            [done](const Error& error, const QList<protocol::Attachment>& files, qint64 used,
                qint64 quota) {
                if (!error.isNull()) {
                    return done({}, error);
                }
                QJsonArray list;
                for (const protocol::Attachment& f : files) {
                    list.append(f.toJson());
                }
                done(QJsonObject { { QStringLiteral("files"), list },
                         { QStringLiteral("usedBytes"), used },
                         { QStringLiteral("quotaBytes"), quota } },
                    {});
            });
    }
    if (command == QLatin1StringView("delete-file")) {
        const QString attachmentId = a.positional.value(0);
        if (a.positional.size() != 1 || !protocol::isAttachmentId(attachmentId)) {
            return done({}, usage(QStringLiteral("delete-file ATT_ID (32 hex digits)")));
        }
        return c->attachments().deleteFile(
            attachmentId, okThen([attachmentId]() -> Result<QJsonObject> {
                return QJsonObject { { QStringLiteral("deleted"), attachmentId } };
            }));
    }
    if (command == QLatin1StringView("conversations")) {
        const Result<QList<Conversation>> conversations = c->conversations();
        if (!conversations) {
            return done({}, conversations.error());
        }
        QJsonArray list;
        for (const Conversation& conv : *conversations) {
            list.append(QJsonObject { { QStringLiteral("peer"), conv.peerAddress },
                { QStringLiteral("name"), conv.peerName },
                { QStringLiteral("lastMessage"), conv.lastMessageText },
                { QStringLiteral("time"), conv.lastMessageTime },
                { QStringLiteral("unread"), conv.unreadCount } });
        }
        return done(QJsonObject { { QStringLiteral("conversations"), list } }, {});
    }
    if (command == QLatin1StringView("messages")) {
        const QString peer = a.option("with");
        if (peer.isEmpty()) {
            return done({}, usage(QStringLiteral("messages --with A [--limit N]")));
        }
        const int limit = a.has("limit") ? a.option("limit").toInt() : 50;
        const Result<QList<Message>> messages
            = c->messages(peer.toLower(), std::clamp(limit, 1, 100000));
        if (!messages) {
            return done({}, messages.error());
        }
        QJsonArray list;
        for (const Message& m : *messages) {
            list.append(messageJson(m, c->attachments()));
        }
        return done(QJsonObject { { QStringLiteral("messages"), list } }, {});
    }
    auto localMessage = [c, &a, &id]() -> Result<std::optional<Message>> {
        if (!parseId(a.positional.value(0), &id)) {
            return std::optional<Message>();
        }
        return c->message(id);
    };
    auto noMessage = [&a] {
        return makeError(ErrorCode::NotFound,
            QStringLiteral("no message %1 on this device").arg(a.positional.value(0)));
    };
    if (command == QLatin1StringView("read") || command == QLatin1StringView("open")) {
        const Result<std::optional<Message>> found = localMessage();
        if (!found) {
            return done({}, found.error());
        }
        if (!found->has_value()) {
            return done({}, noMessage());
        }
        auto markRead = [c, id, done, messageObject] {
            c->markRead(id, [id, done, messageObject](const Error& error) {
                if (!error.isNull() && error.code != ErrorCode::Offline) {
                    return done({}, error);
                }
                const Result<QJsonObject> m = messageObject(id);
                m ? done(*m, {}) : done({}, m.error());
            });
        };
        if (command == QLatin1StringView("open") && (*found)->partial) {
            c->fetchBody(id, [markRead, done](const Error& error) {
                if (!error.isNull()) {
                    return done({}, error);
                }
                markRead();
            });
            return;
        }
        return markRead();
    }
    if (command == QLatin1StringView("delete")) {
        if (!parseId(a.positional.value(0), &id) || a.has("local") == a.has("everywhere")) {
            return done({}, usage(QStringLiteral("delete ID --local|--everywhere")));
        }
        if (a.has("local")) {
            const Result<std::optional<Message>> found = localMessage();
            if (!found) {
                return done({}, found.error());
            }
            if (!found->has_value()) {
                return done({}, noMessage());
            }
            if (const Result<void> deleted = c->deleteLocally(id); !deleted) {
                return done({}, deleted.error());
            }
            return done(QJsonObject { { QStringLiteral("deleted"), id },
                            { QStringLiteral("scope"), QStringLiteral("local") } },
                {});
        }
        return c->deleteEverywhere(id, okThen([id]() -> Result<QJsonObject> {
            return QJsonObject { { QStringLiteral("deleted"), id },
                { QStringLiteral("scope"), QStringLiteral("everywhere") } };
        }));
    }
    auto deviceList = [c]() -> Result<QJsonObject> {
        const Result<QList<Device>> devices = c->devices();
        if (!devices) {
            return devices.error();
        }
        return QJsonObject { { QStringLiteral("devices"), deviceArray(*devices) } };
    };
    if (command == QLatin1StringView("devices")) {
        return c->refreshDevices(okThen(deviceList));
    }
    if (command == QLatin1StringView("rename-device")) {
        if (!parseId(a.positional.value(0), &id) || a.positional.size() < 2) {
            return done({}, usage(QStringLiteral("rename-device ID NAME")));
        }
        return c->renameDevice(id, a.positional.mid(1).join(QLatin1Char(' ')), okThen(deviceList));
    }
    if (command == QLatin1StringView("sign-out-device")) {
        if (!parseId(a.positional.value(0), &id)) {
            return done({}, usage(QStringLiteral("sign-out-device ID")));
        }
        return c->signOutDevice(id, okThen([id]() -> Result<QJsonObject> {
            return QJsonObject { { QStringLiteral("signedOut"), id } };
        }));
    }
    if (command == QLatin1StringView("set-delivery")) {
        const QString delivery = a.positional.value(1);
        if (!parseId(a.positional.value(0), &id) || !protocol::isValidDelivery(delivery)) {
            return done({}, usage(QStringLiteral("set-delivery ID full|notification|none")));
        }
        return c->setDelivery(id, delivery, okThen(deviceList));
    }
    auto contactList = [c]() -> Result<QJsonObject> {
        const Result<QList<Contact>> contacts = c->contacts();
        if (!contacts) {
            return contacts.error();
        }
        QJsonArray list;
        for (const Contact& contact : *contacts) {
            list.append(contact.toJson());
        }
        return QJsonObject { { QStringLiteral("contacts"), list } };
    };
    if (command == QLatin1StringView("contacts")) {
        return answer(contactList());
    }
    if (command == QLatin1StringView("add-contact")
        || command == QLatin1StringView("remove-contact")) {
        const QString address = a.positional.value(0);
        if (!protocol::isValidAddress(address)) {
            return done({},
                usage(
                    QStringLiteral("%1 ADDRESS%2")
                        .arg(command,
                            command == QLatin1StringView("add-contact") ? QStringLiteral(" [NAME]")
                                                                        : QString())));
        }
        if (command == QLatin1StringView("remove-contact")) {
            return c->removeContact(address, okThen(contactList));
        }
        return c->addContact(
            address, a.positional.mid(1).join(QLatin1Char(' ')), okThen(contactList));
    }
    auto status = [c]() -> Result<QJsonObject> {
        const Result<UserStatus> s = c->status();
        return s ? Result<QJsonObject>(s->toJson()) : Result<QJsonObject>(s.error());
    };
    if (command == QLatin1StringView("set-status")) {
        const QString value = a.has("status") ? a.option("status") : QStringLiteral("custom");
        const QString text = a.positional.join(QLatin1Char(' '));
        if (!protocol::isValidStatus(value) || (!a.has("status") && text.isEmpty())) {
            return done({},
                usage(QStringLiteral(
                    "set-status TEXT | set-status --status available|busy|away|custom [TEXT]")));
        }
        return c->setStatus(value, text, okThen(status));
    }
    if (command == QLatin1StringView("status")) {
        return answer(status());
    }
    if (command == QLatin1StringView("peer-status")) {
        // Asks now; without addresses, for the contacts and the people written with.
        QStringList addresses;
        for (const QString& address : std::as_const(a.positional)) {
            if (!protocol::isValidAddress(address)) {
                return done({}, usage(QStringLiteral("peer-status [ADDRESS…]")));
            }
            addresses.append(address.toLower());
        }
        auto shared = [c, addresses]() -> Result<QJsonObject> {
            QStringList asked = addresses;
            if (asked.isEmpty()) {
                for (const Contact& contact : c->contacts().valueOr({})) {
                    asked.append(contact.address);
                }
                for (const Conversation& conversation : c->conversations().valueOr({})) {
                    asked.append(conversation.peerAddress);
                }
                asked.removeDuplicates();
            }
            QJsonArray out;
            for (const QString& address : std::as_const(asked)) {
                if (const std::optional<UserStatus> s = c->peerStatus(address)) {
                    out.append(protocol::PeerStatus { address, *s }.toJson());
                }
            }
            return QJsonObject { { QStringLiteral("statuses"), out } };
        };
        return c->refreshPeerStatuses(addresses, okThen(shared));
    }
    auto prefs = [c]() -> Result<QJsonObject> {
        const Result<QVariantMap> p = c->prefs();
        if (!p) {
            return p.error();
        }
        return QJsonObject { { QStringLiteral("prefs"), QJsonObject::fromVariantMap(*p) } };
    };
    if (command == QLatin1StringView("prefs")) {
        return answer(prefs());
    }
    if (command == QLatin1StringView("set-pref")) {
        if (a.positional.size() != 2) {
            return done({}, usage(QStringLiteral("set-pref KEY VALUE")));
        }
        return c->setPref(a.positional.at(0), a.positional.at(1), okThen(prefs));
    }
    // --- chat sessions (SES): the server decides, the answer is its word on the session ---
    SessionManager* sessions = &c->sessions();
    auto sessionAnswer = [done](const Error& error, const Session& s) {
        // A refusal keeps the server's details (the winning `device`, the `session` now).
        error.isNull() ? done(QJsonObject { { QStringLiteral("session"), s.toJson() } }, {})
                       : done({}, error);
    };
    if (command == QLatin1StringView("invite")) {
        const QString to = a.option("to");
        if (to.isEmpty() || !a.positional.isEmpty() || !takesOnly(a, { "to", "subject" })) {
            return done({}, usage(QStringLiteral("invite --to A [--subject S]")));
        }
        return sessions->invite(to, a.option("subject"), sessionAnswer);
    }
    if (command == QLatin1StringView("sessions")) {
        if (!a.positional.isEmpty() || !takesOnly(a, { "all-devices" })) {
            return done({}, usage(QStringLiteral("sessions [--all-devices]")));
        }
        // Asks the server first: a one-shot run knows only what its sync brought.
        const bool all = a.has("all-devices");
        return sessions->refresh([c, sessions, all, done](const Error& error) {
            if (!error.isNull()) {
                return done({}, error);
            }
            QJsonArray list;
            for (const Session& s : sessions->openSessions()) {
                if (all || concernsDevice(s, c->deviceId())) {
                    list.append(s.toJson());
                }
            }
            done(QJsonObject { { QStringLiteral("sessions"), list } }, {});
        });
    }
    if (command == QLatin1StringView("accept") || command == QLatin1StringView("decline")
        || command == QLatin1StringView("cancel") || command == QLatin1StringView("end")) {
        if (!parseId(a.positional.value(0), &id) || a.positional.size() != 1 || !takesOnly(a, {})) {
            return done({}, usage(QStringLiteral("%1 ID").arg(command)));
        }
        using Answer = void (SessionManager::*)(qint64, SessionManager::SessionCallback);
        const Answer request = command == QLatin1StringView("accept") ? &SessionManager::accept
            : command == QLatin1StringView("decline")                 ? &SessionManager::decline
            : command == QLatin1StringView("cancel")                  ? &SessionManager::cancel
                                                                      : &SessionManager::end;
        return (sessions->*request)(id, sessionAnswer);
    }
    if (command == QLatin1StringView("say")) {
        QString text = a.positional.mid(1).join(QLatin1Char(' '));
        if (text == QLatin1StringView("-")) {
            QFile in;
            if (in.open(stdin, QIODevice::ReadOnly)) {
                text = QString::fromUtf8(in.readAll());
            }
        }
        if (!parseId(a.positional.value(0), &id) || a.positional.size() < 2 || !takesOnly(a, {})) {
            return done({}, usage(QStringLiteral("say ID TEXT")));
        }
        auto sayNow = [sessions, id, text, done, deliver] {
            // Checked here first (active, bound to this device), then queued like `send`.
            const Result<QString> queued = sessions->say(id, text);
            queued ? deliver(*queued) : done({}, queued.error());
        };
        return sessions->refresh([sessions, id, done, sayNow](const Error& error) {
            if (!error.isNull()) {
                return done({}, error);
            }
            if (sessions->session(id)) {
                return sayNow();
            }
            // Not open, and not seen to end by this process: ended, or no session of
            // ours. The server says which (not_found for one that is not ours).
            sessions->fetch(id, [sessions, id, done, sayNow](const Error& refused, const Session&) {
                if (refused.isNull() && sessions->session(id)) {
                    return sayNow(); // says session_ended with the session's word
                }
                done({}, refused);
            });
        });
    }
    const std::optional<protocol::HistoryChoice> history
        = protocol::HistoryChoice::fromString(a.option("history"));
    if (command == QLatin1StringView("transfer")) {
        qint64 device = 0;
        if (!parseId(a.positional.value(0), &id) || a.positional.size() != 1
            || !parseId(a.option("to-device"), &device) || !history
            || !takesOnly(a, { "to-device", "history" })) {
            return done({},
                usage(QStringLiteral(
                    "transfer ID --to-device DEVICE_ID --history none|session|last:N|all")));
        }
        return sessions->transfer(id, device, *history, sessionAnswer);
    }
    if (command == QLatin1StringView("pull")) {
        if (!parseId(a.positional.value(0), &id) || a.positional.size() != 1 || !history
            || !takesOnly(a, { "history" })) {
            return done({}, usage(QStringLiteral("pull ID --history none|session|last:N|all")));
        }
        // Answers once the history the move grants is here: the session arrives, then
        // its pages (SessionManager fetches them as soon as it sees the move).
        struct Pull {
            Session session;
            bool moved = false;
            std::optional<int> received;
            Error failed;
            QMetaObject::Connection loaded;
            QMetaObject::Connection notLoaded;
        };
        auto pull = std::make_shared<Pull>();
        auto settle = [pull, done] {
            if (!pull->moved || (!pull->received && pull->failed.isNull())) {
                return;
            }
            disconnect(pull->loaded);
            disconnect(pull->notLoaded);
            if (!pull->failed.isNull()) {
                Error e = pull->failed; // moved here, but its history did not come
                e.details.insert(QStringLiteral("session"), pull->session.toJson());
                return done({}, e);
            }
            done(QJsonObject { { QStringLiteral("session"), pull->session.toJson() },
                     { QStringLiteral("history"), *pull->received } },
                {});
        };
        pull->loaded = connect(
            sessions, &SessionManager::historyLoaded, this, [pull, id, settle](qint64 s, int n) {
                if (s == id) {
                    pull->received = n;
                    settle();
                }
            });
        pull->notLoaded = connect(sessions, &SessionManager::historyFailed, this,
            [pull, id, settle](qint64 s, const Error& e) {
                if (s == id) {
                    pull->failed = e;
                    settle();
                }
            });
        return sessions->pull(
            id, *history, [pull, sessions, id, done, settle](const Error& error, const Session& s) {
                if (!error.isNull()) {
                    disconnect(pull->loaded);
                    disconnect(pull->notLoaded);
                    return done({}, error);
                }
                pull->moved = true;
                pull->session = s;
                if (!pull->received && !sessions->isLoadingHistory(id)) {
                    pull->received = 0; // `none`, or nothing new to load here
                }
                settle();
            });
    }
    done({}, usage(QStringLiteral("unknown command '%1'").arg(command)));
}

} // namespace cpm::cli
