// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One request being answered, and the table that says which component answers which
// operation. Each component (Registrar, Router, Mailbox, ProfileService, later the
// SessionController) adds its operations to the table; ClientConnection only dispatches.

#include "error.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <functional>

namespace cpm::server {

class ClientConnection;

//! The time a request's writes are stamped with: milliseconds since the epoch, UTC.
inline qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

class Request final {
public:
    Request(ClientConnection* connection, QJsonValue id, QJsonObject args, QByteArray payload = {})
        : m_connection(connection)
        , m_id(std::move(id))
        , m_args(std::move(args))
        , m_payload(std::move(payload))
    {
    }

    ClientConnection& connection() const { return *m_connection; }
    const QJsonValue& id() const { return m_id; }
    const QJsonObject& args() const { return m_args; }
    //! The bytes after the header of a binary frame (an attachment chunk); empty for a text
    //! frame.
    const QByteArray& payload() const { return m_payload; }
    //! The same request without its arguments: what an answer given later keeps (no
    //! password riding along with it while a hash is checked).
    Request withoutArgs() const { return Request(m_connection, m_id, {}); }
    //! The signed-in user (0 before sign-in).
    qint64 userId() const;

    void reply(const QJsonObject& result = {}) const;
    //! Replies `{"id":ID,"result":{MEMBERS}}` with \a resultMembers JSON text already.
    void replyText(QStringView resultMembers) const;
    //! Replies in a binary frame: \a result, then \a payload (attachment.get).
    void replyWithPayload(const QJsonObject& result, const QByteArray& payload) const;
    //! Answers \a error as the wire allows (Error::toWire): a store's own failure becomes
    //! `unavailable`, `storage_full` or `internal`, and is logged here.
    void fail(const Error& error) const;
    void fail(ErrorCode code, const QString& message) const;

private:
    ClientConnection* m_connection;
    QJsonValue m_id;
    QJsonObject m_args;
    QByteArray m_payload;
};

class Operations final {
public:
    using Handler = std::function<void(const Request&)>;
    //! Whether an operation comes in a binary frame with a payload (attachment.put) or,
    //! like every other, in a text frame.
    enum Framing { TextOnly, TakesPayload };
    struct Operation {
        bool needsAuth = true;
        Handler handle;
        Framing framing = TextOnly;
    };

    void add(QLatin1StringView name, bool needsAuth, Handler handler, Framing framing = TextOnly);
    const Operation* find(const QString& name) const;

private:
    QHash<QString, Operation> m_table;
};

} // namespace cpm::server
