// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The protocol's objects (docs/protocol.md, "Objects") rendered from store records.

#include "serverstore.h"

#include <QJsonObject>

namespace cpm::server::wire {

//! A Message object; \a partial leaves the body out (`notification` devices).
QJsonObject message(const MessageView& message, bool partial);
//! A Device object as seen by one device (\a current) at one moment (\a online).
QJsonObject device(const DeviceRecord& device, bool online, bool current);
QJsonObject contact(const Contact& contact);

} // namespace cpm::server::wire
