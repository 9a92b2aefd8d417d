// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The protocol's objects (docs/protocol.md, "Objects") rendered from store records.

#include "serverstore.h"

#include <QJsonObject>

namespace cpm::server::wire {

//! A Message object; \a partial leaves the body out (`notification` devices).
QJsonObject message(const MessageView& message, bool partial);
//! A Device object as seen by one device (\a current) at one moment (\a online).
QJsonObject device(const DeviceRecord& device, bool online, bool current);
QJsonObject contact(const Contact& contact);

// The frames every message makes, written as text directly: building a QJsonObject and
// running QJsonDocument::toJson cost several times more than the text itself, and these
// are most of what a busy server sends. They produce the same JSON (keys in another order).

//! `{"event":"message","seq":N,"data":{"message":Message}}`
QString messageEventText(qint64 seq, const MessageView& message, bool partial);
//! `{"event":KIND,"seq":N,"data":DATA}` where \a data is JSON text already.
QString eventText(QStringView kind, qint64 seq, QStringView data);
//! A response: `{"id":ID,"result":{...}}` with the (already JSON) members \a result.
QString responseText(const QJsonValue& id, QStringView resultMembers);
//! Appends \a text as a JSON string (quoted, escaped).
void appendString(QString& out, QStringView text);
//! Appends \a id (a request id: integer, string or null) as JSON.
void appendId(QString& out, const QJsonValue& id);

} // namespace cpm::server::wire
