// SPDX-License-Identifier: GPL-3.0-or-later
#include "connection.h"

#include "binaryframecodec.h"
#include "logging.h"
#include "model.h"
#include "protocol.h"
#include "secrets.h"
#include "transport.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

namespace cpm {

namespace {
// Errors after which asking again with the same credentials cannot succeed.
bool isFinalAuthError(const Error& error)
{
    return error.code == ErrorCode::AuthFailed || error.code == ErrorCode::AccountDisabled
        || error.code == ErrorCode::VersionUnsupported || error.code == ErrorCode::BadRequest;
}

// A message received (not this user's sent copy): its ack makes it delivered, and the
// sender waits for that report. Every other event's ack only moves the stored position.
bool isIncomingMessage(const protocol::Frame& event)
{
    return event.event == protocol::event::Message
        && event.data.value(QLatin1StringView("message"))
               .toObject()
               .value(QLatin1StringView("folder"))
               .toString()
        == protocol::folderName(protocol::Folder::Inbox);
}
} // namespace

struct Connection::Pending {
    ResultHandler handler;
    PayloadHandler payloadHandler; //!< instead of handler, for answers with a payload
    QTimer timer;

    void answer(const QJsonObject& result, const QByteArray& payload, const Error& error)
    {
        if (payloadHandler) {
            payloadHandler(result, payload, error);
        } else if (handler) {
            handler(result, error);
        }
    }
};

Connection::Connection(std::unique_ptr<Transport> transport, EventSink* sink, QObject* parent)
    : QObject(parent)
    , m_transport(std::move(transport))
    , m_sink(sink)
    , m_reconnectTimer(new QTimer(this))
    , m_ackTimer(new QTimer(this))
    , m_pingTimer(new QTimer(this))
{
    m_transport->setParent(nullptr);
    connect(m_transport.get(), &Transport::opened, this, &Connection::onOpened);
    connect(m_transport.get(), &Transport::closed, this, &Connection::onClosed);
    connect(m_transport.get(), &Transport::textReceived, this, &Connection::onText);
    connect(m_transport.get(), &Transport::binaryReceived, this, &Connection::onBinary);
    connect(m_transport.get(), &Transport::tlsFailed, this,
        [this](const Error& error) { m_tlsError = error; });
    connect(m_transport.get(), &Transport::unreachable, this,
        [this](const Error& error) { m_unreachableError = error; });

    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, [this] {
        if (m_wanted && m_state == State::Disconnected) {
            openNextNode();
        }
    });
    m_ackTimer->setSingleShot(true);
    connect(m_ackTimer, &QTimer::timeout, this, &Connection::sendAck);
    // A ping now and then notices a connection that died without a close (a suspended
    // laptop, a NAT timeout) sooner than TCP would.
    m_pingTimer->setInterval(PingIntervalMs);
    connect(m_pingTimer, &QTimer::timeout, this, [this] {
        sendRaw(protocol::op::Ping, {}, [this](const QJsonObject&, const Error& error) {
            if (error.code == ErrorCode::Timeout) {
                dropConnection(QStringLiteral("no answer to ping"));
            }
        });
    });
}

Connection::~Connection()
{
    m_wanted = false;
    // Quitting right after something arrived: what was applied is acknowledged on the way
    // out, so an incoming message counts as delivered now rather than when this device
    // comes back. The close hands the ack and a close frame to the system before the
    // socket goes (QWebSocket flushes on close).
    const bool open = m_transport->isOpen();
    if (open && m_authenticated) {
        sendAck();
    }
    m_transport->disconnect(this);
    if (open) {
        m_transport->close();
    }
    // Handlers may touch their owners, which are being destroyed: drop them unanswered.
    m_pending.clear();
}

int Connection::backoffDelayMs(int attempt, double jitter)
{
    const int base = 500 << std::min(attempt, 6); // 0.5, 1, 2, ... 32 s
    const int capped = std::min(base, 30000);
    return int(capped * (1.0 + 0.2 * std::clamp(jitter, -1.0, 1.0)));
}

void Connection::setState(State state)
{
    if (m_state == state) {
        return;
    }
    qCDebug(lcConnection) << "state" << m_state << "->" << state;
    m_state = state;
    if (state == State::Online) {
        m_pingTimer->start();
    } else {
        m_pingTimer->stop();
    }
    Q_EMIT stateChanged(state);
}

void Connection::open(const QUrl& url, const Credentials& credentials)
{
    open(QList<QUrl> { url }, credentials);
}

void Connection::open(const QList<QUrl>& urls, const Credentials& credentials)
{
    if (m_state == State::SignedOut && credentials.kind == Credentials::Kind::Login) {
        return; // a signed-out device's token is dead; only a registration leaves this state
    }
    m_urls = urls.isEmpty() ? QList<QUrl> { QUrl() } : urls;
    m_urlIndex = 0;
    m_unreachableNodes = 0;
    m_credentials = credentials;
    m_tlsError = {};
    m_wanted = true;
    m_attempt = 0;
    m_reconnectTimer->stop();
    if (m_transport->isOpen() || m_state != State::Disconnected) {
        // Start over with the new credentials; the transport replaces its socket.
        m_authenticated = false;
        m_ackTimer->stop();
        failAllPending(
            makeError(ErrorCode::Disconnected, QStringLiteral("the connection was restarted")));
        setState(State::Disconnected);
    }
    setState(State::Connecting);
    qCInfo(lcConnection) << "connecting to" << url().toDisplayString();
    startAttempt();
}

void Connection::startAttempt()
{
    // What the last attempt learnt is not this one's (a socket closed while signed out
    // never reached onClosed's bookkeeping).
    m_socketOpened = false;
    m_unreachableError = {};
    m_transport->open(url());
}

void Connection::openNextNode()
{
    if (m_urls.size() > 1) {
        m_urlIndex = (m_urlIndex + 1) % m_urls.size();
        qCInfo(lcConnection) << "trying the next server," << url().toDisplayString();
    }
    setState(State::Connecting);
    startAttempt();
}

void Connection::setExtraCaCertificates(const QList<QSslCertificate>& certificates)
{
    m_transport->setExtraCaCertificates(certificates);
}

void Connection::close()
{
    m_wanted = false;
    m_reconnectTimer->stop();
    m_ackTimer->stop();
    if (m_transport->isOpen()) {
        sendAck();
    }
    secrets::wipe(m_credentials.password);
    m_transport->close();
    failAllPending(makeError(ErrorCode::Disconnected, QStringLiteral("the connection was closed")));
    m_authenticated = false;
    if (m_state != State::SignedOut) {
        setState(State::Disconnected);
    }
}

void Connection::setAutoReconnect(bool enabled) { m_autoReconnect = enabled; }

bool Connection::isReconnectScheduled() const { return m_reconnectTimer->isActive(); }

void Connection::onOpened()
{
    qCDebug(lcConnection) << "socket open, negotiating";
    m_socketOpened = true;
    m_authenticated = false;
    m_buffered.clear();
    QJsonObject args { { QStringLiteral("versions"), QJsonArray { protocol::Version } } };
    if (!m_clientName.isEmpty()) {
        args.insert(QStringLiteral("client"), m_clientName.left(64));
    }
    sendRaw(protocol::op::Hello, args, [this](const QJsonObject& result, const Error& error) {
        if (!error.isNull()) {
            // A connection lost meanwhile (the server stopped, a node died) is the
            // reconnect logic's to handle, not a fault to warn of.
            if (error.code == ErrorCode::Disconnected) {
                qCInfo(lcConnection) << "hello not answered: the connection was lost";
            } else {
                qCWarning(lcConnection) << "hello refused:" << error.code << error.message;
            }
            Q_EMIT errorOccurred(error);
            if (error.code == ErrorCode::VersionUnsupported) {
                m_wanted = false;
                Q_EMIT authenticationFailed(error);
            }
            dropConnection(QStringLiteral("hello failed"));
            return;
        }
        if (result.value(QLatin1StringView("version")).toInt() != protocol::Version) {
            qCWarning(lcConnection) << "server chose an unknown protocol version";
        }
        m_serverVersion = result.value(QLatin1StringView("server")).toString().left(64);
        m_serverLimits = result.value(QLatin1StringView("limits")).toObject();
        m_ackNotices = result.value(QLatin1StringView("notices"))
                           .toArray()
                           .contains(QJsonValue(QString(protocol::op::Ack)));
        authenticate();
    });
}

void Connection::authenticate()
{
    const bool registering = m_credentials.kind == Credentials::Kind::Register;
    QJsonObject args { { QStringLiteral("address"), m_credentials.address } };
    if (registering) {
        args.insert(QStringLiteral("password"), m_credentials.password);
        args.insert(QStringLiteral("device"), m_credentials.device);
        if (m_credentials.guest) {
            args.insert(QStringLiteral("guest"), true);
        }
    } else {
        args.insert(QStringLiteral("deviceId"), m_credentials.deviceId);
        args.insert(QStringLiteral("token"), m_credentials.token);
    }
    const auto op = registering ? protocol::op::Register : protocol::op::Login;
    sendRaw(op, args, [this, registering](const QJsonObject& result, const Error& error) {
        if (registering) {
            // The password is needed exactly once.
            secrets::wipe(m_credentials.password);
        }
        if (!error.isNull()) {
            qCInfo(lcConnection) << (registering ? "register" : "login") << "refused:" << error.code
                                 << error.message;
            if (error.code == ErrorCode::DeviceSignedOut) {
                Q_EMIT errorOccurred(error);
                handleSignedOut();
                return;
            }
            Q_EMIT errorOccurred(error);
            Q_EMIT authenticationFailed(error);
            if (registering || isFinalAuthError(error)) {
                m_wanted = false;
                dropConnection(QStringLiteral("sign-in refused"));
                setState(State::Disconnected);
                return;
            }
            const int delay = error.code == ErrorCode::Throttled && error.retryAfterSeconds > 0
                ? error.retryAfterSeconds * 1000
                : -1;
            m_transport->close();
            scheduleReconnect(delay);
            return;
        }
        const qint64 deviceId = result.value(QLatin1StringView("deviceId")).toInteger();
        const QString token = result.value(QLatin1StringView("token")).toString();
        if (registering) {
            if (deviceId <= 0 || token.isEmpty()) {
                const auto e
                    = makeError(ErrorCode::Internal, QStringLiteral("malformed register answer"));
                Q_EMIT errorOccurred(e);
                Q_EMIT authenticationFailed(e);
                m_wanted = false;
                dropConnection(QStringLiteral("malformed register answer"));
                return;
            }
            // Reconnects sign in with the new token from now on.
            m_credentials.kind = Credentials::Kind::Login;
            m_credentials.deviceId = deviceId;
            m_credentials.token = token;
            m_credentials.address
                = result.value(QLatin1StringView("address")).toString(m_credentials.address);
        }
        m_authenticated = true;
        m_acked = 0;
        if (m_credentials.signOutOnly) {
            signOutSelf();
            return;
        }
        Q_EMIT authenticated(result);
        if (m_state == State::Connecting) { // the slot may have closed us
            setState(State::Syncing);
            syncFrom(m_sink->syncPosition());
        }
    });
}

void Connection::syncFrom(qint64 since)
{
    const QJsonObject args { { QStringLiteral("since"), since },
        { QStringLiteral("limit"), protocol::limits::SyncBatch } };
    sendRaw(protocol::op::Sync, args, [this](const QJsonObject& result, const Error& error) {
        if (!error.isNull()) {
            if (error.code == ErrorCode::Disconnected) {
                qCInfo(lcConnection) << "sync not answered: the connection was lost";
            } else {
                qCWarning(lcConnection) << "sync refused:" << error.code << error.message;
            }
            Q_EMIT errorOccurred(error);
            if (error.code == ErrorCode::DeviceSignedOut) {
                handleSignedOut();
                return;
            }
            dropConnection(QStringLiteral("sync failed"));
            return;
        }
        onSyncResult(result);
    });
}

void Connection::onSyncResult(const QJsonObject& result)
{
    const QJsonValue nextValue = result.value(QLatin1StringView("next"));
    const QJsonValue eventsValue = result.value(QLatin1StringView("events"));
    const qint64 position = m_sink->syncPosition();
    if (!nextValue.isDouble() || !eventsValue.isArray() || nextValue.toInteger(-1) < position) {
        qCWarning(lcConnection) << "malformed sync answer ignored";
        dropConnection(QStringLiteral("malformed sync answer"));
        return;
    }
    const qint64 next = nextValue.toInteger();
    QList<protocol::Frame> events;
    for (const QJsonValue& value : eventsValue.toArray()) {
        Error error;
        auto frame = protocol::Frame::fromJson(value.toObject(), &error);
        if (!value.isObject() || !frame || frame->type != protocol::Frame::Type::Event
            || frame->seq <= position || frame->seq > next) {
            qCWarning(lcConnection) << "skipping a malformed event in a sync answer";
            continue;
        }
        events.append(*frame);
    }
    m_head = std::max(next, result.value(QLatin1StringView("head")).toInteger(next));
    if (const Result<void> applied = m_sink->applyEvents(events, next); !applied) {
        // Not acknowledged, so the server keeps it for the next sync.
        Q_EMIT errorOccurred(applied.error());
        dropConnection(QStringLiteral("store failed"));
        return;
    }
    Q_EMIT syncProgressChanged(next, m_head);
    // Acknowledging each batch at once lets the server report delivery early and keeps
    // a long first sync from being redone after a drop.
    sendAck();
    if (m_state != State::Syncing) {
        return; // something applied above closed us
    }
    if (result.value(QLatin1StringView("more")).toBool()) {
        syncFrom(next);
    } else {
        goLive();
    }
}

void Connection::goLive()
{
    m_attempt = 0;
    setState(State::Online);
    const QList<protocol::Frame> buffered = std::exchange(m_buffered, {});
    for (const protocol::Frame& frame : buffered) {
        applyLive(frame);
    }
}

void Connection::applyLive(const protocol::Frame& frame)
{
    if (frame.seq <= m_sink->syncPosition()) {
        return; // already applied (a sync covered it)
    }
    if (const Result<void> applied = m_sink->applyEvents({ frame }, frame.seq); !applied) {
        Q_EMIT errorOccurred(applied.error());
        dropConnection(QStringLiteral("store failed"));
        return;
    }
    m_head = std::max(m_head, frame.seq);
    Q_EMIT syncProgressChanged(frame.seq, m_head);
    scheduleAck(isIncomingMessage(frame) ? m_ackDelayMs : m_positionAckDelayMs);
}

void Connection::scheduleAck(int delayMs)
{
    // One ack covers everything applied before it: an earlier deadline is kept, a later
    // one is brought forward (an incoming message after a report, say).
    if (m_ackTimer->isActive() && m_ackTimer->remainingTime() <= delayMs) {
        return;
    }
    m_ackTimer->start(delayMs);
}

void Connection::sendAck()
{
    m_ackTimer->stop();
    const qint64 position = m_sink->syncPosition();
    if (!m_authenticated || position <= m_acked) {
        return;
    }
    m_acked = position;
    const QJsonObject args { { QStringLiteral("seq"), position } };
    if (m_ackNotices) {
        // Nothing to wait for: a refusal comes back with "id": null and is logged; if the
        // ack is lost with the connection, the next sync acknowledges again.
        qCDebug(lcConnection) << "-> ack" << position;
        m_transport->sendText(protocol::Frame::notice(protocol::op::Ack, args).encode());
        return;
    }
    sendRaw(protocol::op::Ack, args, [this](const QJsonObject&, const Error& error) {
        if (error.code == ErrorCode::Disconnected) {
            // Closed (or lost) before the server's answer: the ack was written before
            // the close, and if it never arrived the next sync acknowledges again.
            qCDebug(lcConnection) << "ack not answered before the connection closed";
        } else if (!error.isNull()) {
            ackRefused(error);
        }
    });
}

void Connection::ackRefused(const Error& error)
{
    // Storage full, say: the position is not stored, so it is sent again later (the server
    // never moves a position back, so an ack sent twice is harmless).
    qCInfo(lcConnection) << "ack refused:" << error.code;
    m_acked = 0;
    if (m_authenticated) {
        scheduleAck(m_positionAckDelayMs);
    }
}

bool Connection::canSend() const
{
    return m_authenticated && (m_state == State::Syncing || m_state == State::Online);
}

void Connection::answerOfflineLater(std::function<void(const Error&)> answer)
{
    QTimer::singleShot(0, this, [answer = std::move(answer)] {
        answer(makeError(ErrorCode::Offline, QStringLiteral("not connected to the server")));
    });
}

void Connection::request(QLatin1StringView op, const QJsonObject& args, ResultHandler handler)
{
    if (!canSend()) {
        answerOfflineLater([handler = std::move(handler)](const Error& error) {
            if (handler) {
                handler({}, error);
            }
        });
        return;
    }
    sendRaw(op, args, std::move(handler));
}

void Connection::request(
    QLatin1StringView op, const QJsonObject& args, const QByteArray& payload, ResultHandler handler)
{
    if (!canSend()) {
        answerOfflineLater([handler = std::move(handler)](const Error& error) {
            if (handler) {
                handler({}, error);
            }
        });
        return;
    }
    // The id goes into the frame, so it is taken before encoding; a frame that cannot be
    // encoded is answered like one the server refused, not thrown at the caller.
    const qint64 id = m_nextId;
    Result<QByteArray> frame
        = binaryframe::encode(protocol::Frame::request(QJsonValue(id), op, args).toJson(), payload);
    if (!frame) {
        qCWarning(lcConnection) << "not sending" << op << ":" << frame.error().message;
        QTimer::singleShot(0, this, [handler = std::move(handler), error = frame.error()] {
            if (handler) {
                handler({}, error);
            }
        });
        return;
    }
    const qint64 added = addPending(op, std::move(handler), {});
    Q_ASSERT(added == id);
    qCDebug(lcConnection) << "->" << id << op << "+" << payload.size() << "bytes";
    m_transport->sendBinary(*frame);
}

void Connection::requestWithPayload(
    QLatin1StringView op, const QJsonObject& args, PayloadHandler handler)
{
    if (!canSend()) {
        answerOfflineLater([handler = std::move(handler)](const Error& error) {
            if (handler) {
                handler({}, {}, error);
            }
        });
        return;
    }
    const qint64 id = addPending(op, {}, std::move(handler));
    qCDebug(lcConnection) << "->" << id << op;
    m_transport->sendText(protocol::Frame::request(QJsonValue(id), op, args).encode());
}

qint64 Connection::addPending(
    QLatin1StringView op, ResultHandler handler, PayloadHandler payloadHandler)
{
    const qint64 id = m_nextId++;
    auto pending = std::make_unique<Pending>();
    pending->handler = std::move(handler);
    pending->payloadHandler = std::move(payloadHandler);
    pending->timer.setSingleShot(true);
    connect(&pending->timer, &QTimer::timeout, this, [this, id, op] {
        auto it = m_pending.find(id);
        if (it == m_pending.end()) {
            return;
        }
        auto entry = std::move(it->second);
        m_pending.erase(it);
        qCInfo(lcConnection) << "request" << id << op << "timed out";
        entry->answer({}, {},
            makeError(ErrorCode::Timeout, QStringLiteral("the server did not answer in time")));
    });
    pending->timer.start(m_requestTimeoutMs);
    m_pending.emplace(id, std::move(pending));
    return id;
}

void Connection::sendRaw(QLatin1StringView op, const QJsonObject& args, ResultHandler handler)
{
    const qint64 id = addPending(op, std::move(handler), {});
    qCDebug(lcConnection) << "->" << id << op;
    QByteArray frame = protocol::Frame::request(QJsonValue(id), op, args).encode();
    m_transport->sendText(frame);
    if (op == protocol::op::Register) {
        secrets::wipe(frame); // it holds the password
    }
}

void Connection::onText(const QByteArray& utf8)
{
    const protocol::DecodeResult decoded = protocol::decode(utf8, protocol::limits::MaxFrameBytes);
    if (!decoded.frame) {
        // A broken server frame must never take the client down: log and carry on.
        qCWarning(lcConnection) << "ignoring a malformed frame from the server:"
                                << decoded.error.message;
        return;
    }
    const protocol::Frame& frame = *decoded.frame;
    switch (frame.type) {
    case protocol::Frame::Type::Request:
        qCWarning(lcConnection) << "ignoring a request frame from the server";
        return;
    case protocol::Frame::Type::Event:
        onEvent(frame);
        return;
    case protocol::Frame::Type::Response:
        break;
    }
    onResponse(frame, {}, false);
}

void Connection::onBinary(const QByteArray& bytes)
{
    // Only answers (to attachment.get) come this way. Whatever else does is logged and
    // dropped like a malformed text frame; its request, if any, times out.
    Result<binaryframe::Parts> parts = binaryframe::decode(bytes);
    if (!parts) {
        qCWarning(lcConnection) << "ignoring a malformed binary frame from the server:"
                                << parts.error().message;
        return;
    }
    Error error;
    const std::optional<protocol::Frame> frame = protocol::Frame::fromJson(parts->json, &error);
    if (!frame) {
        qCWarning(lcConnection) << "ignoring a malformed binary frame from the server:"
                                << error.message;
        return;
    }
    if (frame->type != protocol::Frame::Type::Response) {
        qCWarning(lcConnection) << "ignoring a binary frame from the server that is no answer";
        return;
    }
    onResponse(*frame, parts->payload, true);
}

void Connection::onResponse(const protocol::Frame& frame, const QByteArray& payload, bool binary)
{
    if (!frame.id.isDouble()) {
        // An answer without an id: a frame of ours the server could not read (a bug on this
        // side), or a refused notice — an ack while the server's storage is full, say,
        // which is sent again (ackRefused).
        if (frame.isFailure()
            && (frame.error.code == ErrorCode::BadFrame
                || frame.error.code == ErrorCode::FrameTooLarge)) {
            qCWarning(lcConnection) << "server could not read a frame of ours:" << frame.error.code
                                    << frame.error.message;
        } else if (frame.isFailure()) {
            ackRefused(frame.error);
        }
        return;
    }
    auto it = m_pending.find(frame.id.toInteger());
    if (it == m_pending.end()) {
        qCDebug(lcConnection) << "ignoring an answer to an unknown request" << frame.id.toInteger();
        return;
    }
    auto entry = std::move(it->second);
    m_pending.erase(it);
    entry->timer.stop();
    qCDebug(lcConnection) << "<-" << frame.id.toInteger()
                          << (frame.isFailure() ? frame.error.name() : QStringLiteral("ok"))
                          << (binary ? "(binary)" : "");
    if (binary && !entry->payloadHandler) {
        qCDebug(lcConnection) << "dropping the payload of an answer that expects none";
    }
    entry->answer(frame.result, payload, frame.error);
}

void Connection::onEvent(const protocol::Frame& frame)
{
    if (frame.seq == 0) {
        if (frame.event == protocol::event::SignedOut) {
            qCInfo(lcConnection) << "the server signed this device out";
            handleSignedOut();
            return;
        }
        if (m_authenticated) {
            m_sink->applyTransient(frame);
        }
        return;
    }
    if (!m_authenticated) {
        return;
    }
    if (m_state == State::Syncing) {
        // Applied once the sync loop is done, unless the sync already covered it.
        m_buffered.append(frame);
        return;
    }
    if (m_state == State::Online) {
        applyLive(frame);
    }
}

void Connection::signOutSelf()
{
    sendRaw(protocol::op::DevicesSignOut,
        { { QStringLiteral("deviceId"), m_credentials.deviceId } },
        [this](const QJsonObject&, const Error& error) {
            // The server closes with 4001 next; not waiting for it spares a round trip.
            if (error.isNull() || error.code == ErrorCode::DeviceSignedOut
                || error.code == ErrorCode::NotFound) {
                handleSignedOut();
                return;
            }
            qCInfo(lcConnection) << "sign-out refused:" << error.code << error.message;
            Q_EMIT errorOccurred(error);
            dropConnection(QStringLiteral("sign-out failed"));
        });
}

void Connection::handleSignedOut()
{
    if (m_state == State::SignedOut) {
        return;
    }
    m_wanted = false;
    m_authenticated = false;
    m_reconnectTimer->stop();
    m_ackTimer->stop();
    secrets::wipe(m_credentials.token);
    secrets::wipe(m_credentials.password);
    m_credentials = {};
    // The state first, so the close that follows is not taken for a drop to recover from.
    setState(State::SignedOut);
    m_transport->close();
    failAllPending(
        makeError(ErrorCode::Disconnected, QStringLiteral("this device was signed out")));
    Q_EMIT signedOut();
}

void Connection::onClosed(int code, const QString& reason)
{
    qCInfo(lcConnection) << "connection closed, code" << code << reason;
    m_authenticated = false;
    m_ackTimer->stop();
    failAllPending(makeError(ErrorCode::Disconnected, QStringLiteral("the connection was lost")));
    if (code == protocol::close::SignedOut) {
        handleSignedOut();
        return;
    }
    if (m_state == State::SignedOut) {
        return;
    }
    const bool wasConnecting = m_state == State::Connecting;
    if (const Error tls = std::exchange(m_tlsError, {}); !tls.isNull()) {
        // The server is not who it should be (or we cannot tell): trying again will not
        // change that, and must not send credentials. The person has to act.
        m_socketOpened = false;
        setState(State::Disconnected);
        m_wanted = false;
        secrets::wipe(m_credentials.password);
        Q_EMIT errorOccurred(tls);
        Q_EMIT authenticationFailed(tls);
        return;
    }
    // The socket of this attempt never opened: the server was not reached at all (refused,
    // no route, a name that does not resolve) rather than lost on the way.
    const bool socketOpened = std::exchange(m_socketOpened, false); // the next attempt's own
    const bool unreachable = wasConnecting && !socketOpened;
    // Why, when the transport could tell (a name that does not resolve, nothing listening,
    // something that is not a CPM server).
    Error why = std::exchange(m_unreachableError, {});
    if (why.isNull()) {
        why = makeError(ErrorCode::Unreachable,
            reason.isEmpty() ? QStringLiteral("could not reach the server") : reason);
    }
    // With several nodes, an attempt is a round: a node that was not reached at all
    // hands over to the next one not tried yet, at once; rounds are apart by the backoff.
    if (unreachable && m_wanted && ++m_unreachableNodes < m_urls.size()) {
        qCInfo(lcConnection) << "could not reach" << url().toDisplayString() << "-" << why.message;
        openNextNode();
        return;
    }
    m_unreachableNodes = 0;
    setState(State::Disconnected);
    if (!m_wanted) {
        return;
    }
    if (wasConnecting && m_credentials.kind == Credentials::Kind::Register) {
        // A registration is a one-off the user waits for: report, do not retry.
        m_wanted = false;
        secrets::wipe(m_credentials.password);
        const Error e = unreachable
            ? why
            : makeError(ErrorCode::Disconnected,
                reason.isEmpty() ? QStringLiteral("connection lost") : reason);
        Q_EMIT errorOccurred(e);
        Q_EMIT authenticationFailed(e);
        return;
    }
    if (unreachable) {
        Q_EMIT errorOccurred(why);
    } else if (!reason.isEmpty() || code != 1000) {
        Q_EMIT errorOccurred(makeError(ErrorCode::Disconnected,
            reason.isEmpty() ? QStringLiteral("connection lost") : reason));
    }
    scheduleReconnect();
}

void Connection::scheduleReconnect(int delayMs)
{
    if (!m_wanted || !m_autoReconnect) {
        if (!m_autoReconnect) {
            m_wanted = false;
        }
        return;
    }
    if (delayMs < 0) {
        const double jitter = QRandomGenerator::global()->generateDouble() * 2.0 - 1.0;
        delayMs = backoffDelayMs(m_attempt++, jitter);
    }
    qCInfo(lcConnection) << "reconnecting in" << delayMs << "ms";
    m_reconnectTimer->start(delayMs);
}

void Connection::dropConnection(const QString& why)
{
    qCInfo(lcConnection) << "dropping the connection:" << why;
    m_authenticated = false;
    m_transport->close();
}

void Connection::failAllPending(const Error& error)
{
    auto pending = std::exchange(m_pending, {});
    for (auto& [id, entry] : pending) {
        entry->timer.stop();
        entry->answer({}, {}, error);
    }
}

} // namespace cpm
