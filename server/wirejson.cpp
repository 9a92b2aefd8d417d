// SPDX-License-Identifier: GPL-3.0-or-later
#include "wirejson.h"

#include "protocol.h"

#include <QJsonDocument>

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

void appendMessage(QString& out, const protocol::Message& m, bool partial)
{
    out += u"{\"id\":";
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
    out += u",\"folder\":\"";
    out += protocol::folderName(m.folder);
    out += u'"';
    out += m.read ? u",\"read\":true" : u",\"read\":false";
    out += u",\"status\":\"";
    out += protocol::stateName(m.status);
    out += u'"';
    out += partial ? u",\"partial\":true" : u",\"partial\":false";
    if (m.session != 0) {
        out += u",\"session\":";
        out += QString::number(m.session);
    }
    if (m.route != protocol::Route::Cpm) {
        out += u",\"route\":\"";
        out += protocol::routeName(m.route);
        out += u'"';
    }
    if (!partial && !m.attachments.isEmpty()) {
        // Rare next to text: the general encoder will do.
        out += u",\"attachments\":";
        out += QString::fromUtf8(QJsonDocument(protocol::attachmentsToJson(m.attachments))
                                     .toJson(QJsonDocument::Compact));
    }
    out += u'}';
}

QString messagePageMembers(const QList<protocol::Message>& newestFirst, bool more)
{
    // Newest first until the frame limit, sent oldest first: a page of large messages
    // stops early, and the next page (before the oldest sent) goes on from there.
    constexpr qsizetype Envelope = 256;
    qsizetype bytes = Envelope;
    QStringList texts;
    for (const protocol::Message& m : newestFirst) {
        QString text;
        text.reserve(256 + m.subject.size() + m.body.size() + m.body.size() / 8);
        appendMessage(text, m, m.partial);
        const qsizetype size = utf8Size(text) + 1;
        if (!texts.isEmpty() && bytes + size > protocol::limits::MaxFrameBytes) {
            more = true;
            break;
        }
        bytes += size;
        texts.prepend(std::move(text));
    }
    return QStringLiteral("\"messages\":[%1],\"more\":%2")
        .arg(texts.join(u','), more ? QLatin1StringView("true") : QLatin1StringView("false"));
}

QString messageEventText(qint64 seq, const protocol::Message& m, bool partial)
{
    QString out;
    out.reserve(256 + m.subject.size() + (partial ? 0 : m.body.size() + m.body.size() / 8));
    out += u"{\"event\":\"message\",\"seq\":";
    out += QString::number(seq);
    out += u",\"data\":{\"message\":";
    appendMessage(out, m, partial);
    out += u"}}";
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

QString reportData(const protocol::ReportEvent& r)
{
    QString out;
    out.reserve(80 + r.by.size());
    out += u"{\"messageId\":";
    out += QString::number(r.messageId);
    out += u",\"status\":\"";
    out += protocol::stateName(r.status);
    out += u"\",\"by\":";
    appendString(out, r.by);
    out += u",\"time\":";
    out += QString::number(r.time);
    if (r.route) {
        out += u",\"route\":\"";
        out += protocol::routeName(*r.route);
        out += u'"';
    }
    out += u'}';
    return out;
}

qsizetype utf8Size(QStringView text)
{
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c < 0x80) {
            bytes += 1;
        } else if (c < 0x800) {
            bytes += 2;
        } else if (QChar::isHighSurrogate(c) && i + 1 < text.size()
            && QChar::isLowSurrogate(text[i + 1].unicode())) {
            bytes += 4;
            ++i;
        } else {
            bytes += 3;
        }
    }
    return bytes;
}

QString syncResponseText(
    const QJsonValue& id, const QStringList& events, qint64 next, qint64 head, bool more)
{
    qsizetype size = 96;
    for (const QString& e : events) {
        size += e.size() + 1;
    }
    QString out;
    out.reserve(size);
    out += u"{\"id\":";
    appendId(out, id);
    out += u",\"result\":{\"events\":[";
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (i > 0) {
            out += u',';
        }
        out += events.at(i);
    }
    out += u"],\"next\":";
    out += QString::number(next);
    out += u",\"head\":";
    out += QString::number(head);
    out += more ? u",\"more\":true}}" : u",\"more\":false}}";
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
