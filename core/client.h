// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The client core's facade: one Client is one device (one profile directory). It owns the
// connection, the encrypted local store and the outbox, and is all the UI and the CLI use.

#include "types.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace cpm {

class AttachmentManager;
class SessionManager;
class Transport;

/*!
 * One device of one user. Everything is asynchronous and runs on the thread the Client
 * lives on; reads of the local store (messages(), conversations(), ...) are synchronous,
 * small and paged, so they are fine on the GUI thread. They answer value-or-error: a local
 * store that cannot be read says so (StoreBusy, DiskFull, StoreCorrupt, ...), it never
 * looks empty.
 *
 * Message ids: Message::id is the server's id; a message still in the outbox has a
 * negative id until the server accepts it (messageSent()).
 *
 * Callbacks get a null Error on success; besides the server's codes (docs/protocol.md)
 * they may get Offline (not signed in), Timeout (no answer in time), Disconnected (the
 * connection dropped first) and the local store's codes.
 */
class Client final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Client)

public:
    using State = ConnectionState;
    //! Completion of an asynchronous request: error.isNull() on success.
    using Callback = std::function<void(const Error& error)>;

    //! A device kept in \a profileDir (created when missing). Call open() next.
    explicit Client(const QString& profileDir, QObject* parent = nullptr);
    //! For tests: the same with a transport of the caller's (e.g. a fake one).
    Client(
        const QString& profileDir, std::unique_ptr<Transport> transport, QObject* parent = nullptr);
    /*!
     * A guest's device on someone else's machine (GST-1..GST-6). It has no profile
     * directory: its identity and database are held in memory, its key is random and lives
     * only in locked memory, and the directory it may write to (profileDir(), under
     * GuestVault::parentDir()) holds only what is sealed with that key. open() makes it;
     * registerDevice() then signs in as a guest; signOut() removes it all.
     */
    static std::unique_ptr<Client> createGuest(QObject* parent = nullptr);
    ~Client() override;
    bool isGuest() const;

    /*!
     * Opens (or creates) the profile: takes its lock (ProfileBusy when another process has
     * it open), then its identity, key and local store. A local database that is damaged is
     * moved aside (see recoveredStore()) and the device syncs everything again. May block up
     * to ~3 s on a desktop keyring that does not answer.
     */
    Result<void> open();
    bool isOpen() const;
    QString profileDir() const;
    /*!
     * Non-empty when open() found the local database damaged: the file name it was moved
     * to (kept, still encrypted, for a bug report). The messages come back with the sync;
     * what only this device knew (unsent messages, deletions on this device only) is gone.
     */
    QString recoveredStore() const;

    //! True when this profile holds a registered device (address, device id and token).
    bool hasAccount() const;
    //! The first of serverUrls().
    QUrl serverUrl() const;
    //! Remembered in the profile; used by the next connectToServer()/registerDevice().
    void setServerUrl(const QUrl& url);
    //! The service's nodes, tried in turn (Connection::open); remembered in the profile.
    QList<QUrl> serverUrls() const;
    void setServerUrls(const QList<QUrl>& urls);
    //! The node the connection uses now (or tries next); before any, the first.
    QUrl currentServerUrl() const;
    //! A PEM file of certificate authorities to trust for wss:// besides the system's
    //! (and SSL_CERT_FILE's); remembered in the profile. Empty: none.
    QString caFile() const;
    void setCaFile(const QString& path);
    /*!
     * registerDevice() refuses (ErrorCode::Insecure) to send a password over plain ws://
     * to a host that is not this computer, unless this is set (the person insisted, e.g.
     * `cpm-cli --insecure`). Not remembered.
     */
    void setAllowInsecure(bool allow);
    //! True for a plain ws:// URL whose host is not this computer.
    static bool isInsecure(const QUrl& url);

    //! Registers this device with the user's password (which is not stored), then stays
    //! connected and syncs. \a done runs once with the outcome of the registration.
    void registerDevice(const QString& address, const QString& password, const QString& deviceName,
        const QString& kind, Callback done = {});
    //! Signs in with the stored token and keeps the connection up, reconnecting with
    //! backoff after a drop, until disconnectFromServer() or a sign-out.
    void connectToServer();
    void disconnectFromServer();
    //! Whether a dropped connection is retried (default true). The CLI turns it off.
    void setAutoReconnect(bool enabled);

    State state() const;
    qint64 syncPosition() const;
    qint64 serverHead() const;
    //! The last few errors (server answers, connection and storage problems), newest last.
    QList<Error> lastErrors() const;
    Diagnostics diagnostics() const;

    // Identity of this device (empty/0 before registration).
    QString address() const;
    qint64 deviceId() const;
    QString deviceName() const;
    //! This device's kind (protocol::kind): kept, like the name, after a sign-out.
    QString deviceKind() const;
    QString instanceId() const;

    // --- Messages (MSG-1, MSG-5, MSG-6) ------------------------------------------------

    /*!
     * Queues a message in the on-disk outbox (it shows at once as pending) and sends it
     * when online. Returns its clientId; or BadRequest (an address that is not one, an
     * empty message, a subject over 256 characters), TooLarge (a body over 65,536 bytes),
     * NoAccount, or the store's error. See messageSent() / sendFailed().
     */
    Result<QString> send(const QString& to, const QString& subject, const QString& body);
    /*!
     * The same with attachments (MSG-1): each of \a files is uploaded into the user's
     * network storage (resumably; after a restart too), then the message goes. NotFound
     * for a file that cannot be read, TooLarge for one over the server's limit, BadRequest
     * for more than 10. A file that fails for good (gone, changed, over quota) fails the
     * message (sendFailed()); retrySend() uploads it again.
     */
    Result<QString> send(
        const QString& to, const QString& subject, const QString& body, const QStringList& files);
    //! Marks an incoming message read here and, via the server, on every device (MSG-5).
    //! Offline, the server is told once online; \a done then reports Offline.
    void markRead(qint64 messageId, Callback done = {});
    //! Fetches the whole message for one this device was only notified of.
    void fetchBody(qint64 messageId, Callback done = {});
    //! Removes the message from this device only; a later sync never brings it back.
    Result<void> deleteLocally(qint64 messageId);
    //! Deletes the message from network storage and every device of the user.
    void deleteEverywhere(qint64 messageId, Callback done = {});

    Result<std::optional<Message>> message(qint64 messageId) const;
    //! Up to \a limit messages with \a peer, oldest first, that come before the message
    //! with (\a beforeTime, \a beforeLocalId) — or the newest ones when beforeTime is 0.
    Result<QList<Message>> messages(
        const QString& peer, int limit = 50, qint64 beforeTime = 0, qint64 beforeLocalId = 0) const;
    //! Conversations, most recent first.
    Result<QList<Conversation>> conversations() const;
    Result<int> unreadCount() const;
    Result<int> outboxSize() const;
    /*!
     * Sends a message the server refused for good (Message::Status::Failed, e.g. to an
     * address that had no account yet) once more, with the same client id. True when it is
     * queued again; false when \a pendingId is not a failed message.
     */
    Result<bool> retrySend(qint64 pendingId);

    // --- Chat sessions (SES) -------------------------------------------------------------

    //! Invites, requests ringing here, ongoing sessions and moving them between devices.
    SessionManager& sessions() const;
    //! Attachments: fetching, thumbnails, transfers, my files (MSG-1).
    AttachmentManager& attachments() const;

    // --- Devices (DEV-2, DEV-3) --------------------------------------------------------

    //! The cached device list (updated by events and refreshDevices()).
    Result<QList<Device>> devices() const;
    void refreshDevices(Callback done = {});
    /*!
     * Another user's status (CON-1), when that user shares it with this one (has this user
     * in their contacts); std::nullopt when not shared or not known yet. Live only: asked
     * for on connecting and kept current by `peer.status` events.
     */
    std::optional<UserStatus> peerStatus(const QString& address) const;
    //! Asks the server again for the statuses of \a addresses (empty: the contacts and the
    //! people written with, as many as one request takes).
    void refreshPeerStatuses(const QStringList& addresses = {}, Callback done = {});
    void renameDevice(qint64 deviceId, const QString& name, Callback done = {});
    //! Signs a device out remotely; signing out this very device wipes this profile.
    void signOutDevice(qint64 deviceId, Callback done = {});
    /*!
     * Signs this device out. A normal device: signOutDevice(deviceId()), the wipe follows
     * the server's answer. A guest (GST-4): everything local goes at once, whatever the
     * network does — the key is zeroed, the database dropped, the directory removed,
     * signedOut() emitted — and then the server is told with the token kept in this
     * object's memory: now, or at the next chance while this object lives (reconnecting
     * with backoff). \a done runs when the server confirmed; if it never can, the guest
     * device ends by itself (docs/protocol.md, "Guest devices").
     */
    void signOut(Callback done = {});
    //! \a delivery is "full", "notification" or "none".
    void setDelivery(qint64 deviceId, const QString& delivery, Callback done = {});

    // --- Contacts, status, preferences (CON-1) -----------------------------------------

    Result<QList<Contact>> contacts() const;
    void addContact(const QString& address, const QString& name, Callback done = {});
    void removeContact(const QString& address, Callback done = {});
    Result<UserStatus> status() const;
    //! \a status is one of available, busy, away, custom.
    void setStatus(const QString& status, const QString& text, Callback done = {});
    //! The user's preferences: kept in the network, the same on every device (CON-1).
    Result<QVariantMap> prefs() const;
    void setPref(const QString& key, const QString& value, Callback done = {});
    //! The e-mail/SMS deliveries of the user's recent messages and how they went (MSG-8),
    //! newest first; for diagnostics. Asks the server (Offline when not signed in).
    using LegacyDeliveriesCallback
        = std::function<void(const Error& error, const QList<protocol::LegacyDelivery>& list)>;
    void legacyDeliveries(LegacyDeliveriesCallback done);
    //! A setting of this device alone (e.g. its desktop notifications, its language): kept
    //! in the local store, never sent, gone with the rest at sign-out. Null when not set.
    Result<QString> deviceSetting(const QString& key) const;
    Result<void> setDeviceSetting(const QString& key, const QString& value);

Q_SIGNALS:
    void stateChanged(cpm::ConnectionState state);
    //! Sync progress: \a position of \a head events applied.
    void syncProgressChanged(qint64 position, qint64 head);
    void errorOccurred(const cpm::Error& error);
    //! registerDevice() or a login succeeded: address() and deviceId() are known.
    void accountChanged();
    //! This device was signed out remotely (DEV-2) and its local data wiped.
    void signedOut();

    void messageAdded(qint64 messageId, const QString& peer);
    void messageChanged(qint64 messageId);
    void messageRemoved(qint64 messageId);
    //! The server accepted an outbox message: \a pendingId (negative) is now \a messageId.
    void messageSent(qint64 pendingId, qint64 messageId, const QString& clientId);
    //! The server refused an outbox message for good (e.g. no_such_user); it stays
    //! in the conversation with status Failed.
    void sendFailed(qint64 pendingId, const QString& clientId, const cpm::Error& error);
    //! Every outbox message sent since the last connection has been answered (sent,
    //! refused, or left for a later try): nothing is in flight.
    void outboxIdle();
    void unreadCountChanged(int count);
    //! A new unread incoming message, for desktop notifications (MSG-4). Not emitted for
    //! the history brought in by the first sync of a fresh profile.
    void incomingMessage(qint64 messageId, const QString& from, const QString& subject);
    //! An incoming message was read on another device: clear its notification (MSG-5).
    void messageReadElsewhere(qint64 messageId);

    void deviceListChanged();
    void contactsChanged();
    void statusChanged();
    //! Another user's shared status changed, or this device learnt it (peerStatus()).
    void peerStatusesChanged();
    void prefsChanged();

private:
    class Private;
    Client(const QString& profileDir, std::unique_ptr<Transport> transport, bool isGuest,
        QObject* parent);

    std::unique_ptr<Private> d;
};

} // namespace cpm
