// SPDX-License-Identifier: GPL-3.0-or-later
#include "binaryframecodec.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QtEndian>

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
    QByteArray frame(LengthBytes + header.size() + payload.size(), Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(header.size()), frame.data());
    std::copy(header.cbegin(), header.cend(), frame.begin() + LengthBytes);
    std::copy(payload.begin(), payload.end(), frame.begin() + LengthBytes + header.size());
    return frame;
}

Result<Parts> decode(const QByteArray& frame)
{
    if (frame.size() < LengthBytes + MinHeaderBytes) {
        return makeError(ErrorCode::BadFrame,
            QStringLiteral("a binary frame of %1 bytes is too short for its header")
                .arg(frame.size()));
    }
    const quint32 n = qFromBigEndian<quint32>(frame.constData());
    if (n < quint32(MinHeaderBytes) || n > quint32(MaxHeaderBytes)) {
        return makeError(ErrorCode::BadFrame,
            QStringLiteral("a binary frame's header length %1 is outside %2 … %3")
                .arg(n)
                .arg(MinHeaderBytes)
                .arg(MaxHeaderBytes));
    }
    if (qsizetype(n) > frame.size() - LengthBytes) {
        return makeError(ErrorCode::BadFrame,
            QStringLiteral("a binary frame's header length %1 runs past its end").arg(n));
    }
    const qsizetype payloadBytes = frame.size() - LengthBytes - qsizetype(n);
    if (payloadBytes > MaxPayloadBytes) {
        return makeError(ErrorCode::FrameTooLarge,
            QStringLiteral("a binary frame's payload of %1 bytes is over %2")
                .arg(payloadBytes)
                .arg(MaxPayloadBytes));
    }
    QJsonParseError parseError;
    const QJsonDocument document
        = QJsonDocument::fromJson(frame.sliced(LengthBytes, n), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return makeError(ErrorCode::BadFrame,
            parseError.error != QJsonParseError::NoError
                ? QStringLiteral("a binary frame's header is not JSON: %1")
                      .arg(parseError.errorString())
                : QStringLiteral("a binary frame's header is not a JSON object"));
    }
    return Parts { document.object(), frame.sliced(LengthBytes + n) };
}

} // namespace cpm::binaryframe
