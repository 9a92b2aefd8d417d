// SPDX-License-Identifier: GPL-3.0-or-later
#include "binaryframe.h"

#include "protocol.h"

#include <QtEndian>

namespace cpm::protocol {

namespace {
constexpr qsizetype LengthBytes = 4;
constexpr qsizetype MinHeaderBytes = 2; // "{}"
} // namespace

QByteArray encodeBinaryFrame(QByteArrayView json, QByteArrayView payload)
{
    Q_ASSERT(json.size() >= MinHeaderBytes && json.size() <= limits::MaxBinaryHeaderBytes);
    Q_ASSERT(payload.size() <= limits::MaxChunkBytes);
    QByteArray frame(LengthBytes + json.size() + payload.size(), Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(json.size()), frame.data());
    std::copy(json.begin(), json.end(), frame.begin() + LengthBytes);
    std::copy(payload.begin(), payload.end(), frame.begin() + LengthBytes + json.size());
    return frame;
}

Result<BinaryFrame> decodeBinaryFrame(const QByteArray& frame)
{
    if (frame.size() < LengthBytes + MinHeaderBytes) {
        return makeError(ErrorCode::BadFrame,
            QStringLiteral("a binary frame starts with a 4-byte header length and its header"));
    }
    const quint32 n = qFromBigEndian<quint32>(frame.constData());
    if (n < MinHeaderBytes || n > quint32(limits::MaxBinaryHeaderBytes)
        || qsizetype(n) > frame.size() - LengthBytes) {
        return makeError(ErrorCode::BadFrame,
            QStringLiteral("a binary frame's header length must be 2 to %1 and within the frame")
                .arg(limits::MaxBinaryHeaderBytes));
    }
    const qsizetype payloadBytes = frame.size() - LengthBytes - qsizetype(n);
    if (payloadBytes > limits::MaxChunkBytes) {
        return makeError(ErrorCode::FrameTooLarge,
            QStringLiteral("a binary frame's payload exceeds the limit of %1 bytes")
                .arg(limits::MaxChunkBytes));
    }
    return BinaryFrame { frame.mid(LengthBytes, n), frame.mid(LengthBytes + n) };
}

} // namespace cpm::protocol
