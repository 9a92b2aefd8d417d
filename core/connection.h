// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The protocol engine of one device: hello -> register/login -> sync loop -> live, with
// request/response matching, timeouts, acks and reconnection with backoff. It speaks
// through a Transport and hands stream events to an EventSink, so it knows neither
// sockets nor storage and can be driven by a fake transport in tests.

#include "frame.h"
#include "types.h"

#include <QJsonObject>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <functional>
#include <map>
#include <memory>

class QTimer;

namespace cpm {

class Transport;

//! Where the Connection applies what it syncs (the local store, in the client).
class EventSink {
public:
    virtual ~EventSink() = default;
    //! The highest stream position durably applied.
    virtual qint64 syncPosition() const = 0;
    //! Applies \a events (stream events, in order) and stores \a next as the new position,
    //! all or nothing; on failure (a full disk, ...) nothing is stored.
    virtual Result<void> applyEvents(const QList<protocol::Frame>& events, qint64 next) = 0;
    //! A transient event (presence, ...): not part of the stream, never replayed.
    virtual void applyTransient(const protocol::Frame& event) = 0;
};

//! How to sign in: with a token (login) or with the password (register).
struct Credentials {
    enum class Kind { Login, Register };
    Kind kind = Kind::Login;
    QString address;
    qint64 deviceId = 0; //!< login
    QString token; //!< login
    QString password; //!< register; dropped as soon as the registration is answered
    QJsonObject device; //!< register: instanceId, name, kind, capabilities
    bool guest = false; //!< register: as a guest device (GST-1)
    //! login only to sign this device out (a guest that wiped itself already, GST-4): no
    //! sync and no authenticated(); signedOut() once the server has let go of the device.
    bool signOutOnly = false;
};

class Connection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Connection)

public:
    using State = ConnectionState;
    using ResultHandler = std::function<void(const QJsonObject& result, const Error& error)>;
    //! For requests answered in a binary frame (`attachment.get`): \a payload is what
    //! followed the answer's JSON; empty for an answer that came as a text frame (errors).
    using PayloadHandler = std::function<void(
        const QJsonObject& result, const QByteArray& payload, const Error& error)>;

    static constexpr int DefaultRequestTimeoutMs = 20000;
    static constexpr int PingIntervalMs = 30000;
    static constexpr int DefaultAckDelayMs = 100;
    static constexpr int DefaultPositionAckDelayMs = 2000;

    //! Speaks through \a transport (taking ownership) and applies events to \a sink.
    Connection(std::unique_ptr<Transport> transport, EventSink* sink, QObject* parent = nullptr);
    ~Connection() override;

    //! Connects to \a url and signs in; keeps reconnecting after drops (see
    //! setAutoReconnect) until close() or a sign-out.
    void open(const QUrl& url, const Credentials& credentials);
    /*!
     * As above, with several nodes of one service, tried in turn: the first, and after a
     * drop or a failed attempt the next one (the last is followed by the first). A node
     * that cannot be reached at all hands over to the next at once until each was tried
     * once (a round); rounds are apart by the usual backoff. So a registration or a
     * one-off command (no retries) reaches any node that is up.
     */
    void open(const QList<QUrl>& urls, const Credentials& credentials);
    //! Closes the connection for good (no reconnect).
    void close();
    void setAutoReconnect(bool enabled);
    void setClientName(const QString& name) { m_clientName = name; }
    void setRequestTimeout(int ms) { m_requestTimeoutMs = ms; }
    //! Certificate authorities trusted for wss:// besides the system's (next open()).
    void setExtraCaCertificates(const QList<QSslCertificate>& certificates);
    /*!
     * Time from a live incoming message to the ack that makes it delivered (the sender
     * waits for that report; acks are coalesced a little).
     */
    void setAckDelay(int ms) { m_ackDelayMs = ms; }
    /*!
     * Time from any other live event (a sent copy, a report, flags, ...) to its ack. Such
     * an ack only moves the device's stored position, which nobody waits for, so it is
     * sent lazily, or with the next incoming message's ack if that comes first.
     */
    void setPositionAckDelay(int ms) { m_positionAckDelayMs = ms; }

    State state() const { return m_state; }
    //! A dropped connection waits for its next attempt (tests wait on this, not on time).
    bool isReconnectScheduled() const;
    qint64 serverHead() const { return m_head; }
    QString serverVersion() const { return m_serverVersion; }
    //! The node of the current (or next) attempt.
    QUrl url() const { return m_urls.value(m_urlIndex); }
    //! The `limits` of the server's hello answer (maxChunkBytes, maxFileBytes, ...); empty
    //! before the first one.
    QJsonObject serverLimits() const { return m_serverLimits; }

    //! Sends a request when signed in (Syncing or Online); otherwise \a handler gets
    //! Offline. The handler runs exactly once: with the result, the server's error,
    //! Timeout or Disconnected.
    void request(QLatin1StringView op, const QJsonObject& args, ResultHandler handler);
    /*!
     * As above, with \a payload after the request's JSON in one binary frame
     * (`attachment.put`). A frame over the limits (binaryframecodec.h) is not sent: the
     * handler gets `too_large`, later, like any other answer.
     */
    void request(QLatin1StringView op, const QJsonObject& args, const QByteArray& payload,
        ResultHandler handler);
    /*!
     * As request(), for an operation the server answers in a binary frame
     * (`attachment.get`): \a handler also gets the payload. Pending, timeout and
     * Disconnected exactly as for any request.
     */
    void requestWithPayload(QLatin1StringView op, const QJsonObject& args, PayloadHandler handler);

    //! Enters SignedOut now, as if the server had closed with 4001 (used after this
    //! device signed itself out, before the server's close arrives).
    void signOutLocally() { handleSignedOut(); }

    //! The wait before reconnect attempt \a attempt (0-based): 0.5 s doubling up to 30 s,
    //! scaled by 1 + 0.2 * \a jitter where jitter is in [-1, 1].
    static int backoffDelayMs(int attempt, double jitter);

Q_SIGNALS:
    void stateChanged(cpm::ConnectionState state);
    //! register/login succeeded; \a result is the server's answer (with `token` after
    //! a registration).
    void authenticated(const QJsonObject& result);
    //! register/login was refused (no automatic retry, except after `throttled`).
    void authenticationFailed(const cpm::Error& error);
    void syncProgressChanged(qint64 position, qint64 head);
    //! Any error worth showing: refused requests, connection problems.
    void errorOccurred(const cpm::Error& error);
    //! The server signed this device out (close 4001 or `device_signed_out`).
    void signedOut();

private:
    struct Pending;
    void setState(State state);
    void onOpened();
    void onClosed(int code, const QString& reason);
    void onText(const QByteArray& utf8);
    void onBinary(const QByteArray& frame);
    void onResponse(const protocol::Frame& frame, const QByteArray& payload, bool binary);
    //! Whether request() may send now (signed in, Syncing or Online).
    bool canSend() const;
    //! Calls \a answer with Offline, later: never from inside the caller's call.
    void answerOfflineLater(std::function<void(const Error&)> answer);
    void onEvent(const protocol::Frame& frame);
    void sendRaw(QLatin1StringView op, const QJsonObject& args, ResultHandler handler);
    //! Enters a request in the pending table (with its timeout) and returns its id.
    qint64 addPending(QLatin1StringView op, ResultHandler handler, PayloadHandler payloadHandler);
    void authenticate();
    void syncFrom(qint64 since);
    void onSyncResult(const QJsonObject& result);
    void goLive();
    void applyLive(const protocol::Frame& frame);
    void sendAck();
    void scheduleAck(int delayMs);
    void ackRefused(const Error& error);
    void handleSignedOut();
    void signOutSelf();
    void failAllPending(const Error& error);
    void scheduleReconnect(int delayMs = -1);
    //! Opens the transport to the next node of the list (the same one when there is one).
    void openNextNode();
    //! Opens the transport to url(), the attempt's bookkeeping fresh.
    void startAttempt();
    void dropConnection(const QString& why);

    std::unique_ptr<Transport> m_transport;
    EventSink* m_sink;
    State m_state = State::Disconnected;
    QList<QUrl> m_urls;
    qsizetype m_urlIndex = 0;
    //! Nodes of this round found unreachable so far (a round tries each once).
    qsizetype m_unreachableNodes = 0;
    Credentials m_credentials;
    //! What the transport's TLS handshake found wrong, for the close that follows.
    Error m_tlsError;
    //! Why the current attempt did not reach a CPM server, when the transport said.
    Error m_unreachableError;
    QString m_clientName = QStringLiteral("cpmcore/" CPM_VERSION);
    QString m_serverVersion;
    QJsonObject m_serverLimits;
    //! The server's `hello` listed `ack` among its notices: acks go without an id and
    //! draw no answer (one frame less each way per ack; older servers answer them).
    bool m_ackNotices = false;
    qint64 m_nextId = 1;
    std::map<qint64, std::unique_ptr<Pending>> m_pending;
    QList<protocol::Frame> m_buffered; //!< stream events that arrived while syncing
    qint64 m_head = 0;
    qint64 m_acked = 0;
    int m_attempt = 0;
    int m_requestTimeoutMs = DefaultRequestTimeoutMs;
    int m_ackDelayMs = DefaultAckDelayMs;
    int m_positionAckDelayMs = DefaultPositionAckDelayMs;
    bool m_wanted = false; //!< the owner wants a connection (open() without close())
    bool m_autoReconnect = true;
    bool m_authenticated = false;
    bool m_socketOpened = false; //!< the socket of the current attempt opened
    QTimer* m_reconnectTimer;
    QTimer* m_ackTimer;
    QTimer* m_pingTimer;
};

} // namespace cpm
