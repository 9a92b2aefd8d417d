// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The layout of a binary frame (docs/protocol.md, "Binary frames"): a 4-byte big-endian
// header length N, N bytes of one request or response as JSON, then the payload.
// Attachment chunks travel this way: `attachment.put` requests, `attachment.get` answers.
// The layout itself is protocol::encodeBinaryFrame()/decodeBinaryFrame(), shared with the
// server; this adds what the client needs on top: JSON in and out, limits as errors.

#include "protocol.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

namespace cpm::binaryframe {

//! The 4 bytes that say how long the JSON is.
inline constexpr qsizetype LengthBytes = 4;
//! The JSON's length: at least `{}`, at most 16 KiB.
inline constexpr qsizetype MinHeaderBytes = 2;
inline constexpr qsizetype MaxHeaderBytes = protocol::limits::MaxBinaryHeaderBytes;
//! The payload after it (`maxChunkBytes` in hello's limits).
inline constexpr qsizetype MaxPayloadBytes = protocol::limits::MaxChunkBytes;

struct Parts {
    QJsonObject json; //!< the request or response, for protocol::Frame::fromJson to judge
    QByteArray payload;
};

//! \a json and \a payload as one frame; `too_large` when either is over its limit.
Result<QByteArray> encode(const QJsonObject& json, QByteArrayView payload);

/*!
 * Splits \a frame; `bad_frame` when it is shorter than 4 bytes plus its header, when N is
 * outside 2 … MaxHeaderBytes, or when the header is not one JSON object; `frame_too_large`
 * when the payload is over MaxPayloadBytes.
 */
Result<Parts> decode(const QByteArray& frame);

} // namespace cpm::binaryframe
