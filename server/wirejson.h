// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The frames every message makes, written as text directly: building a QJsonObject and
// running QJsonDocument::toJson cost several times more than the text itself, and these
// are most of what a busy server sends. Each produces the same JSON as the protocol's
// codec (core/protocol/model.h) with the keys in another order; tst_wirejson holds them
// equal, for the worst-case characters too.

#include "model.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace cpm::server::wire {

//! `{"event":"message","seq":N,"data":{"message":Message}}`; \a partial leaves the body out.
QString messageEventText(qint64 seq, const protocol::Message& message, bool partial);
//! Appends the Message object \a message (\a partial: without its body).
void appendMessage(QString& out, const protocol::Message& message, bool partial);
/*!
 * The members `"messages":[...],"more":M` of a page of messages: \a newestFirst is taken
 * until the frame limit and sent oldest first; \a more is true when messages are left
 * (then the page was cut short or \a more came in true). A message with `partial` set
 * goes without its body.
 */
QString messagePageMembers(const QList<protocol::Message>& newestFirst, bool more);
//! `{"event":KIND,"seq":N,"data":DATA}` where \a data is JSON text already.
QString eventText(QStringView kind, qint64 seq, QStringView data);
//! A `report` event's data: `{"messageId":N,"status":S,"by":A,"time":T}`.
QString reportData(const protocol::ReportEvent& report);
//! A response: `{"id":ID,"result":{...}}` with the (already JSON) members \a result.
QString responseText(const QJsonValue& id, QStringView resultMembers);
//! A `sync` answer: `{"id":ID,"result":{"events":[...],"next":N,"head":H,"more":M}}`,
//! the events being frame texts already.
QString syncResponseText(
    const QJsonValue& id, const QStringList& events, qint64 next, qint64 head, bool more);
//! Appends \a text as a JSON string (quoted, escaped).
void appendString(QString& out, QStringView text);
//! The size of \a text in UTF-8, without converting it. A lone surrogate counts three
//! bytes, never less than an encoder makes of it: a budget may only overestimate.
qsizetype utf8Size(QStringView text);
//! What syncResponseText() adds around its events, at most (an id of 64 escaped
//! characters, three integers of 16 digits, the keys).
inline constexpr qsizetype SyncEnvelopeBytes = 600;
//! Appends \a id (a request id: integer, string or null) as JSON.
void appendId(QString& out, const QJsonValue& id);

} // namespace cpm::server::wire
