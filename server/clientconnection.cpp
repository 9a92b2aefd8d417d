// SPDX-License-Identifier: GPL-3.0-or-later
#include "clientconnection.h"

#include "argreader.h"
#include "binaryframe.h"
#include "deliverypolicy.h"
#include "frame.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "request.h"
#include "server.h"
#include "wirejson.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>

#include <chrono>
#include <malloc.h>
#include <utility>

namespace cpm::server {

namespace {
// Hands the heap a large output backlog used back to the system once its connection (and
// its socket's buffers) are gone: glibc keeps freed memory in the process otherwise (9 MiB
// stayed after a client that never read, tst_connections).
void returnFreedMemory()
{
    static bool pending = false;
    if (std::exchange(pending, true)) {
        return;
    }
    QTimer::singleShot(0, QCoreApplication::instance(), [] {
        pending = false;
        malloc_trim(0);
    });
}

namespace lim = protocol::limits;

// Frames that may wait behind a password check; more is a client not waiting for
// answers at all.
constexpr qsizetype MaxQueuedFrames = 64;
// ... and their bytes at most (UTF-16, as held): four frames of the largest size.
constexpr qsizetype MaxQueuedFrameBytes = 4 * 2 * lim::MaxFrameBytes;
// How long a peer gets to answer our close frame before the socket is dropped.
constexpr int CloseGraceMs = 3000;

bool countsAsAbuse(ErrorCode code)
{
    return code == ErrorCode::BadFrame || code == ErrorCode::FrameTooLarge
        || code == ErrorCode::BadRequest || code == ErrorCode::UnknownOp
        || code == ErrorCode::NotNegotiated || code == ErrorCode::Unauthenticated;
}

const QJsonValue NullId = QJsonValue(QJsonValue::Null);
} // namespace

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
        m_closeBy = 0;
        m_server->connectionClosed(this);
    });
    m_stateSince = m_lastFrameAt = monotonicMs();
    // Kept: the socket forgets its peer once disconnected.
    m_peer = m_socket->peerAddress().toString();
    qCDebug(lcNet) << "connection from" << m_peer;
}

ClientConnection::~ClientConnection()
{
    // The socket is a child and outlives our members by a moment: a `disconnected` it
    // emits while being destroyed must not reach this half-destroyed object.
    m_socket->disconnect(this);
    if (m_hadBacklog) {
        returnFreedMemory();
    }
}

// --- frames ----------------------------------------------------------------------------

void ClientConnection::onTextMessage(const QString& text) { receive({ text, {}, false }); }

void ClientConnection::onBinaryMessage(const QByteArray& data) { receive({ {}, data, true }); }

void ClientConnection::receive(Incoming frame)
{
    if (m_state == State::Closing) {
        return;
    }
    m_lastFrameAt = monotonicMs();
    if (isHoldingFrames()) {
        // Answers keep the order of the frames, so a frame waits even to be refused.
        const qsizetype bytes = frame.bytes();
        if (m_queue.size() >= MaxQueuedFrames || m_queuedBytes + bytes > MaxQueuedFrameBytes) {
            close(protocol::close::ProtocolAbuse, QStringLiteral("too many requests in flight"));
            return;
        }
        m_queuedBytes += bytes;
        m_queue.append(std::move(frame));
        return;
    }
    processFrame(frame);
}

void ClientConnection::processFrame(const Incoming& frame)
{
    if (frame.isBinary) {
        processBinary(frame.binary);
    } else {
        process(frame.text);
    }
}

void ClientConnection::processBinary(const QByteArray& data)
{
    const Result<protocol::BinaryFrame> split = protocol::decodeBinaryFrame(data);
    if (!split) {
        fail(NullId, split.error());
        return;
    }
    const protocol::DecodeResult decoded
        = protocol::decode(split->header, lim::MaxBinaryHeaderBytes);
    const QJsonValue id = decoded.id.isUndefined() ? NullId : decoded.id;
    if (!decoded.frame) {
        fail(id, decoded.error);
        return;
    }
    if (decoded.frame->type != protocol::Frame::Type::Request) {
        fail(id, makeError(ErrorCode::BadFrame, QStringLiteral("a client sends requests only")));
        return;
    }
    dispatch(*decoded.frame, &split->payload);
}

void ClientConnection::resume()
{
    m_busy = false;
    handleQueue();
}

void ClientConnection::handleQueue()
{
    while (!isHoldingFrames() && !m_queue.isEmpty() && m_state != State::Closing) {
        const Incoming frame = m_queue.takeFirst();
        m_queuedBytes -= frame.bytes();
        processFrame(frame);
    }
}

// --- back-pressure and deadlines -----------------------------------------------------------

qint64 ClientConnection::monotonicMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void ClientConnection::setState(State state)
{
    m_state = state;
    m_stateSince = monotonicMs();
}

void ClientConnection::onBytesWritten()
{
    if (m_outputPaused && m_socket->bytesToWrite() + m_unsentBytes <= MaxQueuedOutputBytes / 2) {
        m_outputPaused = false;
        disconnect(m_drained);
        qCDebug(lcNet) << "output of" << peer() << "read down: handling requests again";
        handleQueue();
    }
}

void ClientConnection::checkDeadlines(qint64 nowMs, const ConnectionTimeouts& timeouts)
{
    const auto over
        = [nowMs](qint64 since, qint64 limit) { return limit > 0 && nowMs - since >= limit; };
    QString why;
    switch (m_state) {
    case State::Connected:
        if (over(m_stateSince, timeouts.helloMs)) {
            why = QStringLiteral("no 'hello' in time");
        }
        break;
    case State::Negotiated:
        // A password check in progress is the server's time, not the client's.
        if (!m_busy && over(m_stateSince, timeouts.signInMs)) {
            why = QStringLiteral("no sign-in in time");
        }
        break;
    case State::Authenticated:
    case State::Live:
        if (over(m_lastFrameAt, timeouts.idleMs)) {
            why = QStringLiteral("idle: no frame (not even a ping) in time");
        }
        break;
    case State::Closing:
        // Our close frame went out CloseGraceMs ago (give or take a tick) and the peer
        // has not answered it: drop the socket.
        if (m_closeBy > 0 && nowMs >= m_closeBy) {
            m_closeBy = 0;
            qCInfo(lcNet) << "dropping the connection from" << peer()
                          << ": the close was not taken in time";
            m_socket->abort();
        }
        return;
    }
    if (why.isEmpty() && m_outputPaused && over(m_outputPausedSince, timeouts.stalledOutputMs)) {
        why = QStringLiteral("the client does not read what it is sent");
    }
    if (!why.isEmpty()) {
        qCInfo(lcNet) << "closing a connection from" << peer() << ":" << why;
        close(protocol::close::TimedOut, why);
    }
}

void ClientConnection::process(const QString& text)
{
    // Every UTF-16 unit is at least one UTF-8 byte: a string this long is too large anyway,
    // so skip converting it.
    if (text.size() > lim::MaxFrameBytes) {
        fail(NullId,
            makeError(ErrorCode::FrameTooLarge,
                QStringLiteral("the frame exceeds the limit of %1 bytes").arg(lim::MaxFrameBytes)));
        return;
    }
    const protocol::DecodeResult decoded = protocol::decode(text.toUtf8(), lim::MaxFrameBytes);
    const QJsonValue id = decoded.id.isUndefined() ? NullId : decoded.id;
    if (!decoded.frame) {
        fail(id, decoded.error);
        return;
    }
    if (decoded.frame->type != protocol::Frame::Type::Request) {
        fail(id, makeError(ErrorCode::BadFrame, QStringLiteral("a client sends requests only")));
        return;
    }
    dispatch(*decoded.frame);
}

void ClientConnection::dispatch(const protocol::Frame& request, const QByteArray* payload)
{
    const Operations::Operation* operation = m_server->operations().find(request.op);
    const bool takesPayload = operation && operation->framing == Operations::TakesPayload;
    if (payload && !takesPayload) {
        fail(request.id,
            makeError(ErrorCode::BadRequest,
                QStringLiteral("'%1' comes in a text frame: only attachment.put has a payload")
                    .arg(request.op)));
        return;
    }
    if (!payload && takesPayload) {
        fail(request.id,
            makeError(ErrorCode::BadRequest,
                QStringLiteral("'%1' carries a chunk: send it in a binary frame").arg(request.op)));
        return;
    }
    if (request.op == protocol::op::Hello) {
        hello(request.id, request.args);
        return;
    }
    if (m_state == State::Connected) {
        fail(request.id,
            makeError(
                ErrorCode::NotNegotiated, QStringLiteral("the first request must be 'hello'")));
        return;
    }
    if (request.op == protocol::op::Ping) {
        reply(request.id, { { QStringLiteral("time"), QDateTime::currentMSecsSinceEpoch() } });
        return;
    }
    if (!operation) {
        fail(request.id,
            makeError(ErrorCode::UnknownOp,
                QStringLiteral("there is no operation '%1' in protocol version %2")
                    .arg(request.op)
                    .arg(protocol::Version)));
        return;
    }
    if (operation->needsAuth && !isSignedIn()) {
        fail(request.id,
            makeError(ErrorCode::Unauthenticated,
                QStringLiteral("'%1' needs a signed-in device: register or login first")
                    .arg(request.op)));
        return;
    }
    if (operation->needsAuth) {
        m_server->applyAdminChanges();
        if (m_state == State::Closing) {
            return; // the account was disabled just now: nothing more is done for it
        }
    }
    operation->handle(Request(this, request.id, request.args, payload ? *payload : QByteArray()));
    m_server->requestDone();
}

void ClientConnection::hello(const QJsonValue& id, const QJsonObject& args)
{
    if (m_state != State::Connected) {
        fail(id,
            makeError(
                ErrorCode::AlreadyNegotiated, QStringLiteral("'hello' was already answered")));
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
    protocol::ArgReader reader(args);
    reader.string(QLatin1StringView("client"), 64, protocol::ArgReader::Optional);
    if (!valid) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("field 'versions' must be a list of 1 to 32 integers"));
    }
    if (!reader.ok()) {
        fail(id, reader.error());
        return;
    }
    if (!common) {
        fail(id,
            makeError(ErrorCode::VersionUnsupported,
                QStringLiteral("this server speaks protocol version %1 only")
                    .arg(protocol::Version)));
        return;
    }
    setState(State::Negotiated);
    Store& store = m_server->store();
    const QJsonObject limits { { QStringLiteral("maxFrameBytes"), lim::MaxFrameBytes },
        { QStringLiteral("maxBodyBytes"), lim::MaxBodyBytes },
        { QStringLiteral("maxSubjectChars"), lim::MaxSubjectChars },
        { QStringLiteral("syncBatch"), lim::SyncBatch },
        { QStringLiteral("maxChunkBytes"), lim::MaxChunkBytes },
        { QStringLiteral("maxFileBytes"), store.settingInt(settings::AttachmentsMaxFileBytes) },
        { QStringLiteral("autoFetchBytes"),
            store.settingInt(settings::AttachmentsAutoFetchBytes) } };
    reply(id,
        { { QStringLiteral("version"), protocol::Version },
            { QStringLiteral("server"), QStringLiteral("cpm-server/" CPM_VERSION) },
            { QStringLiteral("limits"), limits },
            { QStringLiteral("notices"), QJsonArray { QString(protocol::op::Ack) } } });
}

// --- answers ---------------------------------------------------------------------------

void ClientConnection::send(const QJsonObject& frame)
{
    if (m_state == State::Closing) {
        return;
    }
    const QByteArray text = QJsonDocument(frame).toJson(QJsonDocument::Compact);
    if (text.size() > lim::MaxFrameBytes) {
        // The limits on what is accepted make this impossible; should a bug make one, the
        // peer is told rather than closing with 1009 on every try.
        qCWarning(lcNet) << "not sending a frame of" << text.size() << "bytes, over the limit";
        const QJsonValue id = frame.value(QLatin1StringView("id"));
        if (!id.isUndefined()) {
            send(protocol::Frame::failure(id,
                makeError(
                    ErrorCode::Internal, QStringLiteral("the answer would exceed the frame limit")))
                     .toJson());
        }
        return;
    }
    output(QString::fromUtf8(text));
}

void ClientConnection::sendText(const QString& text)
{
    if (m_state != State::Closing) {
        output(text);
    }
}

void ClientConnection::output(const QString& text)
{
    m_unsentBytes += text.size();
    m_server->transmit(this, text);
    checkOutput();
}

void ClientConnection::replyWithPayload(
    const QJsonValue& id, const QJsonObject& result, const QByteArray& payload)
{
    if (m_state == State::Closing || id.isUndefined()) {
        return;
    }
    const QByteArray frame
        = protocol::encodeBinaryFrame(QJsonDocument(protocol::Frame::response(id, result).toJson())
                                          .toJson(QJsonDocument::Compact),
            payload);
    m_unsentBytes += frame.size();
    m_server->transmitBinary(this, frame);
    checkOutput();
}

void ClientConnection::transmitBinaryNow(const QByteArray& frame)
{
    m_unsentBytes -= frame.size();
    if (m_dropOutput || m_socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    m_socket->sendBinaryMessage(frame);
    m_outputPending = true;
    checkOutput();
}

void ClientConnection::flushOutput()
{
    if (!std::exchange(m_outputPending, false) || m_dropOutput
        || m_socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    m_socket->flush();
}

void ClientConnection::transmitNow(const QString& text)
{
    m_unsentBytes -= text.size();
    if (m_dropOutput || m_socket->state() != QAbstractSocket::ConnectedState) {
        return; // gone: nobody would read it, and it would only sit in memory
    }
    m_socket->sendTextMessage(text);
    m_outputPending = true;
    checkOutput();
}

void ClientConnection::checkOutput()
{
    if (m_dropOutput) {
        return;
    }
    // What the peer has not read: in the socket, and held for a commit (counted in UTF-16
    // units, at least one byte each).
    const qint64 unread = m_socket->bytesToWrite() + m_unsentBytes;
    if (unread <= MaxQueuedOutputBytes) {
        return;
    }
    if (unread > 2 * MaxQueuedOutputBytes) {
        // Events keep coming to a live connection whose peer does not read: drop it rather
        // than keep them in memory; the device syncs them when it reconnects.
        qCInfo(lcNet) << "closing a connection from" << peer() << ":" << unread
                      << "bytes of output unread";
        m_queue.clear();
        m_queuedBytes = 0;
        m_dropOutput = true;
        m_hadBacklog = true;
        closeNow(protocol::close::TimedOut, QStringLiteral("too much output left unread"));
        // Not now: the caller may be walking the user's connections.
        QMetaObject::invokeMethod(m_socket, &QWebSocket::abort, Qt::QueuedConnection);
        return;
    }
    if (!m_outputPaused) {
        m_outputPaused = true;
        m_drained
            = connect(m_socket, &QWebSocket::bytesWritten, this, &ClientConnection::onBytesWritten);
        m_hadBacklog = true;
        m_outputPausedSince = monotonicMs();
        qCDebug(lcNet) << "output of" << peer() << "unread:" << unread << "bytes; requests wait";
    }
}

void ClientConnection::reply(const QJsonValue& id, const QJsonObject& result)
{
    if (id.isUndefined()) {
        return; // a notice: nothing to say when it worked
    }
    send(protocol::Frame::response(id, result).toJson());
}

void ClientConnection::replyText(const QJsonValue& id, QStringView resultMembers)
{
    if (id.isUndefined()) {
        return;
    }
    sendText(wire::responseText(id, resultMembers));
}

void ClientConnection::fail(const QJsonValue& id, const Error& error)
{
    Q_ASSERT(error.isWire());
    send(protocol::Frame::failure(id, error).toJson());
    if (countsAsAbuse(error.code) && ++m_protocolErrors >= lim::MaxProtocolErrors) {
        qCInfo(lcNet) << "closing a connection after" << m_protocolErrors << "protocol errors";
        close(protocol::close::ProtocolAbuse, QStringLiteral("too many protocol errors"));
    }
}

void ClientConnection::sendTransient(QLatin1StringView name, const QJsonObject& data)
{
    send(protocol::Frame::transientEvent(name, data).toJson());
}

QString ClientConnection::peer() const { return m_peer; }

void ClientConnection::close(int code, const QString& reason)
{
    if (m_state == State::Closing) {
        return;
    }
    m_state = State::Closing;
    m_queue.clear();
    m_queuedBytes = 0;
    // The answers and events before the close must reach the peer first.
    m_server->transmitClose(this, code, reason);
}

void ClientConnection::closeNow(int code, const QString& reason)
{
    m_state = State::Closing;
    m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    m_closeBy = monotonicMs() + CloseGraceMs;
}

void ClientConnection::signOut(const QString& reason)
{
    sendTransient(protocol::event::SignedOut, protocol::SignedOutEvent { reason }.toJson());
    close(protocol::close::SignedOut, reason);
}

// --- sign-in and events ----------------------------------------------------------------

void ClientConnection::signIn(const UserRecord& user, const DeviceRecord& device)
{
    m_userId = user.id;
    m_address = user.address;
    m_device = device.device;
    setState(State::Authenticated);
    m_server->connectionSignedIn(this);
}

void ClientConnection::setLive(bool live, qint64 position)
{
    if (isSignedIn()) {
        m_state = live ? State::Live : State::Authenticated;
        m_position = position;
    }
}

void ClientConnection::handleEvent(const StoredEvent& event, RenderedEvent* shared)
{
    if (event.kind == protocol::event::Device) {
        // Keep this connection's view of its own device current: its delivery preference
        // decides what it is sent.
        const QJsonObject device = event.data.value(QLatin1StringView("device")).toObject();
        if (device.value(QLatin1StringView("id")).toInteger() == m_device.id) {
            if (const Result<protocol::Device> d = protocol::Device::fromJson(device)) {
                m_device.name = d->name;
                m_device.delivery = d->delivery;
                m_device.notifySessions = d->notifySessions;
            }
        }
    }
    if (m_state != State::Live || event.seq <= m_position) {
        return; // it will come with the next sync, or it came already
    }
    if (event.seq > m_position + 1 && !m_catchingUp) {
        // Events in between were committed elsewhere (another node): the store has them,
        // and this one after them.
        catchUp();
        return;
    }
    push(event, shared);
}

void ClientConnection::catchUp()
{
    if (m_state != State::Live || m_catchingUp) {
        return;
    }
    m_catchingUp = true;
    for (;;) {
        const Result<QList<StoredEvent>> events
            = m_server->store().eventsAfter(m_userId, m_position, protocol::limits::SyncBatch);
        if (!events) {
            // The device cannot be told what it misses now: it reconnects and syncs.
            qCWarning(lcServer) << "cannot read events to push:" << events.error().message;
            m_catchingUp = false;
            close(protocol::close::ServerShutdown,
                QStringLiteral("the server could not read your messages; reconnect"));
            return;
        }
        for (const StoredEvent& event : *events) {
            if (m_state != State::Live) {
                break; // closed meanwhile (its output was too slow)
            }
            push(event, nullptr);
        }
        if (events->size() < protocol::limits::SyncBatch || m_state != State::Live) {
            break;
        }
    }
    m_catchingUp = false;
}

void ClientConnection::push(const StoredEvent& event, RenderedEvent* shared)
{
    m_position = event.seq;
    using View = DeliveryPolicy::View;
    const View view = DeliveryPolicy::viewOf(event, m_device.delivery);
    if (view == View::Skip) {
        return;
    }
    std::optional<QString>* text = nullptr;
    if (shared && view != View::PerDevice) {
        text = &shared->texts[view == View::Partial ? 1 : 0];
        if (*text) {
            output(**text);
            return;
        }
    }
    const QString rendered = DeliveryPolicy::render(event, view, m_device.id, m_server->live());
    if (text) {
        *text = rendered;
    }
    output(rendered);
}

} // namespace cpm::server
