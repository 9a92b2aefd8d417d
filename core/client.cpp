// SPDX-License-Identifier: GPL-3.0-or-later
#include "client.h"

#include "connection.h"
#include "keystore.h"
#include "localstore.h"
#include "logging.h"
#include "profile.h"
#include "protocol.h"
#include "secretbox.h"
#include "transport.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QPointer>
#include <QTimer>
#include <QUuid>

namespace cpm {

namespace {
constexpr char TokenContext[] = "cpm/token";
constexpr int MaxLastErrors = 20;
constexpr int SendRetryMs = 5000;

protocol::Error localError(const char* code, const QString& message)
{
    return protocol::Error { QString::fromLatin1(code), message, -1 };
}

// A refusal that sending the same message again cannot change.
bool isPermanentSendError(const protocol::Error& e)
{
    using namespace protocol::error;
    return e.code == NoSuchUser || e.code == TooLarge || e.code == Conflict || e.code == BadRequest
        || e.code == QuotaExceeded || e.code == AccountDisabled;
}
} // namespace

class Client::Private final : public EventSink {
public:
    Private(Client* client, const QString& dir, std::unique_ptr<Transport> transport)
        : q(client)
        , profile(dir)
    {
        if (!transport) {
            transport = std::make_unique<WebSocketTransport>();
        }
        connection = new Connection(std::move(transport), this, q);
        connection->setClientName(QStringLiteral("cpmcore/" CPM_VERSION));
    }

    // EventSink
    qint64 syncPosition() const override { return store ? store->syncPosition() : 0; }
    bool applyEvents(const QList<protocol::Frame>& events, qint64 next) override
    {
        if (!store) {
            return false;
        }
        StoreChanges changes;
        if (!store->applyEvents(events, next, &changes)) {
            return false;
        }
        emitChanges(changes, !firstSync);
        return true;
    }
    void applyTransient(const protocol::Frame& event) override
    {
        if (store && event.event == protocol::event::Presence) {
            StoreChanges changes;
            store->applyPresence(event.data, &changes);
            emitChanges(changes, true);
        }
    }

    void emitChanges(const StoreChanges& c, bool notify);
    void recordError(const protocol::Error& error);
    //! A request whose \a onSuccess runs with the result, and \a done in any case.
    void call(QLatin1StringView op, const QJsonObject& args, Callback done,
        std::function<void(const QJsonObject&)> onSuccess = {});
    //! Applies a change we just made on the server before its event comes back.
    void applyLocalEvent(QLatin1StringView name, const QJsonObject& data);
    void onAuthenticated(const QJsonObject& result);
    void onOnline();
    void flushOutbox();
    void flushReads();
    void sendRead(qint64 id, Callback done = {});
    bool openStore(QString* error);
    void wipe();
    QString token() const;

    Client* q;
    Profile profile;
    std::unique_ptr<Keystore> keystore;
    std::unique_ptr<SecretBox> box;
    std::unique_ptr<LocalStore> store;
    Connection* connection = nullptr;
    QSet<QString> inFlight; //!< clientIds sent and not yet answered
    QList<protocol::Error> lastErrors;
    Callback registerDone;
    QString pendingName;
    QString pendingKind;
    int lastUnread = -1;
    bool firstSync = false;
};

void Client::Private::emitChanges(const StoreChanges& c, bool notify)
{
    for (const auto& s : c.sent) {
        inFlight.remove(s.clientId);
        Q_EMIT q->messageSent(s.pendingId, s.id, s.clientId);
    }
    for (const auto& a : c.added) {
        Q_EMIT q->messageAdded(a.id, a.peer);
        if (a.unreadIncoming && notify) {
            if (const auto m = store->message(a.id)) {
                Q_EMIT q->incomingMessage(a.id, m->from, m->subject);
            }
        }
    }
    for (qint64 id : c.changed) {
        Q_EMIT q->messageChanged(id);
    }
    for (qint64 id : c.removed) {
        Q_EMIT q->messageRemoved(id);
    }
    for (qint64 id : c.readElsewhere) {
        Q_EMIT q->messageReadElsewhere(id);
    }
    if (c.unread || lastUnread < 0) {
        const int unread = store ? store->unreadCount() : 0;
        if (unread != lastUnread) {
            lastUnread = unread;
            Q_EMIT q->unreadCountChanged(unread);
        }
    }
    if (c.devices) {
        // A rename of this very device from another one is this device's new name too
        // (its window title shows it).
        if (store) {
            const QList<Device> list = store->devices();
            for (const Device& device : list) {
                if (device.current && !device.name.isEmpty()
                    && device.name != profile.deviceName()) {
                    profile.setDeviceName(device.name);
                    Q_EMIT q->accountChanged();
                }
            }
        }
        Q_EMIT q->deviceListChanged();
    }
    if (c.contacts) {
        Q_EMIT q->contactsChanged();
    }
    if (c.status) {
        Q_EMIT q->statusChanged();
    }
    if (c.prefs) {
        Q_EMIT q->prefsChanged();
    }
}

void Client::Private::recordError(const protocol::Error& error)
{
    lastErrors.append(error);
    while (lastErrors.size() > MaxLastErrors) {
        lastErrors.removeFirst();
    }
    Q_EMIT q->errorOccurred(error);
}

void Client::Private::call(QLatin1StringView op, const QJsonObject& args, Callback done,
    std::function<void(const QJsonObject&)> onSuccess)
{
    QPointer<Client> guard(q);
    connection->request(op, args,
        [this, guard, op, done = std::move(done), onSuccess = std::move(onSuccess)](
            const QJsonObject& result, const protocol::Error& error) {
            if (!guard) {
                return;
            }
            if (!error.isNull()) {
                qCInfo(lcClient) << op << "failed:" << error.code << error.message;
                recordError(error);
            } else if (onSuccess) {
                onSuccess(result);
            }
            if (done) {
                done(error);
            }
        });
}

void Client::Private::applyLocalEvent(QLatin1StringView name, const QJsonObject& data)
{
    if (!store) {
        return;
    }
    StoreChanges changes;
    // Position 0: the real event still comes through the stream and moves the position.
    if (store->applyEvents({ protocol::Frame::streamEvent(name, 1, data) }, 0, &changes)) {
        emitChanges(changes, false);
    }
}

QString Client::Private::token() const
{
    const QByteArray sealed = profile.sealedToken();
    if (sealed.isEmpty() || !box) {
        return {};
    }
    const auto plain = box->open(sealed, QByteArrayView(TokenContext));
    return plain ? QString::fromUtf8(*plain) : QString();
}

bool Client::Private::openStore(QString* error)
{
    store = std::make_unique<LocalStore>(box.get());
    if (!store->open(profile.filePath(QString::fromLatin1(LocalStore::FileName)), error)) {
        store.reset();
        return false;
    }
    lastUnread = -1;
    return true;
}

void Client::Private::wipe()
{
    qCInfo(lcClient) << "wiping the local data of this profile";
    inFlight.clear();
    if (store) {
        store->close();
        store.reset();
    }
    const QString db = profile.filePath(QString::fromLatin1(LocalStore::FileName));
    for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        QFile::remove(db + suffix);
    }
    profile.clearAccount();
    // A new key makes anything of the old data left on the disk unreadable.
    QString error;
    SecretKey key = keystore ? keystore->renew(&error) : SecretKey();
    if (key.isNull()) {
        qCWarning(lcClient) << "cannot renew the profile key:" << error;
        return;
    }
    box = std::make_unique<SecretBox>(std::move(key));
    if (!openStore(&error)) {
        qCWarning(lcClient) << "cannot recreate the local store:" << error;
    }
}

void Client::Private::onAuthenticated(const QJsonObject& result)
{
    const QString address = result.value(QLatin1StringView("address")).toString();
    const qint64 deviceId = result.value(QLatin1StringView("deviceId")).toInteger();
    const QJsonObject device = result.value(QLatin1StringView("device")).toObject();
    const QString token = result.value(QLatin1StringView("token")).toString();
    if (!token.isEmpty()) {
        const QString name = device.value(QLatin1StringView("name")).toString(pendingName);
        const QString kind = device.value(QLatin1StringView("kind")).toString(pendingKind);
        profile.setAccount(
            address, deviceId, name, kind, box->seal(token.toUtf8(), QByteArrayView(TokenContext)));
    } else if (!device.isEmpty()) {
        profile.setDeviceName(
            device.value(QLatin1StringView("name")).toString(profile.deviceName()));
    }
    firstSync = syncPosition() == 0;
    if (store && !device.isEmpty()) {
        QJsonObject current = device;
        current.insert(QStringLiteral("current"), true);
        current.insert(QStringLiteral("online"), true);
        StoreChanges changes;
        store->upsertDevice(current, &changes);
        emitChanges(changes, false);
    }
    Q_EMIT q->accountChanged();
    if (registerDone) {
        auto done = std::exchange(registerDone, {});
        done({});
    }
}

void Client::Private::onOnline()
{
    firstSync = false;
    flushOutbox();
    flushReads();
    call(protocol::op::ProfileGet, {}, {}, [this](const QJsonObject& result) {
        StoreChanges changes;
        if (store && store->replaceProfile(result, &changes)) {
            emitChanges(changes, false);
        }
    });
    q->refreshDevices();
}

void Client::Private::flushOutbox()
{
    if (!store || connection->state() != State::Online) {
        return;
    }
    for (const OutboxEntry& e : store->outbox()) {
        if (inFlight.contains(e.clientId)) {
            continue;
        }
        inFlight.insert(e.clientId);
        QJsonObject args { { QStringLiteral("clientId"), e.clientId },
            { QStringLiteral("to"), e.to }, { QStringLiteral("body"), e.body } };
        if (!e.subject.isEmpty()) {
            args.insert(QStringLiteral("subject"), e.subject);
        }
        const QString clientId = e.clientId;
        const qint64 pendingId = e.pendingId;
        QPointer<Client> guard(q);
        connection->request(protocol::op::Send, args,
            [this, guard, clientId, pendingId](
                const QJsonObject& result, const protocol::Error& error) {
                if (!guard || !store) {
                    return;
                }
                StoreChanges changes;
                if (error.isNull()) {
                    const qint64 id = result.value(QLatin1StringView("messageId")).toInteger();
                    const qint64 time = result.value(QLatin1StringView("time")).toInteger();
                    if (id > 0 && store->markSent(clientId, id, time, &changes)) {
                        inFlight.remove(clientId);
                        emitChanges(changes, false);
                        return;
                    }
                    qCWarning(lcClient) << "malformed answer to send";
                }
                inFlight.remove(clientId);
                recordError(error);
                if (isPermanentSendError(error)) {
                    if (store->markFailed(clientId, &changes)) {
                        emitChanges(changes, false);
                    }
                    Q_EMIT q->sendFailed(pendingId, clientId, error);
                    return;
                }
                // Lost or refused for now: the same clientId goes again, and the server
                // stores it only once.
                if (connection->state() == State::Online) {
                    QTimer::singleShot(SendRetryMs, q, [this] { flushOutbox(); });
                }
            });
    }
}

void Client::Private::sendRead(qint64 id, Callback done)
{
    call(protocol::op::Read, { { QStringLiteral("messageId"), id } },
        [this, id, done = std::move(done)](const protocol::Error& error) {
            // not_found: deleted meanwhile; nothing left to tell.
            if (store && (error.isNull() || error.code == protocol::error::NotFound)) {
                store->clearPendingRead(id);
            }
            if (done) {
                done(error);
            }
        });
}

void Client::Private::flushReads()
{
    if (!store) {
        return;
    }
    for (qint64 id : store->pendingReads()) {
        sendRead(id);
    }
}

// --- Client ----------------------------------------------------------------------------

Client::Client(const QString& profileDir, QObject* parent)
    : Client(profileDir, nullptr, parent)
{
}

Client::Client(const QString& profileDir, std::unique_ptr<Transport> transport, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, profileDir, std::move(transport)))
{
    qRegisterMetaType<cpm::ConnectionState>();
    qRegisterMetaType<cpm::protocol::Error>();
    connect(d->connection, &Connection::stateChanged, this, [this](ConnectionState state) {
        Q_EMIT stateChanged(state);
        if (state == State::Online) {
            d->onOnline();
        }
    });
    connect(d->connection, &Connection::syncProgressChanged, this, &Client::syncProgressChanged);
    connect(d->connection, &Connection::errorOccurred, this,
        [this](const protocol::Error& error) { d->recordError(error); });
    connect(d->connection, &Connection::authenticated, this,
        [this](const QJsonObject& result) { d->onAuthenticated(result); });
    connect(d->connection, &Connection::authenticationFailed, this,
        [this](const protocol::Error& error) {
            if (d->registerDone) {
                auto done = std::exchange(d->registerDone, {});
                done(error);
            }
        });
    connect(d->connection, &Connection::signedOut, this, [this] {
        d->wipe();
        if (d->registerDone) {
            auto done = std::exchange(d->registerDone, {});
            done(localError("device_signed_out", tr("This device was signed out.")));
        }
        Q_EMIT signedOut();
        Q_EMIT accountChanged();
        StoreChanges all;
        all.unread = all.devices = all.contacts = all.status = all.prefs = true;
        d->emitChanges(all, false);
    });
}

Client::~Client()
{
    // Stop the connection first: its handlers use the store.
    delete d->connection;
    d->connection = nullptr;
}

bool Client::open(QString* error)
{
    if (isOpen()) {
        return true;
    }
    if (!ensureSodium()) {
        if (error) {
            *error = QStringLiteral("libsodium cannot be initialised");
        }
        return false;
    }
    if (!d->profile.open(error)) {
        return false;
    }
    d->keystore = std::make_unique<Keystore>(
        d->profile.dir(), QStringLiteral("profile-") + d->profile.instanceId());
    SecretKey key = d->keystore->load(Keystore::kindFromName(d->profile.keyStorage()), error);
    if (key.isNull()) {
        return false;
    }
    d->profile.setKeyStorage(Keystore::kindName(d->keystore->kind()));
    d->box = std::make_unique<SecretBox>(std::move(key));
    if (!d->openStore(error)) {
        return false;
    }
    d->lastUnread = d->store->unreadCount();
    return true;
}

bool Client::isOpen() const { return d->store != nullptr; }

QString Client::profileDir() const { return d->profile.dir(); }

bool Client::hasAccount() const
{
    return isOpen() && d->profile.deviceId() > 0 && !d->profile.sealedToken().isEmpty();
}

QUrl Client::serverUrl() const { return isOpen() ? d->profile.serverUrl() : QUrl(); }

void Client::setServerUrl(const QUrl& url)
{
    if (isOpen()) {
        d->profile.setServerUrl(url);
    }
}

void Client::registerDevice(const QString& address, const QString& password,
    const QString& deviceName, const QString& kind, Callback done)
{
    auto fail = [&](const QString& message) {
        const auto e = localError("bad_request", message);
        d->recordError(e);
        if (done) {
            QTimer::singleShot(0, this, [done, e] { done(e); });
        }
    };
    if (!isOpen()) {
        return fail(tr("The profile is not open."));
    }
    if (!protocol::isValidAddress(address)) {
        return fail(tr("“%1” is not a valid address.").arg(address));
    }
    if (password.isEmpty() || password.toUtf8().size() > protocol::limits::MaxPasswordBytes) {
        return fail(tr("The password is empty or too long."));
    }
    if (deviceName.trimmed().isEmpty() || deviceName.size() > protocol::limits::MaxNameChars) {
        return fail(tr("The device name must have 1 to 64 characters."));
    }
    if (!protocol::isValidKind(kind)) {
        return fail(tr("“%1” is not a device kind.").arg(kind));
    }
    if (!serverUrl().isValid()) {
        return fail(tr("No server address is set."));
    }
    if (!d->profile.address().isEmpty() && d->profile.address() != address) {
        // Another user's data must never mix with this one's.
        d->connection->close();
        d->wipe();
    }
    if (d->registerDone) {
        auto previous = std::exchange(d->registerDone, {});
        previous(localError("cancelled", tr("Another registration was started.")));
    }
    d->registerDone = std::move(done);
    d->pendingName = deviceName;
    d->pendingKind = kind;
    Credentials credentials;
    credentials.kind = Credentials::Kind::Register;
    credentials.address = address;
    credentials.password = password;
    credentials.device = QJsonObject { { QStringLiteral("instanceId"), d->profile.instanceId() },
        { QStringLiteral("name"), deviceName }, { QStringLiteral("kind"), kind },
        { QStringLiteral("capabilities"), QJsonArray { QStringLiteral("text") } } };
    if (d->connection->state() == State::SignedOut) {
        // Leave the signed-out state: a registration starts afresh.
        d->connection->close();
    }
    d->connection->open(serverUrl(), credentials);
}

void Client::connectToServer()
{
    if (!hasAccount()) {
        d->recordError(localError("no_account", tr("This device is not registered yet.")));
        return;
    }
    const QString token = d->token();
    if (token.isEmpty()) {
        d->recordError(
            localError("no_account", tr("The device token cannot be read with this profile key.")));
        return;
    }
    Credentials credentials;
    credentials.address = d->profile.address();
    credentials.deviceId = d->profile.deviceId();
    credentials.token = token;
    d->connection->open(serverUrl(), credentials);
}

void Client::disconnectFromServer()
{
    d->connection->close();
    d->inFlight.clear();
}

void Client::setAutoReconnect(bool enabled) { d->connection->setAutoReconnect(enabled); }

Client::State Client::state() const { return d->connection->state(); }

qint64 Client::syncPosition() const { return d->syncPosition(); }

qint64 Client::serverHead() const { return std::max(d->connection->serverHead(), syncPosition()); }

QList<protocol::Error> Client::lastErrors() const { return d->lastErrors; }

Diagnostics Client::diagnostics() const
{
    Diagnostics diag;
    diag.state = state();
    diag.serverUrl = serverUrl();
    diag.serverVersion = d->connection->serverVersion();
    diag.address = address();
    diag.deviceId = deviceId();
    diag.deviceName = deviceName();
    diag.instanceId = instanceId();
    diag.syncPosition = syncPosition();
    diag.serverHead = serverHead();
    diag.outboxSize = outboxSize();
    diag.keyStorage = d->keystore ? Keystore::kindName(d->keystore->kind()) : QString();
    diag.profileDir = profileDir();
    diag.lastErrors = d->lastErrors;
    return diag;
}

QString Client::address() const { return isOpen() ? d->profile.address() : QString(); }

qint64 Client::deviceId() const { return isOpen() ? d->profile.deviceId() : 0; }

QString Client::deviceName() const { return isOpen() ? d->profile.deviceName() : QString(); }

QString Client::instanceId() const { return isOpen() ? d->profile.instanceId() : QString(); }

QString Client::send(const QString& to, const QString& subject, const QString& body)
{
    if (!hasAccount()) {
        d->recordError(localError("no_account", tr("This device is not registered yet.")));
        return {};
    }
    if (!protocol::isValidAddress(to) || body.toUtf8().size() > protocol::limits::MaxBodyBytes
        || subject.size() > protocol::limits::MaxSubjectChars
        || (body.isEmpty() && subject.isEmpty())) {
        d->recordError(localError(
            "bad_request", tr("The message cannot be sent: check the address and its size.")));
        return {};
    }
    const QString clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const qint64 pendingId = d->store->enqueue(
        clientId, address(), to, subject, body, QDateTime::currentMSecsSinceEpoch());
    if (pendingId == 0) {
        d->recordError(localError("internal", tr("The message could not be stored.")));
        return {};
    }
    Q_EMIT messageAdded(pendingId, to);
    d->flushOutbox();
    return clientId;
}

void Client::markRead(qint64 messageId, Callback done)
{
    StoreChanges changes;
    if (!isOpen() || !d->store->markRead(messageId, &changes)) {
        // Already read (or no such incoming message): nothing to tell anyone.
        if (done) {
            QTimer::singleShot(0, this, [done] { done({}); });
        }
        return;
    }
    d->emitChanges(changes, false);
    if (messageId > 0 && state() == State::Online) {
        d->sendRead(messageId, std::move(done));
    } else if (done) {
        // flushReads() tells the server once online.
        QTimer::singleShot(0, this, [done] {
            done(localError("offline", tr("Not connected; the server will be told later.")));
        });
    }
}

void Client::fetchBody(qint64 messageId, Callback done)
{
    d->call(protocol::op::Fetch, { { QStringLiteral("messageId"), messageId } }, std::move(done),
        [this](const QJsonObject& result) {
            StoreChanges changes;
            if (d->store
                && d->store->storeMessage(
                    result.value(QLatin1StringView("message")).toObject(), &changes)) {
                d->emitChanges(changes, false);
            }
        });
}

void Client::deleteLocally(qint64 messageId)
{
    if (!isOpen()) {
        return;
    }
    StoreChanges changes;
    if (d->store->deleteLocally(messageId, &changes)) {
        d->emitChanges(changes, false);
    }
}

void Client::deleteEverywhere(qint64 messageId, Callback done)
{
    if (messageId < 0) {
        // Never reached the server: cancelling it is all there is to do.
        deleteLocally(messageId);
        if (done) {
            QTimer::singleShot(0, this, [done] { done({}); });
        }
        return;
    }
    d->call(protocol::op::Delete, { { QStringLiteral("messageId"), messageId } }, std::move(done),
        [this, messageId](const QJsonObject&) {
            StoreChanges changes;
            if (d->store && d->store->remove(messageId, &changes)) {
                d->emitChanges(changes, false);
            }
        });
}

std::optional<Message> Client::message(qint64 messageId) const
{
    return isOpen() ? d->store->message(messageId) : std::nullopt;
}

QList<Message> Client::messages(
    const QString& peer, int limit, qint64 beforeTime, qint64 beforeLocalId) const
{
    return isOpen() ? d->store->messages(peer, limit, beforeTime, beforeLocalId) : QList<Message>();
}

QList<Conversation> Client::conversations() const
{
    return isOpen() ? d->store->conversations() : QList<Conversation>();
}

int Client::unreadCount() const { return isOpen() ? d->store->unreadCount() : 0; }

int Client::outboxSize() const { return isOpen() ? d->store->outboxSize() : 0; }

QList<Device> Client::devices() const { return isOpen() ? d->store->devices() : QList<Device>(); }

void Client::refreshDevices(Callback done)
{
    d->call(protocol::op::DevicesList, {}, std::move(done), [this](const QJsonObject& result) {
        StoreChanges changes;
        if (d->store
            && d->store->replaceDevices(
                result.value(QLatin1StringView("devices")).toArray(), &changes)) {
            d->emitChanges(changes, false);
        }
    });
}

void Client::renameDevice(qint64 deviceId, const QString& name, Callback done)
{
    d->call(protocol::op::DevicesRename,
        { { QStringLiteral("deviceId"), deviceId }, { QStringLiteral("name"), name } },
        std::move(done), [this, deviceId, name](const QJsonObject& result) {
            if (deviceId == this->deviceId()) {
                d->profile.setDeviceName(name);
                Q_EMIT accountChanged();
            }
            d->applyLocalEvent(protocol::event::Device,
                { { QStringLiteral("device"), result.value(QLatin1StringView("device")) } });
        });
}

void Client::signOutDevice(qint64 deviceId, Callback done)
{
    d->call(protocol::op::DevicesSignOut, { { QStringLiteral("deviceId"), deviceId } },
        std::move(done), [this, deviceId](const QJsonObject&) {
            if (deviceId == this->deviceId()) {
                // Signed ourselves out: wipe now rather than when the server's close comes.
                d->connection->signOutLocally();
                return;
            }
            d->applyLocalEvent(protocol::event::Device,
                { { QStringLiteral("device"), QJsonObject { { QStringLiteral("id"), deviceId } } },
                    { QStringLiteral("removed"), true } });
        });
}

void Client::setDelivery(qint64 deviceId, const QString& delivery, Callback done)
{
    d->call(protocol::op::DevicesSetDelivery,
        { { QStringLiteral("deviceId"), deviceId }, { QStringLiteral("delivery"), delivery } },
        std::move(done), [this](const QJsonObject& result) {
            d->applyLocalEvent(protocol::event::Device,
                { { QStringLiteral("device"), result.value(QLatin1StringView("device")) } });
        });
}

QList<Contact> Client::contacts() const
{
    return isOpen() ? d->store->contacts() : QList<Contact>();
}

void Client::addContact(const QString& address, const QString& name, Callback done)
{
    QJsonObject args { { QStringLiteral("address"), address } };
    if (!name.isEmpty()) {
        args.insert(QStringLiteral("name"), name);
    }
    d->call(protocol::op::ContactsAdd, args, std::move(done),
        [this, address, name](const QJsonObject&) {
            d->applyLocalEvent(protocol::event::Contact,
                { { QStringLiteral("address"), address }, { QStringLiteral("name"), name } });
        });
}

void Client::removeContact(const QString& address, Callback done)
{
    d->call(protocol::op::ContactsRemove, { { QStringLiteral("address"), address } },
        std::move(done), [this, address](const QJsonObject&) {
            d->applyLocalEvent(protocol::event::Contact,
                { { QStringLiteral("address"), address }, { QStringLiteral("removed"), true } });
        });
}

UserStatus Client::status() const { return isOpen() ? d->store->status() : UserStatus(); }

void Client::setStatus(const QString& status, const QString& text, Callback done)
{
    const QJsonObject args { { QStringLiteral("status"), status },
        { QStringLiteral("text"), text } };
    d->call(protocol::op::StatusSet, args, std::move(done),
        [this, args](const QJsonObject&) { d->applyLocalEvent(protocol::event::Status, args); });
}

QVariantMap Client::prefs() const { return isOpen() ? d->store->prefs() : QVariantMap(); }

void Client::setPref(const QString& key, const QString& value, Callback done)
{
    const QJsonObject args { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } };
    d->call(protocol::op::PrefsSet, args, std::move(done),
        [this, args](const QJsonObject&) { d->applyLocalEvent(protocol::event::Pref, args); });
}

} // namespace cpm
