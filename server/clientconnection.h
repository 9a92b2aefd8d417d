// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One WebSocket connection of one device: validates every frame, runs the protocol's state
// machine and hands each request to the component that answers its operation (see
// Operations). It knows which device it speaks for, so it decides (through the
// DeliveryPolicy) which events that device is pushed.

#include "frame.h"
#include "model.h"
#include "store.h"

#include <QObject>
#include <QStringList>

#include <array>
#include <optional>

class QWebSocket;

namespace cpm::server {

class Server;

//! How long a connection may stay in a state without progress (0: no limit); see
//! ClientConnection::checkDeadlines().
struct ConnectionTimeouts {
    qint64 helloMs = 10000;
    qint64 signInMs = 60000;
    qint64 idleMs = 120000;
    qint64 stalledOutputMs = 30000;
};

//! A stream event rendered once per view (whole, or a notification), shared by the
//! connections that get the same text: three devices of a user cost one rendering.
struct RenderedEvent {
    std::array<std::optional<QString>, 2> texts;
};

/*!
 * States: Connected (no `hello` yet) -> Negotiated -> Authenticated (after `register` or
 * `login`) -> Live (after a `sync` answered `more: false`; from then on stream events are
 * pushed) -> Closing. A `sync` answering `more: true` makes a live connection Authenticated
 * again until it has caught up. Requests are handled in arrival order; while an
 * asynchronous step runs (a password check), later frames wait in a small queue so a
 * pipelined `register` + `sync` behaves as if each had been answered before the next.
 */
class ClientConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientConnection)

public:
    enum class State { Connected, Negotiated, Authenticated, Live, Closing };

    //! Takes ownership of \a socket.
    ClientConnection(QWebSocket* socket, Server* server);
    ~ClientConnection() override;

    State state() const { return m_state; }
    bool isSignedIn() const { return m_state == State::Authenticated || m_state == State::Live; }
    //! The signed-in user and device; 0 before sign-in.
    qint64 userId() const { return m_userId; }
    qint64 deviceId() const { return m_device.id; }
    //! The network address the connection comes from (what sign-in budgets count by).
    QString peer() const;
    const QString& address() const { return m_address; }
    //! This connection's view of its own device: its delivery preference decides what it
    //! is sent, and it follows the device's `device` events.
    const protocol::Device& device() const { return m_device; }

    //! Signed in as \a user on \a device; pushes start after a complete sync.
    void signIn(const UserRecord& user, const DeviceRecord& device);
    /*!
     * A `sync` reached the head (true: pushes start after \a position, the `next` it
     * answered) or not (false: they pause).
     */
    void setLive(bool live, qint64 position = 0);
    //! The last stream position this live connection was sent (or skipped as not its own).
    qint64 streamPosition() const { return m_position; }
    /*!
     * Pushes, from the store, the events of the user after streamPosition(): what another
     * node committed (Server::remoteEvents), or what came before an event that arrived
     * with a gap. Nothing when the connection is not live.
     */
    void catchUp();
    //! While suspended (an asynchronous step runs) frames wait; resume() handles them.
    void suspend() { m_busy = true; }
    void resume();

    /*!
     * Back-pressure: output the peer has not read yet, above MaxQueuedOutputBytes, pauses
     * the handling of its requests (they wait in the queue) until it is read down to half;
     * above twice that, or paused for longer than the stalled-output timeout, the
     * connection is closed with 4004. Nothing stored is lost: the device syncs again.
     */
    static constexpr qint64 MaxQueuedOutputBytes = 4 * 1024 * 1024;
    //! Closes with 4004 a connection that stayed too long without progress (see
    //! ConnectionTimeouts); \a nowMs is monotonicMs().
    void checkDeadlines(qint64 nowMs, const ConnectionTimeouts& timeouts);
    static qint64 monotonicMs();

    /*!
     * A stream event of this connection's user, just written: pushed when live (the server
     * holds the frame until the write is committed), in stream order: one it had is not
     * sent again, and one after a gap (another node's events came between) is sent after
     * what catchUp() reads. \a shared caches the rendered text across the user's
     * connections; may be null.
     */
    void handleEvent(const StoredEvent& event, RenderedEvent* shared = nullptr);
    void sendTransient(QLatin1StringView name, const QJsonObject& data);
    //! The device was signed out: tells it (`signedOut`) and closes with 4001.
    void signOut(const QString& reason);
    //! Starts the closing handshake; the peer gets \a code (after anything held for it).
    void close(int code, const QString& reason);

    // --- answers (through Request) ---------------------------------------------------------
    void reply(const QJsonValue& id, const QJsonObject& result);
    void replyText(const QJsonValue& id, QStringView resultMembers);
    //! Answers in a binary frame: the response with \a result, then \a payload.
    void replyWithPayload(
        const QJsonValue& id, const QJsonObject& result, const QByteArray& payload);
    //! Answers an error that may go on the wire as it is.
    void fail(const QJsonValue& id, const Error& error);
    //! Sends a frame written as text already (a `sync` answer).
    void sendText(const QString& text);

    // --- for Server, which decides when output may leave (see Server::transmit) ----------
    void transmitNow(const QString& text);
    void transmitBinaryNow(const QByteArray& frame);
    void closeNow(int code, const QString& reason);
    /*!
     * Writes what the frames since the last call left in the socket's buffer now, instead
     * of at the socket's next write notification: one write for a batch's frames, and the
     * write notifier goes on and off within the turn (no epoll_ctl, no extra wake-up).
     */
    void flushOutput();

private:
    //! Sends \a event (the next one of the stream) as this device's delivery wants it.
    void push(const StoredEvent& event, RenderedEvent* shared);
    void onTextMessage(const QString& text);
    void onBinaryMessage(const QByteArray& data);
    void onBytesWritten();
    //! Frames wait (the queue) while a step runs or output is paused.
    bool isHoldingFrames() const { return m_busy || m_outputPaused; }
    void handleQueue();
    void setState(State state);
    //! A frame as it arrived: text, or binary (a request with a payload).
    struct Incoming {
        QString text;
        QByteArray binary;
        bool isBinary = false;
        qsizetype bytes() const { return isBinary ? binary.size() : text.size() * 2; }
    };
    //! A frame now, or after the asynchronous step in progress.
    void receive(Incoming frame);
    void processFrame(const Incoming& frame);
    void process(const QString& text);
    void processBinary(const QByteArray& frame);
    //! \a payload is the chunk of a binary frame; null for a text frame.
    void dispatch(const protocol::Frame& request, const QByteArray* payload = nullptr);
    void send(const QJsonObject& frame);
    //! Hands \a text to the server for sending (now or after a commit), then checkOutput().
    void output(const QString& text);
    //! Pauses or closes the connection when its unread output is over the limits.
    void checkOutput();
    void hello(const QJsonValue& id, const QJsonObject& args);

    QWebSocket* m_socket;
    Server* m_server;
    State m_state = State::Connected;
    qint64 m_position = 0; //!< see streamPosition()
    bool m_catchingUp = false;
    qint64 m_userId = 0;
    QString m_address;
    QString m_peer;
    protocol::Device m_device;
    int m_protocolErrors = 0;
    //! An asynchronous step is running; frames wait in m_queue meanwhile.
    bool m_busy = false;
    //! Frames in arrival order.
    QList<Incoming> m_queue;
    //! The size of m_queue's frames in bytes (text as UTF-16), capped like their number.
    qsizetype m_queuedBytes = 0;
    //! Output over MaxQueuedOutputBytes: requests wait until it is read.
    bool m_outputPaused = false;
    bool m_hadBacklog = false; //!< its output piled up once: give memory back at the end
    //! Closed for unread output: what is still sent is dropped.
    bool m_dropOutput = false;
    //! Output handed to the server but held for a commit (UTF-16 units).
    qint64 m_unsentBytes = 0;
    bool m_outputPending = false; //!< frames went to the socket since flushOutput()
    qint64 m_outputPausedSince = 0;
    //! monotonicMs() of the last state change and of the last frame received.
    qint64 m_stateSince = 0;
    qint64 m_lastFrameAt = 0;
    //! monotonicMs() after which a close frame the peer did not answer ends in an abort
    //! (checked by checkDeadlines(): no timer per connection); 0 while none was sent.
    qint64 m_closeBy = 0;
    //! The socket's bytesWritten, connected only while output is paused: an idle
    //! connection costs one signal connection less (issue 12's memory per connection).
    QMetaObject::Connection m_drained;
};

} // namespace cpm::server
