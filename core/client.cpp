// SPDX-License-Identifier: GPL-3.0-or-later
#include "client.h"

#include "argreader.h"
#include "attachmentmanager.h"
#include "connection.h"
#include "guestvault.h"
#include "keystore.h"
#include "localstore.h"
#include "logging.h"
#include "profile.h"
#include "protocol.h"
#include "secretbox.h"
#include "secrets.h"
#include "sessionmanager.h"
#include "transport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QLockFile>
#include <QMimeDatabase>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>
#include <QTimer>
#include <QUuid>

namespace cpm {

namespace {
constexpr char TokenContext[] = "cpm/token";
constexpr char LockFileName[] = "profile.lock";
constexpr int MaxLastErrors = 20;
constexpr int SendRetryMs = 5000;
// The newest messages a device's first sync loads ahead of the stream: about a screenful
// of each of the conversations a person has going.
constexpr int RecentOnFirstSync = 200;

// A refusal that sending the same message again cannot change.
bool isPermanentSendError(const Error& e)
{
    switch (e.code) {
    case ErrorCode::NoSuchUser:
    case ErrorCode::TooLarge:
    case ErrorCode::Conflict:
    case ErrorCode::BadRequest:
    case ErrorCode::QuotaExceeded:
    case ErrorCode::AccountDisabled:
    case ErrorCode::NotBound: // a session message after the session moved on
    case ErrorCode::SessionEnded:
    case ErrorCode::NotFound:
        return true;
    default:
        return false;
    }
}

Error notOpen()
{
    return makeError(ErrorCode::ProfileUnusable, QStringLiteral("the profile is not open"));
}

// The database files of a profile: the database and SQLite's WAL and shared memory.
QStringList databaseFiles(const QString& database)
{
    return { database, database + QStringLiteral("-wal"), database + QStringLiteral("-shm") };
}
} // namespace

class Client::Private final : public EventSink,
                              public SessionManager::Backend,
                              public AttachmentManager::Backend {
public:
    //! \a guest: no profile directory (\a dir is unused), see Client::createGuest().
    Private(Client* client, const QString& dir, std::unique_ptr<Transport> transport, bool isGuest)
        : q(client)
        , ownProfile(isGuest ? std::make_unique<Profile>() : std::make_unique<Profile>(dir))
        , profile(*ownProfile)
        , guest(isGuest)
    {
        if (!transport) {
            transport = std::make_unique<WebSocketTransport>();
        }
        connection = new Connection(std::move(transport), this, q);
        connection->setClientName(QStringLiteral("cpmcore/" CPM_VERSION));
        sessions = new SessionManager(*this, q);
        attachments = new AttachmentManager(connection, *this, q);
    }

    // AttachmentManager::Backend
    LocalStore* localStore() const override { return store.get(); }
    const SecretBox* secretBox() const override { return box.get(); }
    QString attachmentsDirectory() const override
    {
        // A guest's copies are in the vault, which goes at sign-out with all it holds.
        return guest && vault ? vault->dir() + QStringLiteral("/attachments")
                              : profile.filePath(QStringLiteral("attachments"));
    }
    void uploadsSettled() override { flushOutbox(); }
    void uploadFailed(const QString& clientId, const Error& error) override
    {
        recordError(error);
        if (!store) {
            return;
        }
        qint64 pendingId = 0;
        for (const OutboxEntry& e : store->outbox().valueOr({})) {
            if (e.clientId == clientId) {
                pendingId = e.pendingId;
            }
        }
        StoreChanges changes;
        if (const Result<void> failed = store->markFailed(clientId, error.name(), &changes);
            !failed) {
            recordError(failed.error());
            return;
        }
        emitChanges(changes, false);
        Q_EMIT q->sendFailed(pendingId, clientId, error);
    }
    QString ownDelivery() const override
    {
        for (const Device& device : store ? store->devices().valueOr({}) : QList<Device>()) {
            if (device.current) {
                return device.delivery;
            }
        }
        return QString(protocol::delivery::Full);
    }
    void recordError(const Error& error) override;

    // SessionManager::Backend
    void request(QLatin1StringView op, const QJsonObject& args,
        std::function<void(const QJsonObject&, const Error&)> done, bool housekeeping) override
    {
        QPointer<Client> guard(q);
        connection->request(op, args,
            [this, guard, op, housekeeping, done = std::move(done)](
                const QJsonObject& result, const Error& error) {
                if (!guard) {
                    return;
                }
                if (housekeeping && !error.isNull()) {
                    // The manager asks again, or has moved on (a history cut short by the
                    // session moving away); what a person must hear it reports itself.
                    qCDebug(lcClient) << op << "not answered:" << error.name();
                } else if (!error.isNull()) {
                    qCInfo(lcClient) << op << "failed:" << error.name() << error.message;
                    recordError(error);
                }
                done(result, error);
            });
    }
    qint64 currentDeviceId() const override { return profile.deviceId(); }
    Result<QString> queueSessionMessage(
        const QString& to, const QString& body, qint64 sessionId) override
    {
        return enqueue(to, QString(), body, sessionId);
    }
    Result<void> addHistory(const QList<protocol::Message>& messages) override
    {
        if (!store) {
            return notOpen();
        }
        QList<protocol::Frame> frames;
        frames.reserve(messages.size());
        for (const protocol::Message& m : messages) {
            frames.append(protocol::Frame::streamEvent(
                protocol::event::Message, 1, protocol::MessageEvent { m }.toJson()));
        }
        StoreChanges changes;
        // Position 0: history is not the stream; what it brings is never notified.
        const Result<void> applied = store->applyEvents(frames, 0, &changes);
        if (applied) {
            emitChanges(changes, false);
        }
        return applied;
    }
    Result<QString> deviceSetting(const QString& key) const override
    {
        return q->deviceSetting(key);
    }
    Result<void> setDeviceSetting(const QString& key, const QString& value) override
    {
        return q->setDeviceSetting(key, value);
    }
    //! Checks and queues an outgoing message (Client::send, session messages).
    Result<QString> enqueue(const QString& to, const QString& subject, const QString& body,
        qint64 sessionId, const QStringList& files = {});

    // EventSink
    qint64 syncPosition() const override { return position; }
    Result<void> applyEvents(const QList<protocol::Frame>& events, qint64 next) override
    {
        if (!store) {
            return notOpen();
        }
        StoreChanges changes;
        const Result<void> applied = store->applyEvents(events, next, &changes);
        if (!applied) {
            return applied;
        }
        position = std::max(position, next);
        emitChanges(changes, !firstSync);
        return {};
    }
    void applyTransient(const protocol::Frame& event) override
    {
        if (event.event == protocol::event::SessionComposing) {
            if (const Result<protocol::SessionComposingEvent> e
                = protocol::SessionComposingEvent::fromJson(event.data)) {
                sessions->applyComposing(*e);
            }
            return;
        }
        if (event.event == protocol::event::PeerStatus) {
            const Result<protocol::PeerStatus> peer = protocol::PeerStatus::fromJson(event.data);
            if (!peer) {
                qCWarning(lcClient) << "ignoring a malformed peer.status event";
                return;
            }
            setPeerStatus(*peer);
            Q_EMIT q->peerStatusesChanged();
            return;
        }
        if (!store || event.event != protocol::event::Presence) {
            return;
        }
        const Result<protocol::PresenceEvent> presence
            = protocol::PresenceEvent::fromJson(event.data);
        if (!presence) {
            qCWarning(lcClient) << "ignoring a malformed presence event";
            return;
        }
        StoreChanges changes;
        if (const Result<void> applied = store->applyPresence(*presence, &changes); !applied) {
            recordError(applied.error());
            return;
        }
        emitChanges(changes, true);
    }

    void emitChanges(const StoreChanges& c, bool notify);
    //! An incoming message the server also delivered by e-mail/SMS (MSG-8) is not notified
    //! again, unless the user's preference `whenAway` is `both`.
    bool deliveredElsewhere(const Message& m) const
    {
        if (m.route != protocol::Route::Email && m.route != protocol::Route::Sms) {
            return false;
        }
        const Result<QVariantMap> prefs = store->prefs();
        return !prefs
            || prefs->value(QString(protocol::pref::WhenAway)).toString()
            != protocol::pref::WhenAwayBoth;
    }
    //! Records a failed local action and answers \a done with it, later.
    void failLater(const Error& error, const Callback& done);
    //! Who waits for a request's answer.
    enum class Asker {
        Caller, //!< someone asked and is told whatever happens
        //! the client itself, catching up after coming online: it asks again the next
        //! time, so a connection closed before the answer is no error
        Housekeeping,
    };
    //! A request whose \a onSuccess runs with the result, and \a done in any case.
    void call(QLatin1StringView op, const QJsonObject& args, Callback done,
        std::function<Result<void>(const QJsonObject&)> onSuccess = {},
        Asker asker = Asker::Caller);
    //! Applies a change we just made on the server before its event comes back.
    Result<void> applyLocalEvent(QLatin1StringView name, const QJsonObject& data);
    void onAuthenticated(const QJsonObject& result);
    void onOnline();
    void flushOutbox();
    void flushReads();
    void sendRead(qint64 id, Callback done = {}, Asker asker = Asker::Caller);
    void refreshProfile();
    //! A device's first sync: the newest messages first, so the newest conversations are
    //! readable at once while the stream from the start goes on (GST-2).
    void loadRecent();
    void refreshDevices(Callback done, Asker asker);
    Result<void> openStore();
    Result<void> openGuest();
    void wipe();
    //! The server let go of this device (or a guest signed itself out): wipe, tell.
    void onSignedOut();
    //! A guest's sign-out in progress with the server (after the local wipe).
    Callback revokeDone;
    //! A read of the local store; a failure is also reported (errorOccurred), so a view
    //! that keeps showing what it had still says why it is not current.
    template <typename T> Result<T> checked(Result<T> read)
    {
        if (!read) {
            recordError(read.error());
        }
        return read;
    }
    QString token() const;

    Client* q;
    std::unique_ptr<Profile> ownProfile; //!< profile.ini, or in memory for a guest
    Profile& profile;
    const bool guest;
    std::unique_ptr<GuestVault> vault; //!< a guest's directory while open
    std::unique_ptr<QLockFile> lock;
    std::unique_ptr<Keystore> keystore;
    std::unique_ptr<SecretBox> box;
    std::unique_ptr<LocalStore> store;
    Connection* connection = nullptr;
    SessionManager* sessions = nullptr;
    AttachmentManager* attachments = nullptr;
    bool allowInsecure = false;
    //! Gives the connection the profile's CA file (see Client::setCaFile()).
    Result<void> applyTls();
    QSet<QString> inFlight; //!< clientIds sent and not yet answered
    QList<Error> lastErrors;
    Callback registerDone;
    QString pendingName;
    QString pendingKind;
    QString recoveredStore;
    qint64 position = 0; //!< the store's sync position, kept here as the store writes it
    int lastUnread = -1;
    bool firstSync = false;
    //! Other users' statuses as they share them (CON-1), by address: live, not stored.
    QHash<QString, protocol::Status> peerStatuses;
    void refreshPeerStatuses(QStringList addresses, Callback done, Asker asker);
    void setPeerStatus(const protocol::PeerStatus& peer);
};

void Client::Private::setPeerStatus(const protocol::PeerStatus& peer)
{
    if (peer.status) {
        peerStatuses.insert(peer.address, *peer.status);
    } else {
        peerStatuses.remove(peer.address);
    }
}

void Client::Private::refreshPeerStatuses(QStringList addresses, Callback done, Asker asker)
{
    if (addresses.isEmpty() && store) {
        // Contacts first, then the people most recently written with, up to the limit.
        for (const Contact& c : store->contacts().valueOr({})) {
            addresses.append(c.address);
        }
        for (const Conversation& c : store->conversations().valueOr({})) {
            addresses.append(c.peerAddress);
        }
        addresses.removeDuplicates();
    }
    addresses = addresses.mid(0, protocol::limits::MaxStatusPeers);
    if (addresses.isEmpty()) {
        if (done) {
            done({});
        }
        return;
    }
    call(
        protocol::op::StatusPeers,
        { { QStringLiteral("addresses"), QJsonArray::fromStringList(addresses) } }, std::move(done),
        [this, addresses](const QJsonObject& result) -> Result<void> {
            QList<protocol::PeerStatus> shared;
            for (const QJsonValue& v : result.value(QLatin1StringView("statuses")).toArray()) {
                Result<protocol::PeerStatus> peer = protocol::PeerStatus::fromJson(v.toObject());
                if (!peer) {
                    return peer.error();
                }
                shared.append(*peer);
            }
            // Asked and not answered: not shared (any more).
            for (const QString& address : addresses) {
                peerStatuses.remove(address);
            }
            for (const protocol::PeerStatus& peer : std::as_const(shared)) {
                setPeerStatus(peer);
            }
            Q_EMIT q->peerStatusesChanged();
            return {};
        },
        asker);
}

void Client::Private::emitChanges(const StoreChanges& c, bool notify)
{
    for (const auto& s : c.sent) {
        inFlight.remove(s.clientId);
        Q_EMIT q->messageSent(s.pendingId, s.id, s.clientId);
    }
    // Sessions first: whether a session message is notified depends on where it is.
    if (!c.sessions.isEmpty()) {
        sessions->applyEvents(c.sessions, notify);
    }
    for (const auto& a : c.added) {
        Q_EMIT q->messageAdded(a.id, a.peer);
        if (a.id > 0 && store) {
            if (const Result<std::optional<Message>> m = store->message(a.id);
                m && m->has_value()) {
                attachments->autoFetch(**m);
            }
        }
        if (a.unreadIncoming && notify) {
            const Result<std::optional<Message>> m = store->message(a.id);
            // A session's messages are for the device it is on; the others get them
            // silently (SES-5).
            if (m && m->has_value() && ((*m)->session == 0 || sessions->isHere((*m)->session))
                && !deliveredElsewhere(**m)) {
                Q_EMIT q->incomingMessage(a.id, (*m)->from, (*m)->subject);
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
        const Result<int> unread = store ? store->unreadCount() : Result<int>(0);
        if (unread && *unread != lastUnread) {
            lastUnread = *unread;
            Q_EMIT q->unreadCountChanged(*unread);
        }
    }
    if (c.devices) {
        // A rename of this very device from another one is this device's new name too
        // (its window title shows it).
        const Result<QList<Device>> list
            = store ? store->devices() : Result<QList<Device>>(QList<Device>());
        for (const Device& device : list.valueOr({})) {
            if (device.current && !device.name.isEmpty() && device.name != profile.deviceName()) {
                profile.setDeviceName(device.name);
                Q_EMIT q->accountChanged();
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

void Client::Private::recordError(const Error& error)
{
    lastErrors.append(error);
    while (lastErrors.size() > MaxLastErrors) {
        lastErrors.removeFirst();
    }
    Q_EMIT q->errorOccurred(error);
}

void Client::Private::failLater(const Error& error, const Callback& done)
{
    recordError(error);
    if (done) {
        QTimer::singleShot(0, q, [done, error] { done(error); });
    }
}

void Client::Private::call(QLatin1StringView op, const QJsonObject& args, Callback done,
    std::function<Result<void>(const QJsonObject&)> onSuccess, Asker asker)
{
    QPointer<Client> guard(q);
    connection->request(op, args,
        [this, guard, op, asker, done = std::move(done), onSuccess = std::move(onSuccess)](
            const QJsonObject& result, const Error& answer) {
            if (!guard) {
                return;
            }
            Error error = answer;
            if (error.isNull() && onSuccess) {
                // The server did it; storing it here can still fail (a full disk).
                if (const Result<void> applied = onSuccess(result); !applied) {
                    error = applied.error();
                }
            }
            const bool closed
                = error.code == ErrorCode::Offline || error.code == ErrorCode::Disconnected;
            if (closed && asker == Asker::Housekeeping) {
                qCDebug(lcClient) << op << "not answered before the connection closed";
            } else if (!error.isNull()) {
                qCInfo(lcClient) << op << "failed:" << error.name() << error.message;
                recordError(error);
            }
            if (done) {
                done(error);
            }
        });
}

Result<void> Client::Private::applyLocalEvent(QLatin1StringView name, const QJsonObject& data)
{
    if (!store) {
        return notOpen();
    }
    StoreChanges changes;
    // Position 0: the real event still comes through the stream and moves the position.
    const Result<void> applied
        = store->applyEvents({ protocol::Frame::streamEvent(name, 1, data) }, 0, &changes);
    if (applied) {
        emitChanges(changes, false);
    }
    return applied;
}

QString Client::Private::token() const
{
    const QByteArray sealed = profile.sealedToken();
    if (sealed.isEmpty() || !box) {
        return {};
    }
    std::optional<QByteArray> plain = box->open(sealed, QByteArrayView(TokenContext));
    if (!plain) {
        return {};
    }
    const QString token = QString::fromUtf8(*plain);
    secrets::wipe(*plain);
    return token;
}

Result<void> Client::Private::openGuest()
{
    if (!vault) {
        Result<std::unique_ptr<GuestVault>> made = GuestVault::create();
        if (!made) {
            return made.error();
        }
        vault = std::move(*made);
    }
    QString error;
    profile.open(&error); // in memory: cannot fail
    // A key that exists only here, in locked memory (sodium_malloc): never written anywhere,
    // so whatever of the guest reaches the disk is unreadable once this process is gone.
    SecretKey key = SecretKey::generate();
    if (key.isNull()) {
        vault.reset();
        return makeError(ErrorCode::ProfileUnusable, QStringLiteral("cannot make a guest key"));
    }
    box = std::make_unique<SecretBox>(std::move(key));
    if (const Result<void> opened = openStore(); !opened) {
        box.reset();
        vault.reset();
        return opened;
    }
    return {};
}

Result<void> Client::Private::openStore()
{
    // A guest's database is held in memory: its pages, journal and temporary tables never
    // reach a file (GST-4, GST-5); values in it are sealed with the guest key all the same.
    const QString path = guest ? QString::fromLatin1(LocalStore::InMemory)
                               : profile.filePath(QString::fromLatin1(LocalStore::FileName));
    store = std::make_unique<LocalStore>(box.get());
    Result<void> opened = store->open(path);
    if (!opened && opened.error().code == ErrorCode::StoreCorrupt) {
        // Keep the damaged file for a bug report (its bodies stay encrypted) and start over:
        // the server has everything the store held but unsent messages and local deletes.
        const QString aside = path + QStringLiteral(".damaged-")
            + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-hhmmss"));
        qCWarning(lcClient) << "the local database is damaged (" << opened.error().message
                            << "); moving it to" << aside << "and syncing again";
        const QStringList files = databaseFiles(path);
        for (const QString& file : files) {
            if (QFile::exists(file) && !QFile::rename(file, aside + file.mid(path.size()))) {
                QFile::remove(file);
            }
        }
        recoveredStore = aside;
        opened = store->open(path);
    }
    if (!opened) {
        store.reset();
        return opened;
    }
    const Result<qint64> synced = store->syncPosition();
    if (!synced) {
        store.reset();
        return synced.error();
    }
    position = *synced;
    lastUnread = store->unreadCount().valueOr(-1);
    attachments->storeOpened();
    return {};
}

void Client::Private::wipe()
{
    qCInfo(lcClient) << "wiping the local data of this profile";
    inFlight.clear();
    sessions->clear();
    peerStatuses.clear();
    const QString copies = attachmentsDirectory();
    attachments->storeClosed();
    if (store) {
        store->close();
        store.reset();
    }
    if (!guest) {
        QDir(copies).removeRecursively(); // sealed, but nothing of the old data stays
    }
    position = 0;
    if (guest) {
        // Nothing to start over with: the key is zeroed (SecretKey's destructor), the
        // database was only in memory, and the directory goes with everything in it.
        box.reset();
        if (vault) {
            vault->wipe();
            vault.reset();
        }
        profile.clearAccount();
        return;
    }
    const QStringList files
        = databaseFiles(profile.filePath(QString::fromLatin1(LocalStore::FileName)));
    for (const QString& file : files) {
        QFile::remove(file);
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
    if (const Result<void> opened = openStore(); !opened) {
        qCWarning(lcClient) << "cannot recreate the local store:" << opened.error().message;
    }
}

void Client::Private::onAuthenticated(const QJsonObject& result)
{
    const QString address = result.value(QLatin1StringView("address")).toString();
    const qint64 deviceId = result.value(QLatin1StringView("deviceId")).toInteger();
    Result<Device> device
        = protocol::Device::fromJson(result.value(QLatin1StringView("device")).toObject());
    QString token = result.value(QLatin1StringView("token")).toString();
    if (!token.isEmpty()) {
        QByteArray plain = token.toUtf8();
        profile.setAccount(address, deviceId, device ? device->name : pendingName,
            device ? device->kind : pendingKind, box->seal(plain, QByteArrayView(TokenContext)));
        secrets::wipe(plain);
        secrets::wipe(token);
    } else if (device) {
        profile.setDeviceName(device->name.isEmpty() ? profile.deviceName() : device->name);
    }
    firstSync = syncPosition() == 0;
    if (store && device) {
        device->current = true;
        device->online = true;
        StoreChanges changes;
        if (const Result<void> stored = store->upsertDevice(*device, &changes); !stored) {
            recordError(stored.error());
        }
        emitChanges(changes, false);
    }
    Q_EMIT q->accountChanged();
    if (registerDone) {
        auto done = std::exchange(registerDone, {});
        done({});
    }
}

void Client::Private::loadRecent()
{
    call(
        protocol::op::Recent, { { QStringLiteral("limit"), RecentOnFirstSync } }, {},
        [this](const QJsonObject& result) -> Result<void> {
            QList<protocol::Message> messages;
            for (const QJsonValue& v : result.value(QLatin1StringView("messages")).toArray()) {
                Result<protocol::Message> m = protocol::Message::fromJson(v.toObject());
                if (!m) {
                    return m.error();
                }
                messages.append(std::move(m).value());
            }
            // The stream brings them again later and changes nothing then.
            return addHistory(messages);
        },
        Asker::Housekeeping);
}

void Client::Private::onOnline()
{
    firstSync = false;
    // Whoever was told "online" may have closed the connection at once (cpm-cli has its
    // answer and quits), and so may whoever waited for the outbox to be sent: then there
    // is nothing to catch up on, and asking would only fail with `offline`.
    if (connection->state() != State::Online) {
        return;
    }
    flushOutbox();
    if (connection->state() != State::Online) {
        return;
    }
    sessions->online();
    flushReads();
    refreshProfile();
    refreshDevices({}, Asker::Housekeeping);
    refreshPeerStatuses({}, {}, Asker::Housekeeping);
}

void Client::Private::refreshProfile()
{
    const auto apply = [this](const QJsonObject& result) -> Result<void> {
        // All of it or nothing: a contact list that did not parse must not replace ours.
        ProfileSnapshot snapshot;
        for (const QJsonValue& c : result.value(QLatin1StringView("contacts")).toArray()) {
            Result<Contact> contact = Contact::fromJson(c.toObject());
            if (!contact) {
                return contact.error();
            }
            snapshot.contacts.append(*contact);
        }
        const Result<UserStatus> status
            = UserStatus::fromJson(result.value(QLatin1StringView("status")).toObject());
        if (!status) {
            return status.error();
        }
        snapshot.status = *status;
        const QJsonObject prefs = result.value(QLatin1StringView("prefs")).toObject();
        for (auto it = prefs.begin(); it != prefs.end(); ++it) {
            snapshot.prefs.insert(it.key(), it.value().toString());
        }
        StoreChanges changes;
        if (!store) {
            return notOpen();
        }
        if (const Result<void> replaced = store->replaceProfile(snapshot, &changes); !replaced) {
            return replaced;
        }
        emitChanges(changes, false);
        return {};
    };
    call(protocol::op::ProfileGet, {}, {}, apply, Asker::Housekeeping);
}

void Client::Private::refreshDevices(Callback done, Asker asker)
{
    call(
        protocol::op::DevicesList, {}, std::move(done),
        [this](const QJsonObject& result) -> Result<void> {
            QList<Device> devices;
            for (const QJsonValue& value : result.value(QLatin1StringView("devices")).toArray()) {
                Result<Device> device = Device::fromJson(value.toObject());
                if (!device) {
                    return device.error();
                }
                devices.append(*device);
            }
            if (!store) {
                return notOpen();
            }
            StoreChanges changes;
            if (const Result<void> replaced = store->replaceDevices(devices, &changes); !replaced) {
                return replaced;
            }
            emitChanges(changes, false);
            return {};
        },
        asker);
}

void Client::Private::flushOutbox()
{
    if (!store || connection->state() != State::Online) {
        return;
    }
    const Result<QList<OutboxEntry>> outbox = store->outbox();
    if (!outbox) {
        recordError(outbox.error());
        return;
    }
    if (outbox->isEmpty() && inFlight.isEmpty()) {
        Q_EMIT q->outboxIdle();
        return;
    }
    for (const OutboxEntry& e : *outbox) {
        if (inFlight.contains(e.clientId)) {
            continue;
        }
        if (!attachments->prepare(e)) {
            continue; // its uploads run; it goes when they are done (uploadsSettled())
        }
        inFlight.insert(e.clientId);
        QJsonObject args { { QStringLiteral("clientId"), e.clientId },
            { QStringLiteral("to"), e.to }, { QStringLiteral("body"), e.body } };
        if (!e.attachments.isEmpty()) {
            QJsonArray ids;
            for (const protocol::Attachment& a : e.attachments) {
                ids.append(a.id);
            }
            args.insert(QStringLiteral("attachments"), ids);
        }
        if (!e.subject.isEmpty()) {
            args.insert(QStringLiteral("subject"), e.subject);
        }
        if (e.session != 0) {
            args.insert(QStringLiteral("session"), e.session);
        }
        const QString clientId = e.clientId;
        const qint64 pendingId = e.pendingId;
        QPointer<Client> guard(q);
        connection->request(protocol::op::Send, args,
            [this, guard, clientId, pendingId](const QJsonObject& result, const Error& answer) {
                if (!guard || !store) {
                    return;
                }
                auto settled = [this, &clientId] {
                    inFlight.remove(clientId);
                    if (inFlight.isEmpty()) {
                        Q_EMIT q->outboxIdle();
                    }
                };
                StoreChanges changes;
                Error error = answer;
                if (error.isNull()) {
                    const qint64 id = result.value(QLatin1StringView("messageId")).toInteger();
                    const qint64 time = result.value(QLatin1StringView("time")).toInteger();
                    if (id <= 0) {
                        error = makeError(
                            ErrorCode::Internal, QStringLiteral("malformed answer to send"));
                    } else if (const Result<void> marked
                               = store->markSent(clientId, id, time, &changes);
                               !marked) {
                        // Stored on the server; the sentbox copy in the stream brings it here.
                        error = marked.error();
                    } else {
                        emitChanges(changes, false);
                        settled();
                        return;
                    }
                }
                recordError(error);
                if (isPermanentSendError(error)) {
                    if (const Result<void> failed
                        = store->markFailed(clientId, error.name(), &changes);
                        failed) {
                        emitChanges(changes, false);
                    }
                    Q_EMIT q->sendFailed(pendingId, clientId, error);
                    settled();
                    return;
                }
                // Lost or refused for now: the same clientId goes again, and the server
                // stores it only once.
                settled();
                if (connection->state() == State::Online) {
                    const int delay = error.retryAfterSeconds > 0 ? error.retryAfterSeconds * 1000
                                                                  : SendRetryMs;
                    QTimer::singleShot(delay, q, [this] { flushOutbox(); });
                }
            });
    }
}

void Client::Private::sendRead(qint64 id, Callback done, Asker asker)
{
    call(
        protocol::op::Read, { { QStringLiteral("messageId"), id } },
        [this, id, done = std::move(done)](const Error& error) {
            // not_found: deleted meanwhile; nothing left to tell.
            if (store && (error.isNull() || error.code == ErrorCode::NotFound)) {
                if (const Result<void> cleared = store->clearPendingRead(id); !cleared) {
                    recordError(cleared.error());
                }
            }
            if (done) {
                done(error);
            }
        },
        {}, asker);
}

void Client::Private::flushReads()
{
    if (!store) {
        return;
    }
    const Result<QList<qint64>> reads = store->pendingReads();
    if (!reads) {
        recordError(reads.error());
        return;
    }
    for (qint64 id : *reads) {
        sendRead(id, {}, Asker::Housekeeping); // still pending if not answered: sent again
    }
}

// --- Client ----------------------------------------------------------------------------

Client::Client(const QString& profileDir, QObject* parent)
    : Client(profileDir, nullptr, parent)
{
}

Client::Client(const QString& profileDir, std::unique_ptr<Transport> transport, QObject* parent)
    : Client(profileDir, std::move(transport), false, parent)
{
}

std::unique_ptr<Client> Client::createGuest(QObject* parent)
{
    return std::unique_ptr<Client>(new Client(QString(), nullptr, true, parent));
}

Client::Client(
    const QString& profileDir, std::unique_ptr<Transport> transport, bool isGuest, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, profileDir, std::move(transport), isGuest))
{
    qRegisterMetaType<cpm::ConnectionState>();
    qRegisterMetaType<cpm::Error>();
    connect(d->connection, &Connection::stateChanged, this, [this](ConnectionState state) {
        Q_EMIT stateChanged(state); // a slot may close the connection: onOnline() checks
        if (state == State::Syncing && d->firstSync) {
            d->loadRecent(); // asked before the connection's first `sync`, so answered first
        }
        if (state == State::Online) {
            d->onOnline();
        } else {
            d->sessions->offline();
        }
    });
    connect(d->connection, &Connection::syncProgressChanged, this, &Client::syncProgressChanged);
    // A contact added (here or on another device) may share a status already.
    connect(this, &Client::contactsChanged, this, [this] {
        if (state() == State::Online) {
            d->refreshPeerStatuses({}, {}, Private::Asker::Housekeeping);
        }
    });
    connect(d->connection, &Connection::errorOccurred, this,
        [this](const Error& error) { d->recordError(error); });
    connect(d->connection, &Connection::authenticated, this,
        [this](const QJsonObject& result) { d->onAuthenticated(result); });
    connect(d->connection, &Connection::authenticationFailed, this, [this](const Error& error) {
        if (d->registerDone) {
            auto done = std::exchange(d->registerDone, {});
            done(error);
        }
    });
    connect(d->connection, &Connection::signedOut, this, [this] {
        if (d->revokeDone) {
            // A guest that wiped itself already: the server has now let go of the device.
            auto done = std::exchange(d->revokeDone, {});
            done({});
            return;
        }
        d->onSignedOut();
    });
}

void Client::Private::onSignedOut()
{
    wipe();
    if (registerDone) {
        auto done = std::exchange(registerDone, {});
        done(makeError(ErrorCode::DeviceSignedOut, QStringLiteral("this device was signed out")));
    }
    Q_EMIT q->signedOut();
    Q_EMIT q->accountChanged();
    StoreChanges all;
    all.unread = all.devices = all.contacts = all.status = all.prefs = true;
    emitChanges(all, false);
}

Client::~Client()
{
    // Stop the connection first: its handlers use the store.
    delete d->connection;
    d->connection = nullptr;
}

Result<void> Client::open()
{
    if (isOpen()) {
        return {};
    }
    if (!ensureSodium()) {
        return makeError(
            ErrorCode::ProfileUnusable, QStringLiteral("libsodium cannot be initialised"));
    }
    if (d->guest) {
        return d->openGuest();
    }
    QString error;
    if (!d->profile.open(&error)) {
        return makeError(ErrorCode::ProfileUnusable, error);
    }
    // One process per profile: two would interleave writes to the same outbox and each
    // believe it holds the sync position. The second is refused at once.
    d->lock = std::make_unique<QLockFile>(d->profile.filePath(QString::fromLatin1(LockFileName)));
    d->lock->setStaleLockTime(0); // held as long as the process runs; a dead one's is stale
    if (!d->lock->tryLock(0)) {
        const QLockFile::LockError reason = d->lock->error();
        d->lock.reset();
        if (reason == QLockFile::LockFailedError) {
            qint64 pid = 0;
            QString host;
            QString app;
            QLockFile(d->profile.filePath(QString::fromLatin1(LockFileName)))
                .getLockInfo(&pid, &host, &app);
            return makeError(ErrorCode::ProfileBusy,
                QStringLiteral("the profile %1 is open in another process (%2, pid %3)")
                    .arg(d->profile.dir(), app.isEmpty() ? QStringLiteral("unknown") : app)
                    .arg(pid));
        }
        return makeError(ErrorCode::ProfileUnusable,
            QStringLiteral("cannot lock the profile %1 (is it writable?)").arg(d->profile.dir()));
    }
    d->keystore = std::make_unique<Keystore>(
        d->profile.dir(), QStringLiteral("profile-") + d->profile.instanceId());
    SecretKey key = d->keystore->load(Keystore::kindFromName(d->profile.keyStorage()), &error);
    if (key.isNull()) {
        d->lock.reset();
        return makeError(ErrorCode::ProfileUnusable, error);
    }
    d->profile.setKeyStorage(Keystore::kindName(d->keystore->kind()));
    d->box = std::make_unique<SecretBox>(std::move(key));
    if (const Result<void> opened = d->openStore(); !opened) {
        d->lock.reset();
        return opened;
    }
    return {};
}

bool Client::isOpen() const { return d->store != nullptr; }

QString Client::profileDir() const
{
    if (d->guest) {
        return d->vault ? d->vault->dir() : QString();
    }
    return d->profile.dir();
}

bool Client::isGuest() const { return d->guest; }

void Client::signOut(Callback done)
{
    if (!d->guest) {
        signOutDevice(deviceId(), std::move(done));
        return;
    }
    if (!isOpen()) {
        return d->failLater(notOpen(), done);
    }
    // GST-4: the wipe does not wait for the network. What the server must hear is taken
    // out first, into this object's memory only, and told afterwards.
    Credentials revoke;
    revoke.address = d->profile.address();
    revoke.deviceId = d->profile.deviceId();
    revoke.token = d->token();
    revoke.signOutOnly = true;
    const QList<QUrl> urls = serverUrls();
    d->connection->close();
    d->onSignedOut();
    if (revoke.deviceId <= 0 || revoke.token.isEmpty()) {
        if (done) {
            done({}); // never signed in: nothing to tell
        }
        return;
    }
    d->revokeDone = done ? std::move(done) : Callback([](const Error&) {});
    d->connection->open(urls, revoke);
    secrets::wipe(revoke.token);
}

QString Client::recoveredStore() const { return d->recoveredStore; }

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

QList<QUrl> Client::serverUrls() const
{
    return isOpen() ? d->profile.serverUrls() : QList<QUrl>();
}

void Client::setServerUrls(const QList<QUrl>& urls)
{
    if (isOpen()) {
        d->profile.setServerUrls(urls);
    }
}

QUrl Client::currentServerUrl() const
{
    const QUrl url = d->connection->url();
    return url.isValid() ? url : serverUrl();
}

QString Client::caFile() const { return isOpen() ? d->profile.caFile() : QString(); }

void Client::setCaFile(const QString& path)
{
    if (isOpen()) {
        d->profile.setCaFile(path);
    }
}

void Client::setAllowInsecure(bool allow) { d->allowInsecure = allow; }

bool Client::isInsecure(const QUrl& url)
{
    if (url.scheme() != QLatin1StringView("ws")) {
        return false;
    }
    const QString host = url.host();
    return host.compare(QLatin1StringView("localhost"), Qt::CaseInsensitive) != 0
        && !QHostAddress(host).isLoopback();
}

Result<void> Client::Private::applyTls()
{
    const QString file = profile.caFile();
    QList<QSslCertificate> certificates;
    if (!file.isEmpty()) {
        certificates = QSslCertificate::fromPath(file, QSsl::Pem);
        if (certificates.isEmpty()) {
            return makeError(ErrorCode::TlsFailed,
                QStringLiteral("the CA file %1 cannot be read or holds no PEM certificate")
                    .arg(file));
        }
    }
    connection->setExtraCaCertificates(certificates);
    return {};
}

void Client::registerDevice(const QString& address, const QString& password,
    const QString& deviceName, const QString& kind, Callback done)
{
    auto fail = [&](ErrorCode code, const QString& message) {
        d->failLater(makeError(code, message), done);
    };
    if (!isOpen()) {
        return d->failLater(notOpen(), done);
    }
    if (!protocol::isValidAddress(address)) {
        return fail(
            ErrorCode::BadRequest, QStringLiteral("'%1' is not a valid address").arg(address));
    }
    if (password.isEmpty() || password.toUtf8().size() > protocol::limits::MaxPasswordBytes) {
        return fail(ErrorCode::BadRequest, QStringLiteral("the password is empty or too long"));
    }
    if (deviceName.trimmed().isEmpty() || deviceName.size() > protocol::limits::MaxNameChars) {
        return fail(
            ErrorCode::BadRequest, QStringLiteral("the device name must have 1 to 64 characters"));
    }
    if (!protocol::isValidKind(kind)) {
        return fail(ErrorCode::BadRequest, QStringLiteral("'%1' is not a device kind").arg(kind));
    }
    if (!serverUrl().isValid()) {
        return fail(ErrorCode::BadRequest, QStringLiteral("no server address is set"));
    }
    for (const QUrl& url : serverUrls()) {
        if (isInsecure(url) && !d->allowInsecure) {
            return fail(ErrorCode::Insecure,
                QStringLiteral("%1 is not encrypted (ws://) and not this computer: the password "
                               "would cross the network in the clear")
                    .arg(url.toDisplayString()));
        }
    }
    if (const Result<void> tls = d->applyTls(); !tls) {
        return d->failLater(tls.error(), done);
    }
    if (!d->profile.address().isEmpty() && d->profile.address() != address) {
        // Another user's data must never mix with this one's.
        d->connection->close();
        d->wipe();
    }
    if (d->registerDone) {
        auto previous = std::exchange(d->registerDone, {});
        previous(
            makeError(ErrorCode::Cancelled, QStringLiteral("another registration was started")));
    }
    d->registerDone = std::move(done);
    d->pendingName = deviceName;
    d->pendingKind = kind;
    Credentials credentials;
    credentials.kind = Credentials::Kind::Register;
    credentials.address = address;
    credentials.password = password;
    credentials.guest = d->guest;
    credentials.device = QJsonObject { { QStringLiteral("instanceId"), d->profile.instanceId() },
        { QStringLiteral("name"), deviceName }, { QStringLiteral("kind"), kind },
        { QStringLiteral("capabilities"), QJsonArray { QStringLiteral("text") } } };
    if (d->connection->state() == State::SignedOut) {
        // Leave the signed-out state: a registration starts afresh.
        d->connection->close();
    }
    d->connection->open(serverUrls(), credentials);
    secrets::wipe(credentials.password); // the connection holds the only copy now
}

void Client::connectToServer()
{
    if (!hasAccount()) {
        d->recordError(
            makeError(ErrorCode::NoAccount, QStringLiteral("this device is not registered yet")));
        return;
    }
    QString token = d->token();
    if (token.isEmpty()) {
        d->recordError(makeError(ErrorCode::NoAccount,
            QStringLiteral("the device token cannot be read with this profile key")));
        return;
    }
    if (const Result<void> tls = d->applyTls(); !tls) {
        secrets::wipe(token);
        d->recordError(tls.error());
        return;
    }
    Credentials credentials;
    credentials.address = d->profile.address();
    credentials.deviceId = d->profile.deviceId();
    credentials.token = token;
    secrets::wipe(token);
    d->connection->open(serverUrls(), credentials);
    secrets::wipe(credentials.token);
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

QList<Error> Client::lastErrors() const { return d->lastErrors; }

Diagnostics Client::diagnostics() const
{
    Diagnostics diag;
    diag.state = state();
    diag.serverUrls = serverUrls();
    diag.serverUrl = currentServerUrl();
    diag.serverVersion = d->connection->serverVersion();
    diag.address = address();
    diag.deviceId = deviceId();
    diag.deviceName = deviceName();
    diag.instanceId = instanceId();
    diag.syncPosition = syncPosition();
    diag.serverHead = serverHead();
    diag.outboxSize = outboxSize().valueOr(-1);
    diag.keyStorage = d->guest ? QStringLiteral("memory")
        : d->keystore          ? Keystore::kindName(d->keystore->kind())
                               : QString();
    diag.profileDir = profileDir();
    diag.guest = d->guest;
    diag.lastErrors = d->lastErrors;
    diag.recoveredStore = d->recoveredStore;
    return diag;
}

QString Client::address() const { return isOpen() ? d->profile.address() : QString(); }

qint64 Client::deviceId() const { return isOpen() ? d->profile.deviceId() : 0; }

QString Client::deviceName() const { return isOpen() ? d->profile.deviceName() : QString(); }

QString Client::deviceKind() const { return isOpen() ? d->profile.deviceKind() : QString(); }

QString Client::instanceId() const { return isOpen() ? d->profile.instanceId() : QString(); }

Result<QString> Client::send(const QString& to, const QString& subject, const QString& body)
{
    return d->enqueue(to, subject, body, 0);
}

Result<QString> Client::send(
    const QString& to, const QString& subject, const QString& body, const QStringList& files)
{
    return d->enqueue(to, subject, body, 0, files);
}

SessionManager& Client::sessions() const { return *d->sessions; }

AttachmentManager& Client::attachments() const { return *d->attachments; }

Result<QString> Client::Private::enqueue(const QString& to, const QString& subject,
    const QString& body, qint64 sessionId, const QStringList& files)
{
    auto refuse = [this](ErrorCode code, const QString& message) -> Result<QString> {
        const Error e = makeError(code, message);
        recordError(e);
        return e;
    };
    if (!q->hasAccount()) {
        return refuse(ErrorCode::NoAccount, QStringLiteral("this device is not registered yet"));
    }
    if (!protocol::isValidAddress(to)) {
        return refuse(ErrorCode::BadRequest,
            QStringLiteral("'%1' is not an address like alice@cpm.example").arg(to));
    }
    if (body.toUtf8().size() > protocol::limits::MaxBodyBytes) {
        return refuse(ErrorCode::TooLarge,
            QStringLiteral("the message is larger than %1 bytes")
                .arg(protocol::limits::MaxBodyBytes));
    }
    if (protocol::characterCount(subject) > protocol::limits::MaxSubjectChars) {
        return refuse(ErrorCode::BadRequest,
            QStringLiteral("the subject is longer than %1 characters")
                .arg(protocol::limits::MaxSubjectChars));
    }
    if (body.isEmpty() && subject.isEmpty() && files.isEmpty()) {
        return refuse(ErrorCode::BadRequest, QStringLiteral("the message is empty"));
    }
    // MSG-1: what can be checked before anything is queued (the server checks again).
    if (files.size() > protocol::limits::MaxAttachmentsPerMessage) {
        return refuse(ErrorCode::BadRequest,
            QStringLiteral("a message may have %1 attachments at most")
                .arg(protocol::limits::MaxAttachmentsPerMessage));
    }
    QList<protocol::Attachment> attached;
    QStringList sources;
    const qint64 maxFile
        = connection->serverLimits().value(QLatin1StringView("maxFileBytes")).toInteger(0);
    for (const QString& file : files) {
        const QFileInfo info(file);
        if (!info.isFile() || !info.isReadable()) {
            return refuse(
                ErrorCode::NotFound, QStringLiteral("%1 is not a readable file").arg(file));
        }
        if (maxFile > 0 && info.size() > maxFile) {
            return refuse(ErrorCode::TooLarge,
                QStringLiteral("%1 is larger than the %2 bytes the server takes")
                    .arg(info.fileName())
                    .arg(maxFile));
        }
        protocol::Attachment a;
        a.name = info.fileName().left(protocol::limits::MaxAttachmentNameChars);
        a.type = QMimeDatabase().mimeTypeForFile(info).name().toLower();
        if (!protocol::isMediaType(a.type)) {
            a.type = QStringLiteral("application/octet-stream");
        }
        a.size = info.size();
        attached.append(a);
        sources.append(info.absoluteFilePath());
    }
    const QString clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const Result<qint64> pendingId = store->enqueue(clientId, q->address(), to.toLower(), subject,
        body, QDateTime::currentMSecsSinceEpoch(), sessionId, attached, sources);
    if (!pendingId) {
        recordError(pendingId.error());
        return pendingId.error();
    }
    Q_EMIT q->messageAdded(*pendingId, to.toLower());
    flushOutbox();
    return clientId;
}

Result<bool> Client::retrySend(qint64 pendingId)
{
    if (!isOpen()) {
        return notOpen();
    }
    StoreChanges changes;
    const Result<bool> requeued = d->checked(d->store->requeue(pendingId, &changes));
    if (requeued && *requeued) {
        d->emitChanges(changes, false);
        d->flushOutbox();
    }
    return requeued;
}

void Client::markRead(qint64 messageId, Callback done)
{
    if (!isOpen()) {
        return d->failLater(notOpen(), done);
    }
    StoreChanges changes;
    const Result<bool> marked = d->store->markRead(messageId, &changes);
    if (!marked) {
        return d->failLater(marked.error(), done);
    }
    if (!*marked) {
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
            done(makeError(ErrorCode::Offline,
                QStringLiteral("not connected; the server will be told later")));
        });
    }
}

void Client::fetchBody(qint64 messageId, Callback done)
{
    d->call(protocol::op::Fetch, { { QStringLiteral("messageId"), messageId } }, std::move(done),
        [this](const QJsonObject& result) -> Result<void> {
            const Result<protocol::Message> message = protocol::Message::fromJson(
                result.value(QLatin1StringView("message")).toObject());
            if (!message) {
                return message.error();
            }
            if (!d->store) {
                return notOpen();
            }
            StoreChanges changes;
            if (const Result<void> stored = d->store->storeMessage(*message, &changes); !stored) {
                return stored;
            }
            d->emitChanges(changes, false);
            // Opened on a device that was only notified: its pictures come now (MSG-1).
            if (const Result<std::optional<Message>> opened = d->store->message(message->id);
                opened && opened->has_value()) {
                d->attachments->autoFetch(**opened, AttachmentManager::Opened);
            }
            return {};
        });
}

Result<void> Client::deleteLocally(qint64 messageId)
{
    if (!isOpen()) {
        return notOpen();
    }
    StoreChanges changes;
    const Result<void> deleted = d->store->deleteLocally(messageId, &changes);
    if (!deleted) {
        d->recordError(deleted.error());
        return deleted;
    }
    d->emitChanges(changes, false);
    return {};
}

void Client::deleteEverywhere(qint64 messageId, Callback done)
{
    if (messageId < 0) {
        // Never reached the server: cancelling it is all there is to do.
        const Result<void> deleted = deleteLocally(messageId);
        if (done) {
            QTimer::singleShot(0, this, [done, deleted] { done(deleted.error()); });
        }
        return;
    }
    d->call(protocol::op::Delete, { { QStringLiteral("messageId"), messageId } }, std::move(done),
        [this, messageId](const QJsonObject&) -> Result<void> {
            if (!d->store) {
                return notOpen();
            }
            StoreChanges changes;
            if (const Result<void> removed = d->store->remove(messageId, &changes); !removed) {
                return removed;
            }
            d->emitChanges(changes, false);
            return {};
        });
}

Result<std::optional<Message>> Client::message(qint64 messageId) const
{
    return d->checked(
        isOpen() ? d->store->message(messageId) : Result<std::optional<Message>>(notOpen()));
}

Result<QList<Message>> Client::messages(
    const QString& peer, int limit, qint64 beforeTime, qint64 beforeLocalId) const
{
    return d->checked(isOpen() ? d->store->messages(peer, limit, beforeTime, beforeLocalId)
                               : Result<QList<Message>>(notOpen()));
}

Result<QList<Conversation>> Client::conversations() const
{
    return d->checked(
        isOpen() ? d->store->conversations() : Result<QList<Conversation>>(notOpen()));
}

Result<int> Client::unreadCount() const
{
    return d->checked(isOpen() ? d->store->unreadCount() : Result<int>(notOpen()));
}

Result<int> Client::outboxSize() const
{
    return d->checked(isOpen() ? d->store->outboxSize() : Result<int>(notOpen()));
}

Result<QList<Device>> Client::devices() const
{
    return d->checked(isOpen() ? d->store->devices() : Result<QList<Device>>(notOpen()));
}

std::optional<UserStatus> Client::peerStatus(const QString& address) const
{
    const auto it = d->peerStatuses.constFind(address);
    return it == d->peerStatuses.cend() ? std::nullopt : std::optional(*it);
}

void Client::refreshPeerStatuses(const QStringList& addresses, Callback done)
{
    d->refreshPeerStatuses(addresses, std::move(done), Private::Asker::Caller);
}

void Client::legacyDeliveries(LegacyDeliveriesCallback done)
{
    auto list = std::make_shared<QList<protocol::LegacyDelivery>>();
    d->call(
        protocol::op::LegacyDeliveries, {},
        [list, done = std::move(done)](const Error& error) { done(error, *list); },
        [list](const QJsonObject& result) -> Result<void> {
            for (const QJsonValue& v : result.value(QLatin1StringView("deliveries")).toArray()) {
                Result<protocol::LegacyDelivery> one
                    = protocol::LegacyDelivery::fromJson(v.toObject());
                if (!one) {
                    return one.error();
                }
                list->append(std::move(one).value());
            }
            return {};
        },
        Private::Asker::Caller);
}

void Client::refreshDevices(Callback done)
{
    d->refreshDevices(std::move(done), Private::Asker::Caller);
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
            return d->applyLocalEvent(protocol::event::Device,
                { { QStringLiteral("device"), result.value(QLatin1StringView("device")) } });
        });
}

void Client::signOutDevice(qint64 deviceId, Callback done)
{
    d->call(protocol::op::DevicesSignOut, { { QStringLiteral("deviceId"), deviceId } },
        std::move(done), [this, deviceId](const QJsonObject&) -> Result<void> {
            if (deviceId == this->deviceId()) {
                // Signed ourselves out: wipe now rather than when the server's close comes.
                d->connection->signOutLocally();
                return {};
            }
            protocol::Device removed;
            removed.id = deviceId;
            return d->applyLocalEvent(
                protocol::event::Device, protocol::DeviceEvent { removed, true }.toJson());
        });
}

void Client::setDelivery(qint64 deviceId, const QString& delivery, Callback done)
{
    d->call(protocol::op::DevicesSetDelivery,
        { { QStringLiteral("deviceId"), deviceId }, { QStringLiteral("delivery"), delivery } },
        std::move(done), [this](const QJsonObject& result) {
            return d->applyLocalEvent(protocol::event::Device,
                { { QStringLiteral("device"), result.value(QLatin1StringView("device")) } });
        });
}

Result<QList<Contact>> Client::contacts() const
{
    return d->checked(isOpen() ? d->store->contacts() : Result<QList<Contact>>(notOpen()));
}

void Client::addContact(const QString& address, const QString& name, Callback done)
{
    QJsonObject args { { QStringLiteral("address"), address } };
    if (!name.isEmpty()) {
        args.insert(QStringLiteral("name"), name);
    }
    d->call(protocol::op::ContactsAdd, args, std::move(done),
        [this, address, name](const QJsonObject&) {
            return d->applyLocalEvent(protocol::event::Contact,
                protocol::ContactEvent { { address.toLower(), name }, false }.toJson());
        });
}

void Client::removeContact(const QString& address, Callback done)
{
    d->call(protocol::op::ContactsRemove, { { QStringLiteral("address"), address } },
        std::move(done), [this, address](const QJsonObject&) {
            return d->applyLocalEvent(protocol::event::Contact,
                protocol::ContactEvent { { address.toLower(), QString() }, true }.toJson());
        });
}

Result<UserStatus> Client::status() const
{
    return d->checked(isOpen() ? d->store->status() : Result<UserStatus>(notOpen()));
}

void Client::setStatus(const QString& status, const QString& text, Callback done)
{
    const QJsonObject args = UserStatus { status, text }.toJson();
    d->call(protocol::op::StatusSet, args, std::move(done), [this, args](const QJsonObject&) {
        return d->applyLocalEvent(protocol::event::Status, args);
    });
}

Result<QVariantMap> Client::prefs() const
{
    return d->checked(isOpen() ? d->store->prefs() : Result<QVariantMap>(notOpen()));
}

Result<QString> Client::deviceSetting(const QString& key) const
{
    if (!isOpen()) {
        return notOpen();
    }
    return d->checked(d->store->deviceSetting(key));
}

Result<void> Client::setDeviceSetting(const QString& key, const QString& value)
{
    if (!isOpen()) {
        return notOpen();
    }
    return d->checked(d->store->setDeviceSetting(key, value));
}

void Client::setPref(const QString& key, const QString& value, Callback done)
{
    const QJsonObject args = protocol::PrefEvent { key, value }.toJson();
    d->call(protocol::op::PrefsSet, args, std::move(done), [this, args](const QJsonObject&) {
        return d->applyLocalEvent(protocol::event::Pref, args);
    });
}

} // namespace cpm
