// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Where a message goes (MSG-2, MSG-3, MSG-7): `send` checks the sender's rights (account
// enabled, daily quota) and finds the recipient, decides how the message is delivered, and
// has the store keep it; publish() fans committed stream events out to the live devices of
// their users, each in the view the DeliveryPolicy gives it.
//
// The routing decision is one step between the checks and the store: today every message
// goes to the recipient's CPM mailbox (store and forward). Legacy interworking (MSG-8:
// convert to e-mail or SMS when the recipient is away on CPM) is another outcome of that
// step, decided here, before the store.

#include "store.h"

namespace cpm::server {

class Operations;
class Request;
class Server;

class Router final {
    Q_DISABLE_COPY_MOVE(Router)

public:
    explicit Router(Server& server);

    void addOperations(Operations& operations);
    //! Delivers just-written stream events to the live connections of their users.
    void publish(const Events& events);

private:
    void send(const Request& request);

    Server& m_server;
};

} // namespace cpm::server
