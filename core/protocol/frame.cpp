// SPDX-License-Identifier: GPL-3.0-or-later
#include "frame.h"

#include "protocol.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace cpm::protocol {

namespace {
bool isValidId(const QJsonValue& id)
{
    if (id.isDouble()) {
        const double v = id.toDouble();
        return v >= 0 && v <= double(MaxSafeInteger)
            && v == static_cast<double>(static_cast<qint64>(v));
    }
    if (id.isString()) {
        const QString s = id.toString();
        return !s.isEmpty() && s.size() <= 64;
    }
    return false;
}

} // namespace

Frame Frame::request(const QJsonValue& id, QLatin1StringView op, const QJsonObject& args)
{
    Frame f;
    f.type = Type::Request;
    f.id = id;
    f.op = QString(op);
    f.args = args;
    return f;
}

Frame Frame::response(const QJsonValue& id, const QJsonObject& result)
{
    Frame f;
    f.type = Type::Response;
    f.id = id;
    f.result = result;
    return f;
}

Frame Frame::failure(const QJsonValue& id, const Error& error)
{
    Frame f;
    f.type = Type::Response;
    f.id = id;
    f.error = error;
    return f;
}

Frame Frame::streamEvent(QLatin1StringView name, qint64 seq, const QJsonObject& data)
{
    Frame f;
    f.type = Type::Event;
    f.event = QString(name);
    f.seq = seq;
    f.data = data;
    return f;
}

Frame Frame::transientEvent(QLatin1StringView name, const QJsonObject& data)
{
    return streamEvent(name, 0, data);
}

Frame Frame::notice(QLatin1StringView op, const QJsonObject& args)
{
    return request(QJsonValue(QJsonValue::Undefined), op, args);
}

bool isNoticeOp(QStringView name) { return name == op::Ack; }

QJsonObject Frame::toJson() const
{
    QJsonObject o;
    switch (type) {
    case Type::Request:
        if (!id.isUndefined()) {
            o.insert(QStringLiteral("id"), id);
        }
        o.insert(QStringLiteral("op"), op);
        if (!args.isEmpty()) {
            o.insert(QStringLiteral("args"), args);
        }
        break;
    case Type::Response:
        o.insert(QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id);
        if (error.isNull()) {
            o.insert(QStringLiteral("result"), result);
        } else {
            o.insert(QStringLiteral("error"), error.toJson());
        }
        break;
    case Type::Event:
        o.insert(QStringLiteral("event"), event);
        if (seq > 0) {
            o.insert(QStringLiteral("seq"), seq);
        }
        o.insert(QStringLiteral("data"), data);
        break;
    }
    return o;
}

QByteArray Frame::encode() const { return QJsonDocument(toJson()).toJson(QJsonDocument::Compact); }

std::optional<Frame> Frame::fromJson(const QJsonObject& o, Error* err)
{
    auto fail = [err](const QString& message) -> std::optional<Frame> {
        if (err) {
            *err = makeError(ErrorCode::BadFrame, message);
        }
        return std::nullopt;
    };

    Frame f;
    if (o.contains(QLatin1StringView("op"))) {
        f.type = Type::Request;
        f.id = o.value(QLatin1StringView("id"));
        const QJsonValue opValue = o.value(QLatin1StringView("op"));
        const bool notice
            = f.id.isUndefined() && opValue.isString() && isNoticeOp(opValue.toString());
        if (!notice && !isValidId(f.id)) {
            return fail(QStringLiteral(
                "a request needs an 'id': a non-negative integer or a string of 1-64 characters"));
        }
        if (!opValue.isString() || opValue.toString().isEmpty()) {
            return fail(QStringLiteral("'op' must be a non-empty string"));
        }
        f.op = opValue.toString();
        const QJsonValue args = o.value(QLatin1StringView("args"));
        if (!args.isUndefined() && !args.isObject()) {
            return fail(QStringLiteral("'args' must be an object"));
        }
        f.args = args.toObject();
        return f;
    }
    if (o.contains(QLatin1StringView("event"))) {
        f.type = Type::Event;
        const QJsonValue name = o.value(QLatin1StringView("event"));
        if (!name.isString() || name.toString().isEmpty()) {
            return fail(QStringLiteral("'event' must be a non-empty string"));
        }
        f.event = name.toString();
        const QJsonValue seq = o.value(QLatin1StringView("seq"));
        if (!seq.isUndefined()) {
            if (!seq.isDouble() || seq.toDouble() < 1 || seq.toDouble() > double(MaxSafeInteger)) {
                return fail(QStringLiteral("'seq' must be a positive integer"));
            }
            f.seq = static_cast<qint64>(seq.toDouble());
        }
        const QJsonValue data = o.value(QLatin1StringView("data"));
        if (!data.isUndefined() && !data.isObject()) {
            return fail(QStringLiteral("'data' must be an object"));
        }
        f.data = data.toObject();
        return f;
    }
    if (o.contains(QLatin1StringView("result")) || o.contains(QLatin1StringView("error"))) {
        f.type = Type::Response;
        f.id = o.value(QLatin1StringView("id"));
        if (!f.id.isNull() && !isValidId(f.id)) {
            return fail(QStringLiteral("a response 'id' must echo the request id or be null"));
        }
        if (o.contains(QLatin1StringView("error"))) {
            const QJsonValue e = o.value(QLatin1StringView("error"));
            if (!e.isObject()) {
                return fail(QStringLiteral("'error' must be an object"));
            }
            f.error = Error::fromJson(e.toObject());
        } else {
            const QJsonValue r = o.value(QLatin1StringView("result"));
            if (!r.isObject()) {
                return fail(QStringLiteral("'result' must be an object"));
            }
            f.result = r.toObject();
        }
        return f;
    }
    return fail(QStringLiteral("a frame needs 'op' (request), 'event' or 'result'/'error'"));
}

DecodeResult decode(QByteArrayView text, qsizetype maxBytes)
{
    DecodeResult r;
    if (text.size() > maxBytes) {
        r.error = makeError(ErrorCode::FrameTooLarge,
            QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes")
                .arg(text.size())
                .arg(maxBytes));
        return r;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        r.error = makeError(ErrorCode::BadFrame,
            QStringLiteral("not valid JSON: %1 at offset %2")
                .arg(parseError.errorString())
                .arg(parseError.offset));
        return r;
    }
    if (!doc.isObject()) {
        r.error = makeError(ErrorCode::BadFrame, QStringLiteral("a frame must be a JSON object"));
        return r;
    }
    const QJsonObject o = doc.object();
    if (const QJsonValue id = o.value(QLatin1StringView("id")); isValidId(id)) {
        r.id = id;
    }
    r.frame = Frame::fromJson(o, &r.error);
    return r;
}

} // namespace cpm::protocol
