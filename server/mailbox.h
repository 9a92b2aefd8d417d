// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The user's own storage, as one device reaches it: `sync` through the event stream and
// `ack` of what the device applied (MSG-3, MSG-7), `fetch` of a whole message, `read`
// (MSG-5) and `delete` everywhere (MSG-6).

namespace cpm::server {

class Operations;
class Request;
class Server;

class Mailbox final {
public:
    explicit Mailbox(Server& server)
        : m_server(server)
    {
    }

    void addOperations(Operations& operations);

private:
    void sync(const Request& request);
    void ack(const Request& request);
    void fetch(const Request& request);
    void recent(const Request& request);
    void read(const Request& request);
    void remove(const Request& request);

    Server& m_server;
};

} // namespace cpm::server
