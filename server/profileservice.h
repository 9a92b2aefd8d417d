// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What follows the user to every device (CON-1): contacts, status and preferences, read
// with `profile.get` and changed with `contacts.*`, `status.set` and `prefs.set`; every
// change is a stream event to all the user's devices.

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

    Server& m_server;
};

} // namespace cpm::server
