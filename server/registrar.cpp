// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrar.h"

#include "argreader.h"
#include "clientconnection.h"
#include "credentials.h"
#include "liveconnections.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "request.h"
#include "secrets.h"
#include "server.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace cpm::server {

namespace {
namespace lim = protocol::limits;

// Password checks (Argon2id, 64 MiB and tens of milliseconds each) queued or running at
// most; more are answered `throttled` at once rather than made to wait behind a storm.
constexpr int MaxChecksInFlight = 16;
using protocol::ArgReader;

Error accountDisabled()
{
    return makeError(
        ErrorCode::AccountDisabled, QStringLiteral("the operator disabled this account"));
}

Error noDevice(qint64 deviceId)
{
    // Also for another user's device: its existence is not ours to reveal.
    return makeError(ErrorCode::NotFound, QStringLiteral("you have no device %1").arg(deviceId));
}
} // namespace

Registrar::Registrar(Server& server)
    : m_server(server)
{
    // Argon2id "interactive" takes 64 MiB per hash: a few in parallel is plenty.
    m_hashPool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    // Several nodes on one store count failures together; a store that fails here leaves
    // this node's own count (logged), never an open door.
    const auto shared = [this]() -> Store* {
        return m_server.hasOpenStore() && m_server.store().isShared() ? &m_server.store() : nullptr;
    };
    LoginThrottle::Shared counts;
    counts.failuresElsewhere = [shared](const QString& key, qint64 since) {
        Store* store = shared();
        if (!store) {
            return QList<qint64>();
        }
        Result<QList<qint64>> times = store->loginFailuresElsewhere(key, since);
        if (!times) {
            qCWarning(lcAuth) << "other nodes' failed sign-ins not read:" << times.error().message;
            return QList<qint64>();
        }
        return std::move(times).value();
    };
    counts.recorded = [shared](const QString& key, qint64 time) {
        if (Store* store = shared()) {
            if (const Result<void> done = store->recordLoginFailure(key, time); !done) {
                qCWarning(lcAuth) << "failed sign-in not shared:" << done.error().message;
            }
        }
    };
    counts.cleared = [shared](const QString& key) {
        if (Store* store = shared()) {
            [[maybe_unused]] const Result<void> done = store->clearLoginFailures(key);
        }
    };
    m_addresses.setShared(counts, QStringLiteral("address:"));
    m_sources.setShared(counts, QStringLiteral("source:"));
}

Registrar::~Registrar() { m_hashPool.waitForDone(); }

void Registrar::addOperations(Operations& operations)
{
    namespace op = protocol::op;
    operations.add(op::Register, false, [this](const Request& r) { registerDevice(r); });
    operations.add(op::Login, false, [this](const Request& r) { login(r); });
    operations.add(op::Whoami, true, [this](const Request& r) { whoami(r); });
    operations.add(op::DevicesList, true, [this](const Request& r) { listDevices(r); });
    operations.add(op::DevicesRename, true, [this](const Request& r) { renameDevice(r); });
    operations.add(op::DevicesSetDelivery, true, [this](const Request& r) { setDelivery(r); });
    operations.add(op::DevicesSignOut, true, [this](const Request& r) { signOutDevice(r); });
}

void Registrar::expireGuests(qint64 time)
{
    Store& store = m_server.store();
    const Result<QList<DeviceRecord>> guests = store.guestDevices();
    if (!guests) {
        qCWarning(lcAuth) << "cannot read the guest devices:" << guests.error().message;
        return;
    }
    const qint64 idleMs = store.settingInt(settings::GuestIdleSeconds) * 1000;
    for (const DeviceRecord& d : *guests) {
        const bool expired = time >= d.device.expires;
        const bool idle
            = idleMs > 0 && !m_server.live().isOnline(d.id()) && time - d.device.lastSeen >= idleMs;
        if (!expired && !idle && d.isSignedIn()) {
            continue;
        }
        Events events;
        const Result<Store::SignOut> forgotten
            = store.forgetDevice(d.userId, d.id(), time, &events);
        if (!forgotten) {
            qCWarning(lcAuth) << "guest device" << d.id()
                              << "not removed:" << forgotten.error().message;
            continue;
        }
        qCInfo(lcAuth) << "guest device" << d.id() << "of user" << d.userId
                       << (expired ? "reached the end of its lifetime" : "was idle too long");
        m_server.publish(events);
        m_server.signOutDevice(d.userId, d.id(),
            expired ? QStringLiteral("this guest sign-in reached the end of its lifetime")
                    : QStringLiteral("this guest sign-in was unused for too long"));
    }
}

void Registrar::prune(qint64 time)
{
    const qint64 windowMs = m_server.store().settingInt(settings::LoginWindowSeconds) * 1000;
    m_addresses.prune(windowMs, time);
    m_sources.prune(windowMs, time);
    if (m_server.store().isShared()) {
        [[maybe_unused]] const Result<void> pruned
            = m_server.store().pruneLoginFailures(time - windowMs);
    }
}

bool Registrar::signedInAlready(const Request& request)
{
    if (!request.connection().isSignedIn()) {
        return false;
    }
    request.fail(ErrorCode::AlreadyAuthenticated, QStringLiteral("this connection is signed in"));
    return true;
}

bool Registrar::throttled(const Request& request, const QString& address, Proof proof)
{
    Store& store = m_server.store();
    const qint64 windowMs = store.settingInt(settings::LoginWindowSeconds) * 1000;
    const qint64 time = now();
    int wait = m_sources.retryAfter(request.connection().peer(),
        static_cast<int>(store.settingInt(settings::LoginMaxFailuresPerSource)), windowMs, time);
    QString why = QStringLiteral("too many failed sign-ins from your network");
    if (proof == Proof::Password) {
        const int forAddress = m_addresses.retryAfter(address,
            static_cast<int>(store.settingInt(settings::LoginMaxFailures)), windowMs, time);
        if (forAddress > wait) {
            wait = forAddress;
            why = QStringLiteral("too many wrong passwords for this address");
        }
        if (wait <= 0 && m_checksInFlight >= MaxChecksInFlight) {
            wait = 1;
            why = QStringLiteral("too many sign-ins are being checked");
        }
    }
    if (wait <= 0) {
        return false;
    }
    qCDebug(lcAuth) << "sign-in throttled for" << address << "from" << request.connection().peer();
    request.fail(makeError(
        ErrorCode::Throttled, QStringLiteral("%1; try again in %2 s").arg(why).arg(wait), wait));
    return true;
}

void Registrar::settlePasswordCheck(const QString& address, const QString& source, bool passwordOk)
{
    --m_checksInFlight;
    const qint64 time = now();
    m_addresses.settle(address, !passwordOk, time);
    m_sources.settle(source, !passwordOk, time);
    if (passwordOk) {
        m_addresses.recordSuccess(address);
    }
}

// --- register ----------------------------------------------------------------------------

void Registrar::registerDevice(const Request& request)
{
    if (signedInAlready(request)) {
        return;
    }
    ArgReader reader(request.args());
    const QString address = reader.address(QLatin1StringView("address"));
    QString password = reader.string(QLatin1StringView("password"), lim::MaxPasswordBytes);
    QByteArray passwordBytes = password.toUtf8();
    secrets::wipe(password);
    if (reader.ok() && passwordBytes.size() > lim::MaxPasswordBytes) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'password' is longer than %1 bytes").arg(lim::MaxPasswordBytes));
    }
    ArgReader deviceReader(reader.object(QLatin1StringView("device")));
    Store::NewDevice device;
    if (reader.ok()) {
        device.instanceId = deviceReader.string(QLatin1StringView("instanceId"), 64);
        device.name = deviceReader.string(QLatin1StringView("name"), lim::MaxNameChars);
        device.kind = deviceReader.oneOf(QLatin1StringView("kind"), protocol::kind::All);
        device.capabilities = deviceReader.stringList(QLatin1StringView("capabilities"), 5, 16);
        for (const QString& capability : std::as_const(device.capabilities)) {
            if (std::find(std::begin(protocol::capability::All),
                    std::end(protocol::capability::All), capability)
                == std::end(protocol::capability::All)) {
                deviceReader.fail(ErrorCode::BadRequest,
                    QStringLiteral("unknown capability '%1' in 'device.capabilities'")
                        .arg(capability));
            }
        }
        device.capabilities.removeDuplicates();
        // The preferences a new device starts with (docs/protocol.md, "Signing in").
        device.delivery = deviceReader.oneOf(
            QLatin1StringView("delivery"), protocol::delivery::All, ArgReader::Optional);
        if (deviceReader.has(QLatin1StringView("notifySessions"))) {
            device.notifySessions = deviceReader.boolean(QLatin1StringView("notifySessions"));
        }
        device.guest = reader.boolean(QLatin1StringView("guest"), ArgReader::Optional);
        if (!deviceReader.ok()) {
            Error e = deviceReader.error();
            e.message = QStringLiteral("device: ") + e.message;
            secrets::wipe(passwordBytes);
            request.fail(e);
            return;
        }
    }
    if (!reader.ok()) {
        secrets::wipe(passwordBytes);
        request.fail(reader.error());
        return;
    }
    if (throttled(request, address, Proof::Password)) {
        secrets::wipe(passwordBytes);
        return;
    }
    const Result<std::optional<UserRecord>> user = m_server.store().userByAddress(address);
    if (!user) {
        secrets::wipe(passwordBytes);
        request.fail(user.error()); // the store failed: not the password's fault
        return;
    }
    // From here until the check ends the attempt counts as a failure of the address and of
    // the source, so a burst of parallel attempts is checked no more often than the limit.
    const QString source = request.connection().peer();
    m_addresses.reserve(address);
    m_sources.reserve(source);
    ++m_checksInFlight;
    // An unknown address is checked against a dummy hash: the same time as a wrong password.
    const QByteArray hash = user->has_value() ? (*user)->passwordHash : QByteArray();

    // Argon2 never runs on the network thread. The result is counted even when the
    // connection closed meanwhile; only then is nobody answered.
    QPointer<ClientConnection> connection = &request.connection();
    connection->suspend();
    auto* watcher = new QFutureWatcher<bool>(&m_server);
    QObject::connect(watcher, &QFutureWatcherBase::finished, &m_server,
        [this, watcher, connection, request = request.withoutArgs(), address, source, device] {
            const bool ok = watcher->result();
            watcher->deleteLater();
            settlePasswordCheck(address, source, ok);
            if (connection) {
                finishRegister(request, address, ok, device);
                connection->resume();
            }
        });
    watcher->setFuture(QtConcurrent::run(&m_hashPool, [hash, passwordBytes]() mutable {
        const bool ok = credentials::verifyPassword(hash, passwordBytes);
        secrets::wipe(passwordBytes);
        return ok;
    }));
    secrets::wipe(passwordBytes); // the worker holds the last copy now
}

bool Registrar::roomForDevice(const Request& request, qint64 userId, const QString& instanceId)
{
    const Result<QList<DeviceRecord>> devices = m_server.store().devices(userId);
    if (!devices) {
        request.fail(devices.error());
        return false;
    }
    const bool again = std::any_of(devices->cbegin(), devices->cend(),
        [&](const DeviceRecord& d) { return d.device.instanceId == instanceId; });
    const qint64 setting = m_server.store().settingInt(settings::DevicesMaxPerUser);
    const qint64 most = setting > 0 ? std::min<qint64>(setting, lim::MaxDevices) : lim::MaxDevices;
    if (again || devices->size() < most) {
        return true;
    }
    request.fail(ErrorCode::LimitReached,
        QStringLiteral("%1 devices of this account are signed in, the most allowed; sign one "
                       "out first")
            .arg(most));
    return false;
}

void Registrar::finishRegister(const Request& request, const QString& address, bool passwordOk,
    const Store::NewDevice& newDevice)
{
    ClientConnection& connection = request.connection();
    if (connection.state() == ClientConnection::State::Closing) {
        return;
    }
    Store& store = m_server.store();
    std::optional<UserRecord> user;
    if (passwordOk) {
        Result<std::optional<UserRecord>> found = store.userByAddress(address);
        if (!found) {
            request.fail(found.error());
            return;
        }
        user = std::move(*found);
    }
    if (!user) {
        qCDebug(lcAuth) << "failed register for" << address;
        request.fail(ErrorCode::AuthFailed, QStringLiteral("wrong address or password"));
        return;
    }
    if (!user->enabled) {
        request.fail(accountDisabled());
        return;
    }
    Store::NewDevice device = newDevice;
    if (device.guest) {
        // GST-1: the operator and the user both allow it; the refusal says which did not.
        if (store.settingInt(settings::GuestEnabled) == 0) {
            request.fail(ErrorCode::GuestDisabled,
                QStringLiteral("this server does not allow guest sign-in"));
            return;
        }
        const Result<QMap<QString, QString>> prefs = store.prefs(user->id);
        if (!prefs) {
            request.fail(prefs.error());
            return;
        }
        if (prefs->value(QString(protocol::pref::GuestSignIn)) == QLatin1StringView("deny")) {
            request.fail(ErrorCode::GuestNotAllowed,
                QStringLiteral("this account does not allow guest sign-in; allow it from one of "
                               "its devices"));
            return;
        }
        device.expires = now() + store.settingInt(settings::GuestLifetimeSeconds) * 1000;
    }
    if (!roomForDevice(request, user->id, newDevice.instanceId)) {
        return;
    }
    QString token = credentials::newToken();
    device.tokenHash = credentials::tokenHash(token);
    Events events;
    const Result<DeviceRecord> record = store.registerDevice(user->id, device, now(), &events);
    if (!record) {
        secrets::wipe(token);
        request.fail(record.error());
        return;
    }
    qCInfo(lcAuth) << "registered device" << record->id() << "of user" << user->id;
    // An earlier connection of this device speaks with a token that no longer works.
    m_server.signOutDevice(user->id, record->id(),
        QStringLiteral("this device registered again on another connection"), &connection);
    connection.signIn(*user, *record);
    request.reply({ { QStringLiteral("address"), user->address },
        { QStringLiteral("deviceId"), record->id() }, { QStringLiteral("token"), token },
        { QStringLiteral("device"), m_server.live().describe(*record, record->id()).toJson() } });
    secrets::wipe(token);
    m_server.publish(events);
}

// --- login -------------------------------------------------------------------------------

void Registrar::login(const Request& request)
{
    if (signedInAlready(request)) {
        return;
    }
    ArgReader reader(request.args());
    const QString address = reader.address(QLatin1StringView("address"));
    const qint64 deviceId
        = reader.integer(QLatin1StringView("deviceId"), 1, protocol::MaxSafeInteger);
    QString token = reader.string(QLatin1StringView("token"), 64);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    if (throttled(request, address, Proof::Token)) {
        secrets::wipe(token);
        return;
    }
    // A token is 256 random bits: checking it is cheap and needs no Argon2.
    Store& store = m_server.store();
    const Result<std::optional<UserRecord>> user = store.userByAddress(address);
    const Result<std::optional<DeviceRecord>> device
        = user ? store.deviceById(deviceId) : Result<std::optional<DeviceRecord>>(user.error());
    if (!user || !device) {
        secrets::wipe(token);
        request.fail(user ? device.error() : user.error());
        return;
    }
    const bool matches = user->has_value() && device->has_value()
        && (*device)->userId == (*user)->id
        && credentials::tokenMatches((*device)->tokenHash, token);
    secrets::wipe(token);
    if (!matches) {
        qCDebug(lcAuth) << "failed login for" << address << "device" << deviceId;
        // Counted for the source only: guesses at someone's tokens must not lock them out.
        m_sources.recordFailure(request.connection().peer(), now());
        request.fail(ErrorCode::AuthFailed, QStringLiteral("wrong address, device or token"));
        return;
    }
    if (!(*device)->isSignedIn()) {
        request.fail(ErrorCode::DeviceSignedOut,
            QStringLiteral("this device was signed out; wipe its data and register again"));
        return;
    }
    if (!(*user)->enabled) {
        request.fail(accountDisabled());
        return;
    }
    request.connection().signIn(**user, **device);
    request.reply(
        { { QStringLiteral("address"), (*user)->address }, { QStringLiteral("deviceId"), deviceId },
            { QStringLiteral("device"), m_server.live().describe(**device, deviceId).toJson() } });
}

void Registrar::whoami(const Request& request)
{
    const ClientConnection& c = request.connection();
    const Result<std::optional<UserRecord>> user = m_server.store().userById(c.userId());
    const Result<std::optional<DeviceRecord>> device = m_server.store().deviceById(c.deviceId());
    if (!user || !device) {
        request.fail(user ? device.error() : user.error());
        return;
    }
    if (!user->has_value() || !device->has_value()) {
        request.fail(ErrorCode::Internal, QStringLiteral("the account could not be read"));
        return;
    }
    request.reply({ { QStringLiteral("address"), (*user)->address },
        { QStringLiteral("deviceId"), c.deviceId() },
        { QStringLiteral("device"), m_server.live().describe(**device, c.deviceId()).toJson() },
        { QStringLiteral("head"), (*user)->headSeq } });
}

// --- devices -----------------------------------------------------------------------------

void Registrar::listDevices(const Request& request)
{
    const Result<QList<DeviceRecord>> records = m_server.store().devices(request.userId());
    if (!records) {
        request.fail(records.error());
        return;
    }
    QJsonArray devices;
    for (const DeviceRecord& d : *records) {
        devices.append(m_server.live().describe(d, request.connection().deviceId()).toJson());
    }
    request.reply({ { QStringLiteral("devices"), devices } });
}

void Registrar::applyDeviceChange(
    const Request& request, qint64 deviceId, const Store::DeviceChange& change)
{
    Events events;
    const Result<std::optional<DeviceRecord>> device
        = m_server.store().updateDevice(request.userId(), deviceId, change, now(), &events);
    if (!device) {
        request.fail(device.error());
        return;
    }
    if (!device->has_value()) {
        request.fail(noDevice(deviceId));
        return;
    }
    request.reply({ { QStringLiteral("device"),
        m_server.live().describe(**device, request.connection().deviceId()).toJson() } });
    m_server.publish(events);
}

void Registrar::renameDevice(const Request& request)
{
    ArgReader reader(request.args());
    Store::DeviceChange change;
    const qint64 deviceId
        = reader.integer(QLatin1StringView("deviceId"), 1, protocol::MaxSafeInteger);
    change.name = reader.string(QLatin1StringView("name"), lim::MaxNameChars);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    applyDeviceChange(request, deviceId, change);
}

void Registrar::setDelivery(const Request& request)
{
    ArgReader reader(request.args());
    Store::DeviceChange change;
    const qint64 deviceId
        = reader.integer(QLatin1StringView("deviceId"), 1, protocol::MaxSafeInteger);
    change.delivery = reader.oneOf(QLatin1StringView("delivery"), protocol::delivery::All);
    if (reader.has(QLatin1StringView("notifySessions"))) {
        change.notifySessions = reader.boolean(QLatin1StringView("notifySessions"));
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    applyDeviceChange(request, deviceId, change);
}

void Registrar::signOutDevice(const Request& request)
{
    ArgReader reader(request.args());
    const qint64 deviceId
        = reader.integer(QLatin1StringView("deviceId"), 1, protocol::MaxSafeInteger);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    const ClientConnection& asker = request.connection();
    if (asker.device().guest && deviceId != asker.deviceId()) {
        request.fail(
            ErrorCode::Forbidden, QStringLiteral("a guest device can sign out only itself"));
        return;
    }
    Store& store = m_server.store();
    const Result<std::optional<DeviceRecord>> target = store.deviceById(deviceId);
    if (!target) {
        request.fail(target.error());
        return;
    }
    // A guest device is not kept signed out: the server forgets it (GST-4).
    const bool guest = target->has_value() && (*target)->device.guest;
    Events events;
    const Result<Store::SignOut> result = guest
        ? store.forgetDevice(request.userId(), deviceId, now(), &events)
        : store.signOutDevice(request.userId(), deviceId, now(), &events);
    if (!result) {
        request.fail(result.error());
        return;
    }
    switch (*result) {
    case Store::SignOut::Done: {
        const ClientConnection& c = request.connection();
        qCInfo(lcAuth) << "device" << deviceId << "of user" << c.userId() << "signed out";
        request.reply();
        m_server.publish(events);
        const QString reason = deviceId == c.deviceId()
            ? QStringLiteral("signed out by this device")
            : QStringLiteral("signed out from another device (%1)").arg(c.device().name);
        m_server.signOutDevice(c.userId(), deviceId, reason);
        return;
    }
    case Store::SignOut::AlreadySignedOut:
        request.reply(); // signing out twice is signing out
        return;
    case Store::SignOut::NotFound:
        break;
    }
    request.fail(noDevice(deviceId));
}

} // namespace cpm::server
