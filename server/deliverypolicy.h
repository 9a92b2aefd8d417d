// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Who gets which view of a stream event (DEV-3), decided in one place for live pushes and
// for `sync` alike, and what a device's acknowledgement means for delivery reports.

#include "store.h"

#include <QString>

namespace cpm::server {

class LiveConnections;

class DeliveryPolicy final {
public:
    enum class View {
        Skip, //!< not for this device: an incoming message on a `none` device, or an event
              //!< about a message no longer stored
        Whole, //!< the same text for every device that sees it whole
        Partial, //!< an incoming message without its body (`notification` devices)
        PerDevice, //!< rendered for this device alone (a device event's online/current)
    };

    /*!
     * How a device whose delivery preference is \a delivery sees \a event. Preferences are
     * about incoming messages: the user's own sent copies, messages of a chat session, and
     * every other event, reach every device whole.
     */
    static View viewOf(const StoredEvent& event, QStringView delivery);
    /*!
     * Whether an ack from a device with \a delivery makes the incoming messages it covers
     * delivered: yes for any device incoming messages reach (`full`, `notification`), no
     * for a `none` device, which never received them.
     */
    static bool ackDelivers(QStringView delivery);
    //! The event frame of \a event in \a view (not Skip), as device \a viewer sees it.
    static QString render(
        const StoredEvent& event, View view, qint64 viewer, const LiveConnections& live);
};

} // namespace cpm::server
