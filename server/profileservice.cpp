// SPDX-License-Identifier: GPL-3.0-or-later
#include "profileservice.h"

#include "argreader.h"
#include "clientconnection.h"
#include "logging.h"
#include "protocol.h"
#include "request.h"
#include "server.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

namespace cpm::server {

namespace {
namespace lim = protocol::limits;
using protocol::ArgReader;

} // namespace

void ProfileService::addOperations(Operations& operations)
{
    namespace op = protocol::op;
    operations.add(op::ProfileGet, true, [this](const Request& r) { get(r); });
    operations.add(op::ContactsAdd, true, [this](const Request& r) { addContact(r); });
    operations.add(op::ContactsRemove, true, [this](const Request& r) { removeContact(r); });
    operations.add(op::StatusSet, true, [this](const Request& r) { setStatus(r); });
    operations.add(op::PrefsSet, true, [this](const Request& r) { setPref(r); });
    operations.add(op::StatusPeers, true, [this](const Request& r) { peerStatuses(r); });
}

// A user's status is shared with the people in that user's contacts (and with nobody else):
// adding someone is the consent, removing them withdraws it.
void ProfileService::peerStatuses(const Request& request)
{
    ArgReader reader(request.args());
    QStringList addresses = reader.stringList(QLatin1StringView("addresses"), lim::MaxStatusPeers,
        lim::MaxAddressChars, ArgReader::Required);
    for (QString& address : addresses) {
        address = address.toLower();
        if (reader.ok() && !protocol::isValidAddress(address)) {
            reader.fail(ErrorCode::BadRequest,
                QStringLiteral("'%1' is not an address like alice@cpm.example").arg(address));
        }
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    addresses.removeDuplicates();
    Store& store = m_server.store();
    const Result<std::optional<UserRecord>> me = store.userById(request.userId());
    if (!me || !me->has_value()) {
        request.fail(me
                ? makeError(ErrorCode::Internal, QStringLiteral("your account could not be read"))
                : me.error());
        return;
    }
    QJsonArray statuses;
    for (const QString& address : std::as_const(addresses)) {
        // No user, and a user who does not share with the asker, look the same: nothing.
        const Result<std::optional<UserRecord>> peer = store.userByAddress(address);
        const Result<bool> shares = peer && peer->has_value()
            ? sharesWith((*peer)->id, (*me)->address)
            : Result<bool>(false);
        if (!peer || !shares) {
            request.fail(!peer ? peer.error() : shares.error());
            return;
        }
        if (*shares) {
            statuses.append(protocol::PeerStatus { address, (*peer)->status }.toJson());
        }
    }
    request.reply({ { QStringLiteral("statuses"), statuses } });
}

Result<bool> ProfileService::sharesWith(qint64 userId, const QString& address)
{
    const Result<QList<protocol::Contact>> contacts = m_server.store().contacts(userId);
    if (!contacts) {
        return contacts.error();
    }
    return std::any_of(contacts->cbegin(), contacts->cend(),
        [&](const protocol::Contact& c) { return c.address == address; });
}

void ProfileService::tellPeer(const QString& peerAddress, const protocol::PeerStatus& status)
{
    // Live devices only: the others ask with status.peers when they connect. A failed
    // lookup costs a live update, never the change itself, which is already stored.
    const Result<std::optional<UserRecord>> peer = m_server.store().userByAddress(peerAddress);
    if (!peer) {
        qCWarning(lcServer) << "peer.status not sent:" << peer.error().message;
        return;
    }
    if (!peer->has_value() || !m_server.live().hasUser((*peer)->id)) {
        return;
    }
    m_server.sendTransient((*peer)->id, protocol::event::PeerStatus, status.toJson());
}

void ProfileService::tellContacts(qint64 userId)
{
    Store& store = m_server.store();
    const Result<std::optional<UserRecord>> me = store.userById(userId);
    const Result<QList<protocol::Contact>> contacts = store.contacts(userId);
    if (!me || !me->has_value() || !contacts) {
        qCWarning(lcServer) << "peer.status not sent: the account could not be read";
        return;
    }
    const protocol::PeerStatus status { (*me)->address, (*me)->status };
    for (const protocol::Contact& c : *contacts) {
        tellPeer(c.address, status);
    }
}

void ProfileService::get(const Request& request)
{
    Store& store = m_server.store();
    // All or nothing: a list that failed to load must never read as an empty one, which
    // a device would apply by deleting what it has.
    const Result<std::optional<UserRecord>> user = store.userById(request.userId());
    const Result<QList<protocol::Contact>> contacts = store.contacts(request.userId());
    const Result<QMap<QString, QString>> prefs = store.prefs(request.userId());
    for (const Error* error : { &user.error(), &contacts.error(), &prefs.error() }) {
        if (!error->isNull()) {
            request.fail(*error);
            return;
        }
    }
    if (!user->has_value()) {
        request.fail(ErrorCode::Internal, QStringLiteral("your account could not be read"));
        return;
    }
    QJsonArray contactList;
    for (const protocol::Contact& c : *contacts) {
        contactList.append(c.toJson());
    }
    QJsonObject prefMap;
    for (auto it = prefs->cbegin(); it != prefs->cend(); ++it) {
        prefMap.insert(it.key(), it.value());
    }
    request.reply({ { QStringLiteral("contacts"), contactList },
        { QStringLiteral("status"), (*user)->status.toJson() },
        { QStringLiteral("prefs"), prefMap } });
}

void ProfileService::addContact(const Request& request)
{
    ArgReader reader(request.args());
    protocol::Contact contact;
    contact.address = reader.address(QLatin1StringView("address"));
    contact.name = reader.string(QLatin1StringView("name"), lim::MaxNameChars, ArgReader::Optional);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    if (!fitsProfile(request, contact, std::nullopt)) {
        return;
    }
    Events events;
    if (const Result<void> added
        = m_server.store().addContact(request.userId(), contact, now(), &events);
        !added) {
        request.fail(added.error());
        return;
    }
    request.reply();
    m_server.publish(events);
    // The new contact may see this user's status from now on.
    if (const Result<std::optional<UserRecord>> me = m_server.store().userById(request.userId());
        me && me->has_value()) {
        tellPeer(contact.address, protocol::PeerStatus { (*me)->address, (*me)->status });
    }
}

void ProfileService::removeContact(const Request& request)
{
    ArgReader reader(request.args());
    const QString address = reader.address(QLatin1StringView("address"));
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Events events;
    const Result<Store::Change> removed
        = m_server.store().removeContact(request.userId(), address, now(), &events);
    if (!removed) {
        request.fail(removed.error());
        return;
    }
    request.reply(); // removing a contact that is not one is not an error
    m_server.publish(events);
    // ...and no longer: their devices forget it.
    if (const Result<std::optional<UserRecord>> me = m_server.store().userById(request.userId());
        me && me->has_value()) {
        tellPeer(address, protocol::PeerStatus { (*me)->address, std::nullopt });
    }
}

void ProfileService::setStatus(const Request& request)
{
    ArgReader reader(request.args());
    protocol::Status status;
    status.status = reader.oneOf(QLatin1StringView("status"), protocol::status::All);
    status.text
        = reader.string(QLatin1StringView("text"), lim::MaxStatusTextChars, ArgReader::Optional);
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    Events events;
    if (const Result<void> stored
        = m_server.store().setStatus(request.userId(), status, now(), &events);
        !stored) {
        request.fail(stored.error());
        return;
    }
    request.reply();
    m_server.publish(events);
    tellContacts(request.userId());
}

void ProfileService::checkInterworkingPref(
    protocol::ArgReader& reader, const QString& key, const QString& value)
{
    namespace pref = protocol::pref;
    if (key == pref::WhenAway && value != pref::WhenAwayKeep && value != pref::WhenAwayLegacy
        && value != pref::WhenAwayBoth) {
        reader.fail(
            ErrorCode::BadRequest, QStringLiteral("preference 'whenAway' is keep, legacy or both"));
    } else if (key == pref::LegacyEmail && !value.isEmpty()
        && !protocol::isValidAddress(value.toLower())) {
        reader.fail(ErrorCode::BadRequest,
            QStringLiteral("preference 'legacyEmail' is an e-mail address (user@domain) or empty"));
    } else if (key == pref::LegacyPhone && !value.isEmpty()) {
        static const QRegularExpression e164(QStringLiteral("^\\+[0-9]{6,15}$"));
        if (!e164.match(value).hasMatch()) {
            reader.fail(ErrorCode::BadRequest,
                QStringLiteral("preference 'legacyPhone' is + and 6 to 15 digits, or empty"));
        }
    }
}

void ProfileService::setPref(const Request& request)
{
    ArgReader reader(request.args());
    const QString key = reader.string(QLatin1StringView("key"), lim::MaxPrefKeyChars);
    // An empty value is a value: read it as optional, then insist it is there.
    const QString value
        = reader.string(QLatin1StringView("value"), lim::MaxPrefValueChars, ArgReader::Optional);
    if (reader.ok() && !request.args().value(QLatin1StringView("value")).isString()) {
        reader.fail(ErrorCode::BadRequest, QStringLiteral("field 'value' is required"));
    }
    if (reader.ok() && key == protocol::pref::GuestSignIn) {
        // GST-1: who may sign in as a guest is decided from a device of one's own.
        if (request.connection().device().guest) {
            reader.fail(ErrorCode::Forbidden,
                QStringLiteral("a guest device cannot change whether guests may sign in"));
        } else if (value != QLatin1StringView("allow") && value != QLatin1StringView("deny")) {
            reader.fail(
                ErrorCode::BadRequest, QStringLiteral("preference 'guestSignIn' is allow or deny"));
        }
    }
    if (reader.ok()) {
        checkInterworkingPref(reader, key, value);
    }
    if (!reader.ok()) {
        request.fail(reader.error());
        return;
    }
    if (!fitsProfile(request, std::nullopt, protocol::PrefEvent { key, value })) {
        return;
    }
    Events events;
    if (const Result<void> stored
        = m_server.store().setPref(request.userId(), key, value, now(), &events);
        !stored) {
        request.fail(stored.error());
        return;
    }
    request.reply();
    m_server.publish(events);
}

bool ProfileService::fitsProfile(const Request& request,
    const std::optional<protocol::Contact>& contact, const std::optional<protocol::PrefEvent>& pref)
{
    // Counted afresh each time: adding a contact is rare next to messages, and nothing can
    // drift from what `profile.get` would answer. One thread makes check and write atomic.
    Store& store = m_server.store();
    const Result<QList<protocol::Contact>> contacts = store.contacts(request.userId());
    const Result<QMap<QString, QString>> prefs = store.prefs(request.userId());
    for (const Error* error : { &contacts.error(), &prefs.error() }) {
        if (!error->isNull()) {
            request.fail(*error);
            return false;
        }
    }
    qsizetype bytes = 0;
    for (const protocol::Contact& c : *contacts) {
        if (!contact || c.address != contact->address) {
            bytes += protocol::profileBytes(c);
        }
    }
    for (auto it = prefs->cbegin(); it != prefs->cend(); ++it) {
        if (!pref || it.key() != pref->key) {
            bytes += protocol::profileBytes(it.key(), it.value());
        }
    }
    bytes += contact ? protocol::profileBytes(*contact) : 0;
    bytes += pref ? protocol::profileBytes(pref->key, pref->value) : 0;
    if (bytes <= lim::MaxProfileBytes) {
        return true;
    }
    request.fail(ErrorCode::LimitReached,
        QStringLiteral("contacts and preferences would take %1 bytes, more than the %2 allowed; "
                       "remove some first")
            .arg(bytes)
            .arg(lim::MaxProfileBytes));
    return false;
}

} // namespace cpm::server
