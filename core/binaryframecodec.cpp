// SPDX-License-Identifier: GPL-3.0-or-later
#include "binaryframecodec.h"

#include "binaryframe.h"
#include "protocol.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace cpm::binaryframe {

Result<QByteArray> encode(const QJsonObject& json, QByteArrayView payload)
{
    const QByteArray header = QJsonDocument(json).toJson(QJsonDocument::Compact);
    if (header.size() > MaxHeaderBytes) {
        return makeError(ErrorCode::TooLarge,
            QStringLiteral("a binary frame's JSON is %1 bytes, over %2")
                .arg(header.size())
                .arg(MaxHeaderBytes));
    }
    if (payload.size() > MaxPayloadBytes) {
        return makeError(ErrorCode::TooLarge,
            QStringLiteral("a binary frame's payload is %1 bytes, over %2")
                .arg(payload.size())
                .arg(MaxPayloadBytes));
    }
    return protocol::encodeBinaryFrame(header, payload);
}

Result<Parts> decode(const QByteArray& frame)
{
    Result<protocol::BinaryFrame> split = protocol::decodeBinaryFrame(frame);
    if (!split) {
        return split.error();
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(split->header, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return makeError(ErrorCode::BadFrame,
            parseError.error != QJsonParseError::NoError
                ? QStringLiteral("a binary frame's header is not JSON: %1")
                      .arg(parseError.errorString())
                : QStringLiteral("a binary frame's header is not a JSON object"));
    }
    return Parts { document.object(), std::move(split->payload) };
}

} // namespace cpm::binaryframe
