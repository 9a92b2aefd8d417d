// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Binary frames (docs/protocol.md, "Binary frames"): a request or response with a payload,
// laid out as a 4-byte big-endian header length N, N bytes of the frame's JSON, then the
// payload. Attachment chunks travel this way: `attachment.put` requests from the client,
// the answers to `attachment.get` from the server.

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace cpm::protocol {

struct BinaryFrame {
    QByteArray header; //!< the frame's JSON (UTF-8), not parsed here
    QByteArray payload;
};

//! \a json and \a payload as one binary frame; both must be within the limits.
QByteArray encodeBinaryFrame(QByteArrayView json, QByteArrayView payload);

/*!
 * Splits a binary frame; `bad_frame` when it is shorter than its header says or the header
 * length is outside 2 … MaxBinaryHeaderBytes, `frame_too_large` when the payload is over
 * MaxChunkBytes. The header's JSON is for protocol::decode() to judge.
 */
Result<BinaryFrame> decodeBinaryFrame(const QByteArray& frame);

} // namespace cpm::protocol
