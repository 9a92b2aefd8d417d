// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The interworking function (MSG-7, MSG-8; seed 000): for a recipient who is not available
// on CPM (no device connected), the user's preference `whenAway`, the operator's settings
// and the legacy registration (the stand-in for the HSS/HLR lookup, `cpm-server legacy
// register`) decide whether a message is only kept (route `deferred`) or also converted
// for e-mail or SMS. A conversion is queued with the message in one write; this class sends
// the queued ones through the gateways (server/legacy/), retries with backoff, and records
// each attempt. The message stays stored whatever happens: it reaches the recipient's
// devices when one is back.

#include "legacy/legacygateways.h"
#include "model.h"
#include "result.h"
#include "store.h"

#include <QSet>

#include <memory>

namespace cpm::server {

class Operations;
class Request;
class Server;

class Interworking final {
public:
    //! The gateways, from the command line (docs/server.md, "Interworking").
    struct Config {
        legacy::SmtpConfig smtp; //!< smtp.url empty: no e-mail
        QString mailFrom; //!< the envelope sender and From: of converted messages
        legacy::SmsConfig sms; //!< sms.url empty: no SMS
    };
    //! How a new message for a recipient goes.
    struct Decision {
        protocol::Route route = protocol::Route::Cpm;
        QString network; //!< "email" or "sms" when a conversion is to be queued
        QString address; //!< the recipient's address there
    };
    //! Attempts running at once, at most.
    static constexpr int MaxInFlight = 4;

    explicit Interworking(Server& server);
    ~Interworking();
    Q_DISABLE_COPY_MOVE(Interworking)

    void setConfig(const Config& config);
    const Config& config() const { return m_config; }
    //! `legacy.deliveries`.
    void addOperations(Operations& operations);
    //! MSG-7/MSG-8 for a message to \a recipientId now.
    Result<Decision> decide(qint64 recipientId);
    //! Starts the conversions that are due (each server tick).
    void tick(qint64 now);

private:
    void list(const Request& request);
    void attempt(const Store::LegacyDelivery& delivery);
    void record(qint64 deliveryId, int attemptsBefore, const legacy::Outcome& outcome);

    Server& m_server;
    Config m_config;
    std::unique_ptr<legacy::SmtpSender> m_smtp;
    std::unique_ptr<legacy::SmsSender> m_sms;
    QSet<qint64> m_inFlight;
};

} // namespace cpm::server
