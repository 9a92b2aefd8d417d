// SPDX-License-Identifier: GPL-3.0-or-later
#include "admincli.h"

#include "credentials.h"
#include "openstore.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "secrets.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace cpm::server {

namespace {
const QString DemoPassword = QStringLiteral("demo-password");

QString jsonLine(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}
} // namespace

AdminCli::AdminCli(const StoreLocation& where, QTextStream& out, QTextStream& err)
    : m_where(where)
    , m_out(out)
    , m_err(err)
{
}

QString AdminCli::commandsHelp()
{
    return QStringLiteral(
        "Commands (without one, the server runs):\n"
        "  user add ADDRESS --password-file FILE   create an account (FILE '-' = stdin)\n"
        "  user disable ADDRESS                    refuse sign-in and sending\n"
        "  user enable ADDRESS                     undo 'user disable'\n"
        "  user list                               one JSON object per user\n"
        "  device list ADDRESS                     one JSON object per device\n"
        "  settings set KEY VALUE                  change an operator setting\n"
        "  settings get KEY                        print a setting's value\n"
        "  settings list                           print every setting as KEY=VALUE\n"
        "  legacy register ADDRESS --network NET   record that the user is reachable in a\n"
        "                                          legacy network now (email or sms): the\n"
        "                                          stand-in for the HSS/HLR lookup\n"
        "  legacy unregister ADDRESS --network NET undo 'legacy register'\n"
        "  legacy list [ADDRESS]                   registrations and e-mail/SMS deliveries,\n"
        "                                          one JSON object each\n"
        "  demo                                    create alice, bob and carol@cpm.example\n");
}

int AdminCli::usageError(const QString& message)
{
    m_err << "cpm-server: " << message << "\n\n" << commandsHelp();
    m_err.flush();
    return Usage;
}

int AdminCli::run(const QStringList& args, const QString& passwordFile, const QString& network)
{
    const QString group = args.value(0);
    const QString verb = args.value(1);
    const qsizetype n = args.size();
    auto is = [&](QLatin1StringView g, QLatin1StringView v, qsizetype count) {
        return group == g && (v.isEmpty() || verb == v) && n == count;
    };
    // Validate the command line before touching the data directory.
    using L = QLatin1StringView;
    enum class Cmd {
        None,
        UserAdd,
        UserDisable,
        UserEnable,
        UserList,
        DeviceList,
        SetSet,
        SetGet,
        SetList,
        LegacyRegister,
        LegacyUnregister,
        LegacyList,
        Demo
    };
    Cmd cmd = Cmd::None;
    if (is(L("user"), L("add"), 3)) {
        cmd = Cmd::UserAdd;
    } else if (is(L("user"), L("disable"), 3)) {
        cmd = Cmd::UserDisable;
    } else if (is(L("user"), L("enable"), 3)) {
        cmd = Cmd::UserEnable;
    } else if (is(L("user"), L("list"), 2)) {
        cmd = Cmd::UserList;
    } else if (is(L("device"), L("list"), 3)) {
        cmd = Cmd::DeviceList;
    } else if (is(L("settings"), L("set"), 4)) {
        cmd = Cmd::SetSet;
    } else if (is(L("settings"), L("get"), 3)) {
        cmd = Cmd::SetGet;
    } else if (is(L("settings"), L("list"), 2)) {
        cmd = Cmd::SetList;
    } else if (is(L("legacy"), L("register"), 3)) {
        cmd = Cmd::LegacyRegister;
    } else if (is(L("legacy"), L("unregister"), 3)) {
        cmd = Cmd::LegacyUnregister;
    } else if (is(L("legacy"), L("list"), 2) || is(L("legacy"), L("list"), 3)) {
        cmd = Cmd::LegacyList;
    } else if (is(L("demo"), L(), 1)) {
        cmd = Cmd::Demo;
    }
    if ((cmd == Cmd::LegacyRegister || cmd == Cmd::LegacyUnregister)
        && network != QLatin1StringView("email") && network != QLatin1StringView("sms")) {
        return usageError(
            QStringLiteral("'legacy %1' needs --network email or --network sms").arg(verb));
    }
    if (cmd == Cmd::None) {
        return usageError(QStringLiteral("unknown command or wrong arguments: %1")
                              .arg(args.join(QLatin1Char(' '))));
    }
    switch (cmd) {
    case Cmd::UserAdd:
        return userAdd(args.at(2), passwordFile);
    case Cmd::UserDisable:
        return userEnable(args.at(2), false);
    case Cmd::UserEnable:
        return userEnable(args.at(2), true);
    case Cmd::LegacyRegister:
        return legacyRegister(args.at(2), network, true);
    case Cmd::LegacyUnregister:
        return legacyRegister(args.at(2), network, false);
    case Cmd::LegacyList:
        return legacyList(args.value(2));
    case Cmd::UserList:
        return userList();
    case Cmd::DeviceList:
        return deviceList(args.at(2));
    case Cmd::SetSet:
        return settingsSet(args.at(2), args.at(3));
    case Cmd::SetGet:
        return settingsGet(args.at(2));
    case Cmd::SetList:
        return settingsList();
    case Cmd::Demo:
        return demo();
    case Cmd::None:
        break;
    }
    return Usage;
}

namespace {
// Opens the store or explains why not, and what to do about it.
std::unique_ptr<Store> openFor(const StoreLocation& where, QTextStream& err)
{
    Result<std::unique_ptr<Store>> opened = openStore(where, StoreUse::Command);
    if (!opened) {
        err << "cpm-server: " << explainOpenFailure(where, opened.error()) << '\n';
        err.flush();
        return nullptr;
    }
    return std::move(*opened);
}

// A failed store call: says what failed and why.
int storeFailed(QTextStream& err, const Error& error)
{
    err << "cpm-server: the store failed (" << error.name() << "): " << error.message << '\n';
    err.flush();
    return AdminCli::Failed;
}

// The user \a address, or empty after saying why not (the store failed, or no such user).
std::optional<UserRecord> findUser(Store& store, const QString& address, QTextStream& err)
{
    const Result<std::optional<UserRecord>> user = store.userByAddress(address.toLower());
    if (!user) {
        storeFailed(err, user.error());
        return std::nullopt;
    }
    if (!user->has_value()) {
        err << "cpm-server: there is no user " << address << '\n';
        err.flush();
    }
    return *user;
}
} // namespace

int AdminCli::userAdd(const QString& rawAddress, const QString& passwordFile)
{
    const QString address = rawAddress.toLower();
    if (!protocol::isValidAddress(address)) {
        return usageError(
            QStringLiteral("'%1' is not an address like alice@cpm.example").arg(rawAddress));
    }
    if (passwordFile.isEmpty()) {
        return usageError(QStringLiteral("user add needs --password-file FILE (- for stdin)"));
    }
    QFile file;
    const bool opened = passwordFile == QLatin1StringView("-")
        ? file.open(stdin, QIODevice::ReadOnly)
        : (file.setFileName(passwordFile), file.open(QIODevice::ReadOnly));
    if (!opened) {
        m_err << "cpm-server: cannot read the password file " << passwordFile << '\n';
        m_err.flush();
        return Failed;
    }
    // The first line is the password; a trailing newline is not part of it.
    QByteArray password = file.readLine(protocol::limits::MaxPasswordBytes + 2);
    while (password.endsWith('\n') || password.endsWith('\r')) {
        password.chop(1);
    }
    if (password.isEmpty() || password.size() > protocol::limits::MaxPasswordBytes) {
        secrets::wipe(password);
        m_err << "cpm-server: the password must be 1 to " << protocol::limits::MaxPasswordBytes
              << " bytes\n";
        m_err.flush();
        return Failed;
    }
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        secrets::wipe(password);
        return Failed;
    }
    const QByteArray hash = credentials::hashPassword(password);
    secrets::wipe(password);
    if (hash.isEmpty()) {
        m_err << "cpm-server: hashing the password failed (out of memory?)\n";
        m_err.flush();
        return Failed;
    }
    const Result<Store::CreateUser> created
        = store->createUser(address, hash, QDateTime::currentMSecsSinceEpoch());
    if (!created) {
        return storeFailed(m_err, created.error());
    }
    if (*created == Store::CreateUser::Exists) {
        m_err << "cpm-server: the user " << address << " exists already\n";
        m_err.flush();
        return Failed;
    }
    m_out << "created " << address << '\n';
    m_out.flush();
    return Ok;
}

int AdminCli::userEnable(const QString& address, bool enabled)
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    const Result<bool> changed = store->setUserEnabled(address.toLower(), enabled);
    if (!changed) {
        return storeFailed(m_err, changed.error());
    }
    if (!*changed) {
        m_err << "cpm-server: there is no user " << address << '\n';
        m_err.flush();
        return Failed;
    }
    m_out << (enabled ? "enabled " : "disabled ") << address.toLower() << '\n';
    m_out.flush();
    return Ok;
}

int AdminCli::userList()
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    const Result<QList<UserRecord>> users = store->users();
    if (!users) {
        return storeFailed(m_err, users.error());
    }
    for (const UserRecord& u : *users) {
        const Result<QList<DeviceRecord>> devices = store->devices(u.id);
        if (!devices) {
            return storeFailed(m_err, devices.error());
        }
        m_out << jsonLine(
            { { QStringLiteral("address"), u.address }, { QStringLiteral("enabled"), u.enabled },
                { QStringLiteral("devices"), devices->size() },
                { QStringLiteral("head"), u.headSeq }, { QStringLiteral("created"), u.created } })
              << '\n';
    }
    m_out.flush();
    return Ok;
}

int AdminCli::deviceList(const QString& address)
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    const std::optional<UserRecord> user = findUser(*store, address, m_err);
    if (!user) {
        return Failed;
    }
    const Result<QList<DeviceRecord>> devices = store->devices(user->id, true);
    if (!devices) {
        return storeFailed(m_err, devices.error());
    }
    for (const DeviceRecord& d : *devices) {
        m_out << jsonLine({ { QStringLiteral("id"), d.id() },
            { QStringLiteral("instanceId"), d.device.instanceId },
            { QStringLiteral("name"), d.device.name }, { QStringLiteral("kind"), d.device.kind },
            { QStringLiteral("delivery"), d.device.delivery },
            { QStringLiteral("ackedSeq"), d.ackedSeq },
            { QStringLiteral("lastSeen"), d.device.lastSeen },
            { QStringLiteral("signedIn"), d.isSignedIn() } })
              << '\n';
    }
    m_out.flush();
    return Ok;
}

int AdminCli::legacyRegister(const QString& address, const QString& network, bool registered)
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    const std::optional<UserRecord> user = findUser(*store, address, m_err);
    if (!user) {
        return Failed;
    }
    if (const Result<void> set = store->setLegacyRegistration(
            user->id, network, registered, QDateTime::currentMSecsSinceEpoch());
        !set) {
        return storeFailed(m_err, set.error());
    }
    return Ok;
}

int AdminCli::legacyList(const QString& address)
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    QList<UserRecord> users;
    if (address.isEmpty()) {
        const Result<QList<UserRecord>> all = store->users();
        if (!all) {
            return storeFailed(m_err, all.error());
        }
        users = *all;
    } else {
        const std::optional<UserRecord> user = findUser(*store, address, m_err);
        if (!user) {
            return Failed;
        }
        users.append(*user);
    }
    QHash<qint64, QString> addresses;
    for (const UserRecord& u : std::as_const(users)) {
        addresses.insert(u.id, u.address);
        const Result<QStringList> networks = store->legacyRegistrations(u.id);
        if (!networks) {
            return storeFailed(m_err, networks.error());
        }
        for (const QString& network : *networks) {
            m_out << jsonLine({ { QStringLiteral("registration"), u.address },
                { QStringLiteral("network"), network } })
                  << '\n';
        }
    }
    const qint64 userId = address.isEmpty() ? 0 : users.constFirst().id;
    const Result<QList<Store::LegacyDelivery>> deliveries = store->legacyDeliveries(userId, 1000);
    if (!deliveries) {
        return storeFailed(m_err, deliveries.error());
    }
    for (const Store::LegacyDelivery& d : *deliveries) {
        m_out << jsonLine({ { QStringLiteral("delivery"), d.id },
            { QStringLiteral("messageId"), d.messageId },
            { QStringLiteral("to"), addresses.value(d.recipientId) },
            { QStringLiteral("network"), d.network }, { QStringLiteral("address"), d.address },
            { QStringLiteral("state"), d.state }, { QStringLiteral("attempts"), d.attempts },
            { QStringLiteral("lastError"), d.lastError }, { QStringLiteral("created"), d.created },
            { QStringLiteral("finished"), d.finished } })
              << '\n';
    }
    m_out.flush();
    return Ok;
}

int AdminCli::settingsSet(const QString& key, const QString& value)
{
    // Unknown keys are refused: a typo would otherwise silently change nothing.
    const settings::Definition* definition = settings::find(key);
    if (!definition) {
        return usageError(QStringLiteral("unknown setting '%1'").arg(key));
    }
    bool ok = false;
    const qint64 number = value.toLongLong(&ok);
    if (!ok || number < 0 || number > definition->maxValue) {
        return usageError(QStringLiteral("the value of %1 must be an integer from 0 to %2")
                              .arg(key)
                              .arg(definition->maxValue));
    }
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    if (const Result<void> stored = store->setSetting(key, QString::number(number)); !stored) {
        return storeFailed(m_err, stored.error());
    }
    m_out << key << '=' << number << '\n';
    m_out.flush();
    return Ok;
}

int AdminCli::settingsGet(const QString& key)
{
    const settings::Definition* def = settings::find(key);
    if (!def) {
        return usageError(QStringLiteral("unknown setting '%1'").arg(key));
    }
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    if (const Result<QMap<QString, QString>> stored = store->settings(); !stored) {
        return storeFailed(m_err, stored.error());
    }
    m_out << store->settingInt(def->key) << '\n';
    m_out.flush();
    return Ok;
}

int AdminCli::settingsList()
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    const Result<QMap<QString, QString>> stored = store->settings();
    if (!stored) {
        return storeFailed(m_err, stored.error());
    }
    for (const settings::Definition& def : settings::All) {
        m_out << def.key << '=' << store->settingInt(def.key) << "  # " << def.description
              << (stored->contains(QString(def.key)) ? "" : " (default)") << '\n';
    }
    m_out.flush();
    return Ok;
}

int AdminCli::demo()
{
    const std::unique_ptr<Store> store = openFor(m_where, m_err);
    if (!store) {
        return Failed;
    }
    const QStringList addresses = { QStringLiteral("alice@cpm.example"),
        QStringLiteral("bob@cpm.example"), QStringLiteral("carol@cpm.example") };
    for (const QString& address : addresses) {
        const Result<std::optional<UserRecord>> existing = store->userByAddress(address);
        if (!existing) {
            return storeFailed(m_err, existing.error());
        }
        const bool created = !existing->has_value();
        if (created) {
            const QByteArray hash = credentials::hashPassword(DemoPassword.toUtf8());
            if (hash.isEmpty()) {
                m_err << "cpm-server: hashing the password failed (out of memory?)\n";
                m_err.flush();
                return Failed;
            }
            const Result<Store::CreateUser> made
                = store->createUser(address, hash, QDateTime::currentMSecsSinceEpoch());
            if (!made) {
                return storeFailed(m_err, made.error());
            }
        }
        m_out << address << "  password: " << DemoPassword
              << (created ? "  (created)" : "  (exists; password unchanged)") << '\n';
    }
    m_out.flush();
    return Ok;
}

} // namespace cpm::server
