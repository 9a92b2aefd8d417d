// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Wiping secrets (passwords, tokens) from the buffers this code holds once they are used:
// QString::clear() only drops a reference and leaves the bytes in freed memory.
// Buffers owned by Qt (a socket's, a QJsonObject's) are out of reach; see docs/architecture.md.

#include <QByteArray>
#include <QString>

namespace cpm::secrets {

//! Overwrites \a bytes with zeros and empties it. Shared copies are detached first, so only
//! this copy is wiped; call it on the last holder.
void wipe(QByteArray& bytes);
void wipe(QString& text);

} // namespace cpm::secrets
