// SPDX-License-Identifier: GPL-3.0-or-later
#include "deliverypolicy.h"

#include "frame.h"
#include "liveconnections.h"
#include "protocol.h"
#include "wirejson.h"

#include <QJsonDocument>

namespace cpm::server {

namespace ev = protocol::event;

DeliveryPolicy::View DeliveryPolicy::viewOf(const StoredEvent& event, QStringView delivery)
{
    if (event.kind == ev::Message) {
        if (!event.message) {
            return View::Skip; // no longer in the user's storage
        }
        // Session messages reach every device whole: any of them may be the one the
        // session moves to next (SES-6), and a `none` device could not continue it.
        if (event.message->folder != protocol::Folder::Inbox || event.message->session != 0) {
            return View::Whole;
        }
        if (delivery == protocol::delivery::None) {
            return View::Skip;
        }
        return delivery == protocol::delivery::Notification ? View::Partial : View::Whole;
    }
    if (event.messageGone && (event.kind == ev::Flags || event.kind == ev::Report)) {
        return View::Skip;
    }
    return event.kind == ev::Device ? View::PerDevice : View::Whole;
}

bool DeliveryPolicy::ackDelivers(QStringView delivery)
{
    return delivery != protocol::delivery::None;
}

QString DeliveryPolicy::render(
    const StoredEvent& event, View view, qint64 viewer, const LiveConnections& live)
{
    Q_ASSERT(view != View::Skip);
    if (event.message) {
        // The frame of nearly every push: written directly (wirejson.h).
        return wire::messageEventText(event.seq, *event.message, view == View::Partial);
    }
    if (view == View::PerDevice) {
        // Stored without the parts that depend on who looks and when.
        if (Result<protocol::DeviceEvent> device = protocol::DeviceEvent::fromJson(event.data)) {
            device->device = live.describe(device->device, viewer);
            device->device.online = device->device.online && !device->removed;
            return QString::fromUtf8(
                protocol::Frame::streamEvent(ev::Device, event.seq, device->toJson()).encode());
        }
    }
    if (!event.dataJson.isEmpty()) {
        return wire::eventText(event.kind, event.seq, event.dataJson); // as stored
    }
    return wire::eventText(event.kind, event.seq,
        QString::fromUtf8(QJsonDocument(event.data).toJson(QJsonDocument::Compact)));
}

} // namespace cpm::server
