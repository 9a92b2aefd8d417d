// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One protocol frame (a JSON object in a WebSocket text frame) and its codec.
// The codec validates shape only; what an operation's arguments mean is ArgReader's job.

#include "error.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace cpm::protocol {

struct Frame {
    enum class Type { Request, Response, Event };

    Type type = Type::Request;
    QJsonValue id; //!< request and response: a non-negative integer or a short string
    QString op; //!< request
    QJsonObject args; //!< request
    QJsonObject result; //!< successful response
    Error error; //!< failed response (isNull() on success)
    QString event; //!< event name
    qint64 seq = 0; //!< stream events: the per-user sequence number; 0 for transient events
    QJsonObject data; //!< event payload

    static Frame request(const QJsonValue& id, QLatin1StringView op, const QJsonObject& args = {});
    //! A request without an id, answered only if it fails (with `"id": null`): allowed for
    //! the operations isNoticeOp() names, to a server whose `hello` listed them.
    static Frame notice(QLatin1StringView op, const QJsonObject& args = {});
    static Frame response(const QJsonValue& id, const QJsonObject& result = {});
    static Frame failure(const QJsonValue& id, const Error& error);
    static Frame streamEvent(QLatin1StringView name, qint64 seq, const QJsonObject& data);
    static Frame transientEvent(QLatin1StringView name, const QJsonObject& data);

    bool isFailure() const { return type == Type::Response && !error.isNull(); }
    bool isNotice() const { return type == Type::Request && id.isUndefined(); }
    QJsonObject toJson() const;
    QByteArray encode() const;
    //! Builds a frame from an already parsed object, validating its shape.
    static std::optional<Frame> fromJson(const QJsonObject& object, Error* error);
};

struct DecodeResult {
    std::optional<Frame> frame;
    Error error; //!< set when frame is empty
    QJsonValue id; //!< the request id, when one could be recovered from a bad frame
};

//! Whether \a op may come as a notice (a request without an id): only `ack`, whose answer
//! tells a client nothing it needs (docs/protocol.md, "Frames").
bool isNoticeOp(QStringView name);

//! Parses and validates one text frame of at most \a maxBytes bytes.
DecodeResult decode(QByteArrayView text, qsizetype maxBytes);

} // namespace cpm::protocol
