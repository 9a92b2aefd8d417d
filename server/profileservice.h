// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What follows the user to every device (CON-1): contacts, status and preferences, read
// with `profile.get` and changed with `contacts.*`, `status.set` and `prefs.set`; every
// change is a stream event to all the user's devices.

#include "argreader.h"
#include "model.h"

#include <optional>

namespace cpm::server {

class Operations;
class Request;
class Server;

class ProfileService final {
public:
    explicit ProfileService(Server& server)
        : m_server(server)
    {
    }

    void addOperations(Operations& operations);

private:
    void get(const Request& request);
    void addContact(const Request& request);
    void removeContact(const Request& request);
    void setStatus(const Request& request);
    void setPref(const Request& request);
    //! Refuses a malformed value of the interworking preferences (MSG-8) through \a reader.
    static void checkInterworkingPref(
        protocol::ArgReader& reader, const QString& key, const QString& value);
    void peerStatuses(const Request& request);
    //! Whether the user \a userId has \a address in their contacts (so shares their status).
    Result<bool> sharesWith(qint64 userId, const QString& address);
    //! Sends `peer.status` with \a status to the live devices of \a peerAddress's user.
    void tellPeer(const QString& peerAddress, const protocol::PeerStatus& status);
    //! Sends the user's current status to the live devices of everyone in their contacts.
    void tellContacts(qint64 userId);
    /*!
     * Whether the user's contacts and preferences, with \a contact added (or renamed) or
     * \a pref set, stay within limits::MaxProfileBytes; if not, or if they cannot be read,
     * \a request is answered with the error and false returned.
     */
    bool fitsProfile(const Request& request, const std::optional<protocol::Contact>& contact,
        const std::optional<protocol::PrefEvent>& pref);

    Server& m_server;
};

} // namespace cpm::server
