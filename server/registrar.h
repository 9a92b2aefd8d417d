// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Accounts and devices (DEV-1..3): `register` with a password, `login` with a device token,
// `whoami`, and the `devices.*` operations. Password checks run on a thread pool (Argon2id
// takes ~100 ms and 64 MiB) and failed sign-ins are counted by the LoginThrottle; a sign-in
// the store cannot answer right now is told so (`unavailable`), never `auth_failed`, and is
// not counted against the address.

#include "loginthrottle.h"
#include "store.h"

#include <QThreadPool>

namespace cpm::server {

class Operations;
class Request;
class Server;

class Registrar final {
    Q_DISABLE_COPY_MOVE(Registrar)

public:
    explicit Registrar(Server& server);
    ~Registrar();

    void addOperations(Operations& operations);
    //! Forgets failed sign-ins older than the window (called once a second).
    void prune(qint64 now);
    //! Signs out (and forgets) guest devices past their lifetime or idle too long.
    void expireGuests(qint64 now);
    //! Waits for password checks still running (shutdown).
    void waitForChecks() { m_hashPool.waitForDone(); }

private:
    void registerDevice(const Request& request);
    void finishRegister(const Request& request, const QString& address, bool passwordOk,
        const Store::NewDevice& device);
    /*!
     * Whether user \a userId may sign in one more device: fewer than `devices.maxPerUser`
     * are signed in, or \a instanceId is one of them (registering again). Otherwise
     * \a request is answered with `limit_reached` and false returned.
     */
    bool roomForDevice(const Request& request, qint64 userId, const QString& instanceId);
    //! A password check reserved for \a address and \a source has ended.
    void settlePasswordCheck(const QString& address, const QString& source, bool passwordOk);
    void login(const Request& request);
    void whoami(const Request& request);
    void listDevices(const Request& request);
    void renameDevice(const Request& request);
    void setDelivery(const Request& request);
    void signOutDevice(const Request& request);
    void applyDeviceChange(
        const Request& request, qint64 deviceId, const Store::DeviceChange& change);
    enum class Proof { Password, Token };
    //! True (and answered) when a sign-in to \a address with \a proof must wait: the
    //! source's failures (either proof), for a password also the address's wrong passwords
    //! and the queue of password checks. A token is never refused for guesses at the address.
    bool throttled(const Request& request, const QString& address, Proof proof);
    //! True (and answered) when the connection is signed in already.
    bool signedInAlready(const Request& request);

    Server& m_server;
    LoginThrottle m_addresses; //!< wrong passwords per CPM address
    LoginThrottle m_sources; //!< failed sign-ins of either proof per network address
    QThreadPool m_hashPool;
    int m_checksInFlight = 0; //!< password checks queued or running
};

} // namespace cpm::server
