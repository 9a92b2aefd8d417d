// SPDX-License-Identifier: GPL-3.0-or-later
#include "wirejson.h"

#include <QJsonArray>

namespace cpm::server::wire {

QJsonObject message(const MessageView& m, bool partial)
{
    return QJsonObject {
        { QStringLiteral("id"), m.id },
        { QStringLiteral("clientId"), m.clientId },
        { QStringLiteral("from"), m.from },
        { QStringLiteral("to"), m.to },
        { QStringLiteral("subject"), m.subject },
        { QStringLiteral("body"), partial ? QJsonValue(QJsonValue::Null) : QJsonValue(m.body) },
        { QStringLiteral("time"), m.time },
        { QStringLiteral("folder"), m.folder },
        { QStringLiteral("read"), m.read },
        { QStringLiteral("status"), m.status },
        { QStringLiteral("partial"), partial },
    };
}

QJsonObject device(const DeviceRecord& d, bool online, bool current)
{
    return QJsonObject {
        { QStringLiteral("id"), d.id },
        { QStringLiteral("instanceId"), d.instanceId },
        { QStringLiteral("name"), d.name },
        { QStringLiteral("kind"), d.kind },
        { QStringLiteral("capabilities"), QJsonArray::fromStringList(d.capabilities) },
        { QStringLiteral("delivery"), d.delivery },
        { QStringLiteral("notifySessions"), d.notifySessions },
        { QStringLiteral("online"), online },
        { QStringLiteral("lastSeen"), d.lastSeen },
        { QStringLiteral("current"), current },
    };
}

QJsonObject contact(const Contact& c)
{
    return QJsonObject { { QStringLiteral("address"), c.address },
        { QStringLiteral("name"), c.name } };
}

} // namespace cpm::server::wire

namespace cpm::server::wire {

void appendString(QString& out, QStringView text)
{
    out += u'"';
    qsizetype plain = 0; // start of the run that needs no escaping
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\') {
            continue;
        }
        out += text.mid(plain, i - plain);
        plain = i + 1;
        switch (c) {
        case u'"':
            out += u"\\\"";
            break;
        case u'\\':
            out += u"\\\\";
            break;
        case u'\b':
            out += u"\\b";
            break;
        case u'\f':
            out += u"\\f";
            break;
        case u'\n':
            out += u"\\n";
            break;
        case u'\r':
            out += u"\\r";
            break;
        case u'\t':
            out += u"\\t";
            break;
        default:
            out += QStringLiteral("\\u%1").arg(static_cast<int>(c), 4, 16, QLatin1Char('0'));
        }
    }
    out += text.mid(plain);
    out += u'"';
}

void appendId(QString& out, const QJsonValue& id)
{
    if (id.isString()) {
        appendString(out, id.toString());
    } else if (id.isDouble()) {
        out += QString::number(id.toInteger()); // validated: an integer up to 2^53-1
    } else {
        out += u"null";
    }
}

QString messageEventText(qint64 seq, const MessageView& m, bool partial)
{
    QString out;
    out.reserve(256 + m.subject.size() + (partial ? 0 : m.body.size() + m.body.size() / 8));
    out += u"{\"event\":\"message\",\"seq\":";
    out += QString::number(seq);
    out += u",\"data\":{\"message\":{\"id\":";
    out += QString::number(m.id);
    out += u",\"clientId\":";
    appendString(out, m.clientId);
    out += u",\"from\":";
    appendString(out, m.from);
    out += u",\"to\":";
    appendString(out, m.to);
    out += u",\"subject\":";
    appendString(out, m.subject);
    out += u",\"body\":";
    if (partial) {
        out += u"null";
    } else {
        appendString(out, m.body);
    }
    out += u",\"time\":";
    out += QString::number(m.time);
    out += u",\"folder\":";
    appendString(out, m.folder);
    out += m.read ? u",\"read\":true" : u",\"read\":false";
    out += u",\"status\":";
    appendString(out, m.status);
    out += partial ? u",\"partial\":true}}}" : u",\"partial\":false}}}";
    return out;
}

QString eventText(QStringView kind, qint64 seq, QStringView data)
{
    QString out;
    out.reserve(40 + kind.size() + data.size());
    out += u"{\"event\":";
    appendString(out, kind);
    out += u",\"seq\":";
    out += QString::number(seq);
    out += u",\"data\":";
    out += data;
    out += u'}';
    return out;
}

QString responseText(const QJsonValue& id, QStringView resultMembers)
{
    QString out;
    out.reserve(32 + resultMembers.size());
    out += u"{\"id\":";
    appendId(out, id);
    out += u",\"result\":{";
    out += resultMembers;
    out += u"}}";
    return out;
}

} // namespace cpm::server::wire
