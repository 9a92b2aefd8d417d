// SPDX-License-Identifier: GPL-3.0-or-later
#include "interworking.h"

#include "attachmentservice.h"
#include "liveconnections.h"
#include "logging.h"
#include "operatorsettings.h"
#include "protocol.h"
#include "request.h"
#include "server.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>

#include <algorithm>

namespace cpm::server {

namespace {
namespace pref = protocol::pref;
constexpr qint64 MaxRetrySeconds = 3600;
// Where nodes share the store: how long a delivery one node took stays its own. A node that
// dies while sending leaves it to another after this (which may then send it twice).
constexpr qint64 ClaimLeaseMs = 5 * 60 * 1000;
const QString Email = QStringLiteral("email");
const QString Sms = QStringLiteral("sms");
} // namespace

Interworking::Interworking(Server& server)
    : m_server(server)
    , m_smtp(std::make_unique<legacy::SmtpSender>())
    , m_sms(std::make_unique<legacy::SmsSender>())
{
}

Interworking::~Interworking() = default;

void Interworking::setConfig(const Config& config) { m_config = config; }

void Interworking::addOperations(Operations& operations)
{
    operations.add(protocol::op::LegacyDeliveries, true, [this](const Request& r) { list(r); });
}

void Interworking::list(const Request& request)
{
    // The newest 50 of the user's messages, sent or received: what a device shows in its
    // diagnostics. A sender does not learn the recipient's e-mail address or number.
    constexpr int Listed = 50;
    const Result<QList<Store::LegacyDelivery>> found
        = m_server.store().legacyDeliveries(request.userId(), Listed);
    if (!found) {
        request.fail(found.error());
        return;
    }
    QJsonArray out;
    for (const Store::LegacyDelivery& d : *found) {
        protocol::LegacyDelivery wire;
        wire.messageId = d.messageId;
        wire.outgoing = d.recipientId != request.userId();
        wire.network = d.network;
        wire.address = wire.outgoing ? QString() : d.address;
        wire.state = d.state;
        wire.attempts = d.attempts;
        wire.lastError = d.lastError;
        wire.created = d.created;
        wire.finished = d.finished;
        out.append(wire.toJson());
    }
    request.reply({ { QStringLiteral("deliveries"), out } });
}

Result<Interworking::Decision> Interworking::decide(qint64 recipientId)
{
    Decision d;
    if (m_server.live().hasUser(recipientId)) {
        return d; // available on CPM: delivered as always
    }
    d.route = protocol::Route::Deferred;
    Store& store = m_server.store();
    if (store.settingInt(settings::InterworkingEnabled) == 0) {
        return d;
    }
    const Result<QMap<QString, QString>> prefs = store.prefs(recipientId);
    if (!prefs) {
        return prefs.error();
    }
    const QString whenAway = prefs->value(pref::WhenAway, QString(pref::WhenAwayKeep));
    if (whenAway != pref::WhenAwayLegacy && whenAway != pref::WhenAwayBoth) {
        return d;
    }
    const Result<QStringList> registered = store.legacyRegistrations(recipientId);
    if (!registered) {
        return registered.error();
    }
    // Where the registration says she is, e-mail first when she is in both.
    const QString email = prefs->value(pref::LegacyEmail);
    const QString phone = prefs->value(pref::LegacyPhone);
    if (registered->contains(Email) && !email.isEmpty() && !m_config.smtp.url.isEmpty()
        && store.settingInt(settings::InterworkingEmail) != 0) {
        d.network = Email;
        d.address = email;
    } else if (registered->contains(Sms) && !phone.isEmpty() && !m_config.sms.url.isEmpty()
        && store.settingInt(settings::InterworkingSms) != 0) {
        d.network = Sms;
        d.address = phone;
    }
    return d;
}

void Interworking::tick(qint64 now)
{
    if (m_inFlight.size() >= MaxInFlight) {
        return;
    }
    Store& store = m_server.store();
    const Result<QList<Store::LegacyDelivery>> due
        = store.dueLegacyDeliveries(now, MaxInFlight + int(m_inFlight.size()));
    if (!due) {
        qCWarning(lcServer) << "cannot read the e-mail/SMS deliveries due:" << due.error().message;
        return;
    }
    QList<qint64> postponed;
    for (const Store::LegacyDelivery& d : *due) {
        if (m_inFlight.size() >= MaxInFlight) {
            break;
        }
        if (m_inFlight.contains(d.id)) {
            continue;
        }
        if (m_server.live().hasUser(d.recipientId)) {
            // She is back on CPM: her device's acknowledgement calls this one off. Until
            // then it waits a retry interval, without counting an attempt, so that a device
            // that stays connected without acknowledging does not hold up the others.
            postponed.append(d.id);
            continue;
        }
        if (store.isShared()) {
            // Other nodes see the same due deliveries: one takes each, for a while.
            const Result<bool> mine = store.claimLegacyDelivery(d.id, now, now + ClaimLeaseMs);
            if (!mine || !*mine) {
                continue;
            }
        }
        attempt(d);
    }
    if (!postponed.isEmpty()) {
        const qint64 wait
            = std::max<qint64>(1, store.settingInt(settings::InterworkingRetrySeconds));
        if (const Result<void> moved = store.postponeLegacyDeliveries(postponed, now + wait * 1000);
            !moved) {
            qCWarning(lcServer) << "cannot postpone e-mail/SMS deliveries:"
                                << moved.error().message;
        }
    }
}

void Interworking::attempt(const Store::LegacyDelivery& d)
{
    m_inFlight.insert(d.id);
    const qint64 id = d.id;
    const int attempts = d.attempts;
    const protocol::Message& m = d.message;
    auto done
        = [this, id, attempts](const legacy::Outcome& outcome) { record(id, attempts, outcome); };
    if (d.network == Email) {
        legacy::MailMessage mail;
        mail.from = m_config.mailFrom;
        mail.to = d.address;
        mail.senderCpmAddress = m.from;
        mail.subject = m.subject;
        mail.text = m.body;
        mail.messageId = QString::number(m.id);
        mail.timeMs = m.time;
        for (const protocol::Attachment& a : m.attachments) {
            mail.attachments.append({ a.name, a.type, m_server.attachments().filePathOf(a.id) });
        }
        m_smtp->sendMail(m_config.smtp, mail, done);
        return;
    }
    // SMS: the text, with a line for each attachment in place of its bytes.
    QString text = m.from + QStringLiteral(": ");
    if (!m.subject.isEmpty()) {
        text += m.subject + QStringLiteral(" — ");
    }
    text += m.body;
    for (const protocol::Attachment& a : m.attachments) {
        text += QStringLiteral("\n[%1, %2: cpm:message/%3/%4]")
                    .arg(a.name, QLocale::c().formattedDataSize(a.size))
                    .arg(m.id)
                    .arg(a.id);
    }
    m_sms->sendSms(m_config.sms, d.address, legacy::splitSms(text), QString::number(m.id), done);
}

void Interworking::record(qint64 deliveryId, int attemptsBefore, const legacy::Outcome& outcome)
{
    m_inFlight.remove(deliveryId);
    if (!m_server.hasOpenStore()) {
        return; // shutting down: the attempt is made again after the restart
    }
    Store& store = m_server.store();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 next = 0;
    const int attempts = attemptsBefore + 1;
    if (!outcome.ok && outcome.transient
        && attempts < store.settingInt(settings::InterworkingMaxAttempts)) {
        const qint64 base
            = std::max<qint64>(1, store.settingInt(settings::InterworkingRetrySeconds));
        const qint64 wait = std::min(MaxRetrySeconds, base << std::min(attempts - 1, 20));
        next = now + wait * 1000;
    }
    qCInfo(lcServer).noquote()
        << "legacy delivery" << deliveryId
        << (outcome.ok        ? QStringLiteral("delivered: %1").arg(outcome.detail)
                   : next > 0 ? QStringLiteral("failed, retried in %1 s: %2")
                                    .arg((next - now) / 1000)
                                    .arg(outcome.detail)
                              : QStringLiteral("failed for good: %1").arg(outcome.detail));
    Events events;
    if (const Result<void> recorded
        = store.finishLegacyAttempt(deliveryId, outcome.ok, outcome.detail, next, now, &events);
        !recorded) {
        qCWarning(lcServer) << "cannot record legacy delivery" << deliveryId << ":"
                            << recorded.error().message;
        return;
    }
    m_server.publish(events);
}

} // namespace cpm::server
