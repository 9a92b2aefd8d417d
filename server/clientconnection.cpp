// SPDX-License-Identifier: GPL-3.0-or-later
#include "clientconnection.h"

#include "argreader.h"
#include "credentials.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "server.h"
#include "wirejson.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QWebSocket>
#include <QtConcurrent/QtConcurrentRun>

namespace cpm::server {

namespace {
namespace err = protocol::error;
namespace lim = protocol::limits;
using protocol::ArgReader;

constexpr qint64 MaxSafeInteger = 9007199254740991LL;
// Frames that may wait behind a password check; more is a client not waiting for
// answers at all.
constexpr qsizetype MaxQueuedFrames = 64;
// How long a peer gets to answer our close frame before the socket is dropped.
constexpr int CloseGraceMs = 3000;

constexpr QLatin1StringView Capabilities[] = { QLatin1StringView("text"), QLatin1StringView("file"),
    QLatin1StringView("image"), QLatin1StringView("audio"), QLatin1StringView("video") };

qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

bool countsAsAbuse(const QString& code)
{
    return code == err::BadFrame || code == err::FrameTooLarge || code == err::BadRequest
        || code == err::UnknownOp || code == err::NotNegotiated || code == err::Unauthenticated;
}

QJsonObject eventFrame(const QString& name, qint64 seq, const QJsonObject& data)
{
    QJsonObject o { { QStringLiteral("event"), name }, { QStringLiteral("data"), data } };
    if (seq > 0) {
        o.insert(QStringLiteral("seq"), seq);
    }
    return o;
}

// Addresses are compared case-insensitively: stored and looked up in lower case.
QString readAddress(ArgReader& reader, QLatin1StringView key)
{
    const QString address = reader.string(key, lim::MaxAddressChars).toLower();
    if (reader.ok() && !protocol::isValidAddress(address)) {
        reader.fail(err::BadRequest,
            QStringLiteral("field '%1' must be an address like alice@cpm.example").arg(key));
    }
    return address;
}
} // namespace

const ClientConnection::Operation* ClientConnection::findOperation(const QString& name)
{
    namespace op = protocol::op;
    static const Operation operations[] = {
        { op::Hello, &ClientConnection::opHello, false },
        { op::Register, &ClientConnection::opRegister, false },
        { op::Login, &ClientConnection::opLogin, false },
        { op::Ping, &ClientConnection::opPing, false },
        { op::Whoami, &ClientConnection::opWhoami, true },
        { op::Sync, &ClientConnection::opSync, true },
        { op::Ack, &ClientConnection::opAck, true },
        { op::Send, &ClientConnection::opSend, true },
        { op::Fetch, &ClientConnection::opFetch, true },
        { op::Read, &ClientConnection::opRead, true },
        { op::Delete, &ClientConnection::opDelete, true },
        { op::DevicesList, &ClientConnection::opDevicesList, true },
        { op::DevicesRename, &ClientConnection::opDevicesRename, true },
        { op::DevicesSignOut, &ClientConnection::opDevicesSignOut, true },
        { op::DevicesSetDelivery, &ClientConnection::opDevicesSetDelivery, true },
        { op::ProfileGet, &ClientConnection::opProfileGet, true },
        { op::ContactsAdd, &ClientConnection::opContactsAdd, true },
        { op::ContactsRemove, &ClientConnection::opContactsRemove, true },
        { op::StatusSet, &ClientConnection::opStatusSet, true },
        { op::PrefsSet, &ClientConnection::opPrefsSet, true },
    };
    for (const Operation& o : operations) {
        if (name == o.name) {
            return &o;
        }
    }
    return nullptr;
}

ClientConnection::ClientConnection(QWebSocket* socket, Server* server)
    : QObject(server)
    , m_socket(socket)
    , m_server(server)
{
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ClientConnection::onTextMessage);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ClientConnection::onBinaryMessage);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        m_state = State::Closing;
        m_closeDeadline.stop();
        Q_EMIT closed(this);
    });
    m_closeDeadline.setSingleShot(true);
    m_closeDeadline.setInterval(CloseGraceMs);
    connect(&m_closeDeadline, &QTimer::timeout, this, [this] { m_socket->abort(); });
    qCDebug(lcNet) << "connection from" << m_socket->peerAddress().toString();
}

ClientConnection::~ClientConnection()
{
    // The socket is a child and outlives our members by a moment: a `disconnected` it
    // emits while being destroyed must not reach this half-destroyed object.
    m_socket->disconnect(this);
}

// --- frames ----------------------------------------------------------------------------

void ClientConnection::onTextMessage(const QString& text)
{
    if (m_state == State::Closing) {
        return;
    }
    if (m_busy) {
        if (m_queue.size() >= MaxQueuedFrames) {
            close(protocol::close::ProtocolAbuse, QStringLiteral("too many requests in flight"));
            return;
        }
        m_queue.append(text);
        return;
    }
    process(text);
}

void ClientConnection::onBinaryMessage(const QByteArray&)
{
    if (m_state == State::Closing) {
        return;
    }
    // Binary frames are reserved for attachment chunks in a later version.
    fail(QJsonValue(QJsonValue::Null), err::BadFrame,
        QStringLiteral("binary frames are not used in protocol version 1"));
}

void ClientConnection::drainQueue()
{
    while (!m_busy && !m_queue.isEmpty() && m_state != State::Closing) {
        process(m_queue.takeFirst());
    }
}

void ClientConnection::process(const QString& text)
{
    // Every UTF-16 unit is at least one UTF-8 byte: a string this long is too large anyway,
    // so skip converting it.
    if (text.size() > lim::MaxFrameBytes) {
        fail(QJsonValue(QJsonValue::Null), err::FrameTooLarge,
            QStringLiteral("the frame exceeds the limit of %1 bytes").arg(lim::MaxFrameBytes));
        return;
    }
    const protocol::DecodeResult decoded = protocol::decode(text.toUtf8(), lim::MaxFrameBytes);
    if (!decoded.frame) {
        fail(decoded.id.isUndefined() ? QJsonValue(QJsonValue::Null) : decoded.id, decoded.error);
        return;
    }
    if (decoded.frame->type != protocol::Frame::Type::Request) {
        fail(decoded.id.isUndefined() ? QJsonValue(QJsonValue::Null) : decoded.id, err::BadFrame,
            QStringLiteral("a client sends requests only"));
        return;
    }
    dispatch(*decoded.frame);
}

void ClientConnection::dispatch(const protocol::Frame& request)
{
    if (m_state == State::Connected && request.op != protocol::op::Hello) {
        fail(request.id, err::NotNegotiated, QStringLiteral("the first request must be 'hello'"));
        return;
    }
    const Operation* operation = findOperation(request.op);
    if (!operation) {
        fail(request.id, err::UnknownOp,
            QStringLiteral("there is no operation '%1' in protocol version %2")
                .arg(request.op)
                .arg(protocol::Version));
        return;
    }
    if (operation->needsAuth && m_state != State::Authenticated && m_state != State::Live) {
        fail(request.id, err::Unauthenticated,
            QStringLiteral("'%1' needs a signed-in device: register or login first")
                .arg(request.op));
        return;
    }
    (this->*operation->handler)(request.id, request.args);
    m_server->requestDone();
}

void ClientConnection::send(const QJsonObject& frame)
{
    if (m_state == State::Closing) {
        return;
    }
    m_server->transmit(
        this, QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void ClientConnection::transmitNow(const QString& text) { m_socket->sendTextMessage(text); }

void ClientConnection::reply(const QJsonValue& id, const QJsonObject& result)
{
    send(protocol::Frame::response(id, result).toJson());
}

void ClientConnection::fail(const QJsonValue& id, const protocol::Error& error)
{
    send(protocol::Frame::failure(id, error).toJson());
    if (countsAsAbuse(error.code) && ++m_protocolErrors >= lim::MaxProtocolErrors) {
        qCInfo(lcNet) << "closing a connection after" << m_protocolErrors << "protocol errors";
        close(protocol::close::ProtocolAbuse, QStringLiteral("too many protocol errors"));
    }
}

void ClientConnection::fail(const QJsonValue& id, QLatin1StringView code, const QString& message)
{
    fail(id, protocol::Error { QString(code), message, -1 });
}

void ClientConnection::sendTransient(QLatin1StringView name, const QJsonObject& data)
{
    send(eventFrame(QString(name), 0, data));
}

void ClientConnection::close(int code, const QString& reason)
{
    if (m_state == State::Closing) {
        return;
    }
    m_state = State::Closing;
    m_queue.clear();
    // The answers and events before the close must reach the peer first.
    m_server->transmitClose(this, code, reason);
}

void ClientConnection::closeNow(int code, const QString& reason)
{
    m_state = State::Closing;
    m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    m_closeDeadline.start();
}

void ClientConnection::signOut(const QString& reason)
{
    sendTransient(protocol::event::SignedOut, { { QStringLiteral("reason"), reason } });
    close(protocol::close::SignedOut, reason);
}

// --- events ----------------------------------------------------------------------------

QJsonObject ClientConnection::deviceJson(const DeviceRecord& device) const
{
    return wire::device(device, m_server->isOnline(device.id), device.id == m_device.id);
}

std::optional<QJsonObject> ClientConnection::render(const StoredEvent& event) const
{
    namespace ev = protocol::event;
    namespace dl = protocol::delivery;
    if (event.kind == ev::Message) {
        if (!event.message) {
            return std::nullopt; // no longer in the user's storage
        }
        // Delivery preferences (DEV-3) are about incoming messages; the user's own sent
        // copies reach every device whole.
        const bool incoming = event.message->folder == QLatin1StringView("inbox");
        if (incoming && m_device.delivery == dl::None) {
            return std::nullopt;
        }
        const bool partial = incoming && m_device.delivery == dl::Notification;
        return QJsonObject { { QStringLiteral("message"),
            wire::message(*event.message, partial) } };
    }
    if (event.messageGone && (event.kind == ev::Flags || event.kind == ev::Report)) {
        return std::nullopt;
    }
    if (event.kind == ev::Device) {
        // Stored without the parts that depend on who looks and when.
        QJsonObject data = event.data;
        QJsonObject device = data.value(QLatin1StringView("device")).toObject();
        const qint64 id = device.value(QLatin1StringView("id")).toInteger();
        const bool removed = data.value(QLatin1StringView("removed")).toBool();
        device.insert(QStringLiteral("online"), !removed && m_server->isOnline(id));
        device.insert(QStringLiteral("current"), id == m_device.id);
        data.insert(QStringLiteral("device"), device);
        return data;
    }
    return event.data;
}

ClientConnection::View ClientConnection::viewOf(const StoredEvent& event) const
{
    namespace ev = protocol::event;
    if (event.kind == ev::Message) {
        if (!event.message) {
            return View::Skip;
        }
        if (event.message->folder != QLatin1StringView("inbox")) {
            return View::Whole;
        }
        if (m_device.delivery == protocol::delivery::None) {
            return View::Skip;
        }
        return m_device.delivery == protocol::delivery::Notification ? View::Partial : View::Whole;
    }
    if (event.messageGone && (event.kind == ev::Flags || event.kind == ev::Report)) {
        return View::Skip;
    }
    // A device event says `online` and `current` as this connection sees them.
    return event.kind == ev::Device ? View::Own : View::Whole;
}

void ClientConnection::handleEvent(const StoredEvent& event, RenderedEvent* shared)
{
    if (event.kind == protocol::event::Device) {
        // Keep this connection's view of its own device current: its delivery preference
        // decides what it is sent.
        const QJsonObject device = event.data.value(QLatin1StringView("device")).toObject();
        if (device.value(QLatin1StringView("id")).toInteger() == m_device.id) {
            m_device.name = device.value(QLatin1StringView("name")).toString();
            m_device.delivery = device.value(QLatin1StringView("delivery")).toString();
            m_device.notifySessions = device.value(QLatin1StringView("notifySessions")).toBool();
        }
    }
    if (m_state != State::Live) {
        return; // it will come with the next sync
    }
    const View view = viewOf(event);
    if (view == View::Skip) {
        return;
    }
    std::optional<QString>* text = nullptr;
    if (shared && view != View::Own) {
        text = &shared->texts[view == View::Partial ? 1 : 0];
        if (*text) {
            m_server->transmit(this, **text);
            return;
        }
    }
    QString rendered;
    if (event.message) {
        // The frame of nearly every push: written directly (wirejson.h).
        rendered = wire::messageEventText(event.seq, *event.message, view == View::Partial);
    } else if (view == View::Whole && !event.dataJson.isEmpty()) {
        // As stored: the payload's text is already JSON.
        rendered = wire::eventText(event.kind, event.seq, event.dataJson);
    } else {
        const std::optional<QJsonObject> data = render(event);
        if (!data) {
            return;
        }
        rendered = QString::fromUtf8(
            QJsonDocument(eventFrame(event.kind, event.seq, *data)).toJson(QJsonDocument::Compact));
    }
    if (text) {
        *text = rendered;
    }
    m_server->transmit(this, rendered);
}

// --- handshake and sign-in -------------------------------------------------------------

void ClientConnection::opHello(const QJsonValue& id, const QJsonObject& args)
{
    if (m_state != State::Connected) {
        fail(id, err::AlreadyNegotiated, QStringLiteral("'hello' was already answered"));
        return;
    }
    const QJsonValue versions = args.value(QLatin1StringView("versions"));
    const QJsonArray list = versions.toArray();
    bool valid = versions.isArray() && !list.isEmpty() && list.size() <= 32;
    bool common = false;
    for (const QJsonValue& v : list) {
        valid = valid && v.isDouble() && v.toDouble() == static_cast<double>(v.toInteger());
        common = common || v.toInteger() == protocol::Version;
    }
    ArgReader reader(args);
    reader.string(QLatin1StringView("client"), 64, ArgReader::Optional);
    if (!valid) {
        reader.fail(
            err::BadRequest, QStringLiteral("field 'versions' must be a list of 1 to 32 integers"));
    }
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    if (!common) {
        fail(id, err::VersionUnsupported,
            QStringLiteral("this server speaks protocol version %1 only").arg(protocol::Version));
        return;
    }
    m_state = State::Negotiated;
    const QJsonObject limits { { QStringLiteral("maxFrameBytes"), lim::MaxFrameBytes },
        { QStringLiteral("maxBodyBytes"), lim::MaxBodyBytes },
        { QStringLiteral("maxSubjectChars"), lim::MaxSubjectChars },
        { QStringLiteral("syncBatch"), lim::SyncBatch } };
    reply(id,
        { { QStringLiteral("version"), protocol::Version },
            { QStringLiteral("server"), QStringLiteral("cpm-server/" CPM_VERSION) },
            { QStringLiteral("limits"), limits } });
}

bool ClientConnection::throttled(const QJsonValue& id, const QString& address)
{
    ServerStore& store = m_server->store();
    const int wait = m_server->throttle().retryAfter(address,
        static_cast<int>(store.settingInt(settings::LoginMaxFailures)),
        store.settingInt(settings::LoginWindowSeconds) * 1000, now());
    if (wait <= 0) {
        return false;
    }
    qCInfo(lcAuth) << "sign-in throttled for" << address;
    fail(id,
        protocol::Error { QString(err::Throttled),
            QStringLiteral("too many failed sign-ins for this address; try again in %1 s")
                .arg(wait),
            wait });
    return true;
}

void ClientConnection::opRegister(const QJsonValue& id, const QJsonObject& args)
{
    if (m_state == State::Authenticated || m_state == State::Live) {
        fail(id, err::AlreadyAuthenticated, QStringLiteral("this connection is signed in"));
        return;
    }
    ArgReader reader(args);
    const QString address = readAddress(reader, QLatin1StringView("address"));
    const QString password = reader.string(QLatin1StringView("password"), lim::MaxPasswordBytes);
    QByteArray passwordBytes = password.toUtf8();
    if (reader.ok() && passwordBytes.size() > lim::MaxPasswordBytes) {
        reader.fail(err::BadRequest,
            QStringLiteral("field 'password' is longer than %1 bytes").arg(lim::MaxPasswordBytes));
    }
    ArgReader deviceReader(reader.object(QLatin1StringView("device")));
    ServerStore::NewDevice device;
    if (reader.ok()) {
        device.instanceId = deviceReader.string(QLatin1StringView("instanceId"), 64);
        device.name = deviceReader.string(QLatin1StringView("name"), lim::MaxNameChars);
        device.kind = deviceReader.oneOf(QLatin1StringView("kind"), protocol::kind::All);
        device.capabilities = deviceReader.stringList(QLatin1StringView("capabilities"), 5, 16);
        for (const QString& capability : std::as_const(device.capabilities)) {
            if (std::find(std::begin(Capabilities), std::end(Capabilities), capability)
                == std::end(Capabilities)) {
                deviceReader.fail(err::BadRequest,
                    QStringLiteral("unknown capability '%1' in 'device.capabilities'")
                        .arg(capability));
            }
        }
        device.capabilities.removeDuplicates();
        if (!deviceReader.ok()) {
            protocol::Error e = deviceReader.error();
            e.message = QStringLiteral("device: ") + e.message;
            fail(id, e);
            return;
        }
    }
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    if (throttled(id, address)) {
        return;
    }
    const std::optional<UserRecord> user = m_server->store().userByAddress(address);
    const QByteArray hash = user ? user->passwordHash : QByteArray();

    // Argon2 takes ~100 ms and 64 MiB: never on the network thread. The watcher is a
    // child, so a connection that closes meanwhile simply never hears the result.
    m_busy = true;
    auto* watcher = new QFutureWatcher<bool>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, id, address, device] {
        const bool ok = watcher->result();
        watcher->deleteLater();
        m_busy = false;
        finishRegister(id, address, ok, device);
        drainQueue();
    });
    watcher->setFuture(QtConcurrent::run(m_server->hashPool(),
        [hash, passwordBytes]() { return credentials::verifyPassword(hash, passwordBytes); }));
}

void ClientConnection::finishRegister(const QJsonValue& id, const QString& address, bool passwordOk,
    const ServerStore::NewDevice& newDevice)
{
    if (m_state == State::Closing) {
        return;
    }
    ServerStore& store = m_server->store();
    const std::optional<UserRecord> user = passwordOk ? store.userByAddress(address) : std::nullopt;
    if (!user) {
        qCInfo(lcAuth) << "failed register for" << address;
        m_server->throttle().recordFailure(address, now());
        fail(id, err::AuthFailed, QStringLiteral("wrong address or password"));
        return;
    }
    if (!user->enabled) {
        fail(id, err::AccountDisabled, QStringLiteral("the operator disabled this account"));
        return;
    }
    m_server->throttle().recordSuccess(address);
    const QString token = credentials::newToken();
    ServerStore::NewDevice device = newDevice;
    device.tokenHash = credentials::tokenHash(token);
    QList<StoredEvent> events;
    const std::optional<DeviceRecord> record
        = store.registerDevice(user->id, device, now(), &events);
    if (!record) {
        fail(id, err::Internal, QStringLiteral("the device could not be stored; try again"));
        return;
    }
    qCInfo(lcAuth) << "registered device" << record->id << "for" << address;
    becomeAuthenticated(*user, *record);
    reply(id,
        { { QStringLiteral("address"), user->address }, { QStringLiteral("deviceId"), record->id },
            { QStringLiteral("token"), token },
            { QStringLiteral("device"), deviceJson(m_device) } });
    m_server->publish(events);
}

void ClientConnection::opLogin(const QJsonValue& id, const QJsonObject& args)
{
    if (m_state == State::Authenticated || m_state == State::Live) {
        fail(id, err::AlreadyAuthenticated, QStringLiteral("this connection is signed in"));
        return;
    }
    ArgReader reader(args);
    const QString address = readAddress(reader, QLatin1StringView("address"));
    const qint64 deviceId = reader.integer(QLatin1StringView("deviceId"), 1, MaxSafeInteger);
    const QString token = reader.string(QLatin1StringView("token"), 64);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    if (throttled(id, address)) {
        return;
    }
    // A token is 256 random bits: checking it is cheap and needs no Argon2.
    ServerStore& store = m_server->store();
    const std::optional<UserRecord> user = store.userByAddress(address);
    const std::optional<DeviceRecord> device = store.deviceById(deviceId);
    if (!user || !device || device->userId != user->id
        || !credentials::tokenMatches(device->tokenHash, token)) {
        qCInfo(lcAuth) << "failed login for" << address << "device" << deviceId;
        m_server->throttle().recordFailure(address, now());
        fail(id, err::AuthFailed, QStringLiteral("wrong address, device or token"));
        return;
    }
    if (!device->isSignedIn()) {
        fail(id, err::DeviceSignedOut,
            QStringLiteral("this device was signed out; wipe its data and register again"));
        return;
    }
    if (!user->enabled) {
        fail(id, err::AccountDisabled, QStringLiteral("the operator disabled this account"));
        return;
    }
    m_server->throttle().recordSuccess(address);
    becomeAuthenticated(*user, *device);
    reply(id,
        { { QStringLiteral("address"), user->address }, { QStringLiteral("deviceId"), deviceId },
            { QStringLiteral("device"), deviceJson(m_device) } });
}

void ClientConnection::becomeAuthenticated(const UserRecord& user, const DeviceRecord& device)
{
    m_userId = user.id;
    m_address = user.address;
    m_device = device;
    m_device.tokenHash.clear();
    m_state = State::Authenticated;
    m_server->connectionAuthenticated(this);
}

// --- the stream ------------------------------------------------------------------------

void ClientConnection::opWhoami(const QJsonValue& id, const QJsonObject&)
{
    const std::optional<UserRecord> user = m_server->store().userById(m_userId);
    const std::optional<DeviceRecord> device = m_server->store().deviceById(m_device.id);
    if (!user || !device) {
        fail(id, err::Internal, QStringLiteral("the account could not be read"));
        return;
    }
    reply(id,
        { { QStringLiteral("address"), user->address }, { QStringLiteral("deviceId"), device->id },
            { QStringLiteral("device"), deviceJson(*device) },
            { QStringLiteral("head"), user->headSeq } });
}

void ClientConnection::opPing(const QJsonValue& id, const QJsonObject&)
{
    reply(id, { { QStringLiteral("time"), now() } });
}

void ClientConnection::opSync(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const qint64 since = reader.integer(QLatin1StringView("since"), 0, MaxSafeInteger);
    const qint64 limit = reader.integer(
        QLatin1StringView("limit"), 1, lim::SyncBatch, ArgReader::Optional, lim::SyncBatch);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    ServerStore& store = m_server->store();
    const std::optional<UserRecord> user = store.userById(m_userId);
    const std::optional<QList<StoredEvent>> events
        = store.eventsAfter(m_userId, since, static_cast<int>(limit));
    if (!user || !events) {
        fail(id, err::Internal, QStringLiteral("the event stream could not be read"));
        return;
    }
    QJsonArray out;
    for (const StoredEvent& event : *events) {
        if (const std::optional<QJsonObject> data = render(event)) {
            out.append(eventFrame(event.kind, event.seq, *data));
        }
    }
    // Skipped events (not for this device, or about messages deleted since) still count:
    // `next` covers everything scanned.
    const qint64 head = user->headSeq;
    const qint64 last = events->isEmpty() ? since : events->constLast().seq;
    const bool more = events->size() == limit && last < head;
    const qint64 next = more ? last : std::max(since, head);
    // Between this read and the next committed event nothing can happen (one thread), so
    // from here on pushing is gapless.
    m_state = more ? State::Authenticated : State::Live;
    reply(id,
        { { QStringLiteral("events"), out }, { QStringLiteral("next"), next },
            { QStringLiteral("head"), head }, { QStringLiteral("more"), more } });
}

void ClientConnection::opAck(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const qint64 seq = reader.integer(QLatin1StringView("seq"), 0, MaxSafeInteger);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    // Only a device that incoming messages reach can make them delivered.
    const bool reached = m_device.delivery != protocol::delivery::None;
    QList<StoredEvent> events;
    const qint64 acked = m_server->store().ack(m_userId, m_device.id, seq, reached, now(), &events);
    if (acked < 0) {
        fail(id, err::Internal, QStringLiteral("the position could not be stored"));
        return;
    }
    reply(id, { { QStringLiteral("acked"), acked } });
    m_server->publish(events);
}

// --- messages --------------------------------------------------------------------------

void ClientConnection::opSend(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    ServerStore::Submit submit;
    submit.clientId = reader.string(QLatin1StringView("clientId"), lim::MaxClientIdChars);
    if (reader.ok() && !protocol::isValidClientId(submit.clientId)) {
        reader.fail(err::BadRequest,
            QStringLiteral("field 'clientId' must be 1-64 characters of A-Z a-z 0-9 . _ -"));
    }
    submit.to = readAddress(reader, QLatin1StringView("to"));
    submit.subject
        = reader.string(QLatin1StringView("subject"), lim::MaxSubjectChars, ArgReader::Optional);
    submit.body = reader.text(QLatin1StringView("body"), lim::MaxBodyBytes);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    ServerStore& store = m_server->store();
    submit.senderId = m_userId;
    submit.dailyQuota = store.settingInt(settings::QuotaDailyMessages);
    submit.now = now();
    QList<StoredEvent> events;
    const ServerStore::SubmitResult result = m_server->isRoutingOnly()
        ? m_server->routeWithoutStoring(submit, &events)
        : store.submitMessage(submit, &events);
    using Outcome = ServerStore::SubmitResult::Outcome;
    switch (result.outcome) {
    case Outcome::Stored:
    case Outcome::Duplicate:
        // The answer, then the pushes; none leaves before the commit (Server::transmit).
        if (m_state != State::Closing) {
            m_server->transmit(this,
                wire::responseText(id,
                    QStringLiteral("\"messageId\":%1,\"seq\":%2,\"time\":%3,\"duplicate\":%4")
                        .arg(result.messageId)
                        .arg(result.seq)
                        .arg(result.time)
                        .arg(result.outcome == Outcome::Duplicate ? QLatin1StringView("true")
                                                                  : QLatin1StringView("false"))));
        }
        m_server->publish(events);
        return;
    case Outcome::Conflict:
        fail(id, err::Conflict,
            QStringLiteral("clientId '%1' was used for a different message").arg(submit.clientId));
        return;
    case Outcome::Disabled:
        fail(id, err::AccountDisabled, QStringLiteral("the operator disabled this account"));
        return;
    case Outcome::QuotaExceeded:
        fail(id, err::QuotaExceeded,
            QStringLiteral("the daily quota of %1 messages is used up").arg(submit.dailyQuota));
        return;
    case Outcome::NoSuchUser:
        fail(id, err::NoSuchUser, QStringLiteral("there is no user %1").arg(submit.to));
        return;
    case Outcome::SelfSend:
        fail(id, err::BadRequest, QStringLiteral("field 'to' must not be your own address"));
        return;
    case Outcome::Failed:
        break;
    }
    fail(id, err::Internal, QStringLiteral("the message could not be stored; try again"));
}

void ClientConnection::opFetch(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const qint64 messageId = reader.integer(QLatin1StringView("messageId"), 1, MaxSafeInteger);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    const std::optional<MessageView> message = m_server->store().message(m_userId, messageId);
    if (!message) {
        fail(id, err::NotFound, QStringLiteral("no message %1 in your storage").arg(messageId));
        return;
    }
    reply(id, { { QStringLiteral("message"), wire::message(*message, false) } });
}

void ClientConnection::opRead(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const qint64 messageId = reader.integer(QLatin1StringView("messageId"), 1, MaxSafeInteger);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    switch (m_server->store().markRead(m_userId, messageId, now(), &events)) {
    case ServerStore::Change::Done:
    case ServerStore::Change::Unchanged:
        reply(id);
        m_server->publish(events);
        return;
    case ServerStore::Change::NotFound:
        fail(id, err::NotFound, QStringLiteral("no message %1 in your storage").arg(messageId));
        return;
    case ServerStore::Change::Failed:
        break;
    }
    fail(id, err::Internal, QStringLiteral("the message could not be updated; try again"));
}

void ClientConnection::opDelete(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const qint64 messageId = reader.integer(QLatin1StringView("messageId"), 1, MaxSafeInteger);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    switch (m_server->store().deleteMessage(m_userId, messageId, &events)) {
    case ServerStore::Change::Done:
    case ServerStore::Change::Unchanged:
        reply(id);
        m_server->publish(events);
        return;
    case ServerStore::Change::NotFound:
        fail(id, err::NotFound, QStringLiteral("no message %1 in your storage").arg(messageId));
        return;
    case ServerStore::Change::Failed:
        break;
    }
    fail(id, err::Internal, QStringLiteral("the message could not be deleted; try again"));
}

// --- devices ---------------------------------------------------------------------------

void ClientConnection::opDevicesList(const QJsonValue& id, const QJsonObject&)
{
    QJsonArray devices;
    const QList<DeviceRecord> records = m_server->store().devices(m_userId);
    for (const DeviceRecord& d : records) {
        devices.append(deviceJson(d));
    }
    reply(id, { { QStringLiteral("devices"), devices } });
}

void ClientConnection::applyDeviceChange(
    const QJsonValue& id, qint64 deviceId, const ServerStore::DeviceChange& change)
{
    QList<StoredEvent> events;
    const std::optional<DeviceRecord> device
        = m_server->store().updateDevice(m_userId, deviceId, change, &events);
    if (!device) {
        // Also for another user's device: its existence is not ours to reveal.
        fail(id, err::NotFound, QStringLiteral("you have no device %1").arg(deviceId));
        return;
    }
    m_server->publish(events);
    reply(id, { { QStringLiteral("device"), deviceJson(*device) } });
}

void ClientConnection::opDevicesRename(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    ServerStore::DeviceChange change;
    const qint64 deviceId = reader.integer(QLatin1StringView("deviceId"), 1, MaxSafeInteger);
    change.name = reader.string(QLatin1StringView("name"), lim::MaxNameChars);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    applyDeviceChange(id, deviceId, change);
}

void ClientConnection::opDevicesSetDelivery(const QJsonValue& id, const QJsonObject& args)
{
    namespace dl = protocol::delivery;
    static constexpr QLatin1StringView deliveries[] = { dl::Full, dl::Notification, dl::None };
    ArgReader reader(args);
    ServerStore::DeviceChange change;
    const qint64 deviceId = reader.integer(QLatin1StringView("deviceId"), 1, MaxSafeInteger);
    change.delivery = reader.oneOf(QLatin1StringView("delivery"), deliveries);
    if (reader.has(QLatin1StringView("notifySessions"))) {
        change.notifySessions = reader.boolean(QLatin1StringView("notifySessions"));
    }
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    applyDeviceChange(id, deviceId, change);
}

void ClientConnection::opDevicesSignOut(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const qint64 deviceId = reader.integer(QLatin1StringView("deviceId"), 1, MaxSafeInteger);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    switch (m_server->store().signOutDevice(m_userId, deviceId, now(), &events)) {
    case ServerStore::SignOut::Done:
        qCInfo(lcAuth) << "device" << deviceId << "of" << m_address << "signed out";
        reply(id);
        m_server->publish(events);
        m_server->disconnectSignedOutDevice(m_userId, deviceId);
        return;
    case ServerStore::SignOut::AlreadySignedOut:
        reply(id);
        return;
    case ServerStore::SignOut::NotFound:
        fail(id, err::NotFound, QStringLiteral("you have no device %1").arg(deviceId));
        return;
    case ServerStore::SignOut::Failed:
        break;
    }
    fail(id, err::Internal, QStringLiteral("the device could not be signed out; try again"));
}

// --- profile ---------------------------------------------------------------------------

void ClientConnection::opProfileGet(const QJsonValue& id, const QJsonObject&)
{
    ServerStore& store = m_server->store();
    const std::optional<UserRecord> user = store.userById(m_userId);
    if (!user) {
        fail(id, err::Internal, QStringLiteral("the profile could not be read"));
        return;
    }
    QJsonArray contacts;
    const QList<Contact> list = store.contacts(m_userId);
    for (const Contact& c : list) {
        contacts.append(wire::contact(c));
    }
    QJsonObject prefs;
    const QMap<QString, QString> map = store.prefs(m_userId);
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        prefs.insert(it.key(), it.value());
    }
    reply(id,
        { { QStringLiteral("contacts"), contacts },
            { QStringLiteral("status"),
                QJsonObject { { QStringLiteral("status"), user->status },
                    { QStringLiteral("text"), user->statusText } } },
            { QStringLiteral("prefs"), prefs } });
}

void ClientConnection::opContactsAdd(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    Contact contact;
    contact.address = readAddress(reader, QLatin1StringView("address"));
    contact.name = reader.string(QLatin1StringView("name"), lim::MaxNameChars, ArgReader::Optional);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    if (!m_server->store().addContact(m_userId, contact, &events)) {
        fail(id, err::Internal, QStringLiteral("the contact could not be stored; try again"));
        return;
    }
    reply(id);
    m_server->publish(events);
}

void ClientConnection::opContactsRemove(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const QString address = readAddress(reader, QLatin1StringView("address"));
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    if (m_server->store().removeContact(m_userId, address, &events)
        == ServerStore::Change::Failed) {
        fail(id, err::Internal, QStringLiteral("the contact could not be removed; try again"));
        return;
    }
    reply(id);
    m_server->publish(events);
}

void ClientConnection::opStatusSet(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const QString status = reader.oneOf(QLatin1StringView("status"), protocol::status::All);
    const QString text = reader.string(QLatin1StringView("text"), 256, ArgReader::Optional);
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    if (!m_server->store().setStatus(m_userId, status, text, &events)) {
        fail(id, err::Internal, QStringLiteral("the status could not be stored; try again"));
        return;
    }
    reply(id);
    m_server->publish(events);
}

void ClientConnection::opPrefsSet(const QJsonValue& id, const QJsonObject& args)
{
    ArgReader reader(args);
    const QString key = reader.string(QLatin1StringView("key"), 64);
    // An empty value is a value: read it as optional, then insist it is there.
    const QString value
        = reader.string(QLatin1StringView("value"), lim::MaxPrefValueChars, ArgReader::Optional);
    if (reader.ok() && !args.value(QLatin1StringView("value")).isString()) {
        reader.fail(err::BadRequest, QStringLiteral("field 'value' is required"));
    }
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    QList<StoredEvent> events;
    if (!m_server->store().setPref(m_userId, key, value, &events)) {
        fail(id, err::Internal, QStringLiteral("the preference could not be stored; try again"));
        return;
    }
    reply(id);
    m_server->publish(events);
}

} // namespace cpm::server
