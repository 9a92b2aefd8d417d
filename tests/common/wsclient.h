// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A bare protocol client for server tests: a raw WebSocket that sends what it is told and
// keeps what arrives, in order, so a test sees exactly what the server answered, pushed
// or closed with (docs/protocol.md). Plus the checks every such test makes.

#include "error.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QWebSocket>
#include <QtEndian>

namespace cpm::test {

using cpm::ErrorCode;

inline constexpr int Timeout = 15000; // generous: Argon2 is slow under sanitizers

inline QString codeName(ErrorCode code) { return QString(cpm::Error::name(code)); }

//! What came instead of a result, for a failure message.
inline QString describe(const QJsonObject& response)
{
    if (response.isEmpty()) {
        return QStringLiteral("no answer: the request timed out or the connection closed");
    }
    return QString::fromUtf8(QJsonDocument(response).toJson(QJsonDocument::Compact)).left(300);
}

// A request that must succeed: a `result` came (not an error, and not silence or a close,
// which an empty-error comparison would let pass).
#define QVERIFY_OK(response)                                                                       \
    do {                                                                                           \
        const QJsonObject answer_ = (response);                                                    \
        QVERIFY2(answer_.contains(QLatin1StringView("result")), qPrintable(describe(answer_)));    \
    } while (false)

inline QString code(const QJsonObject& response)
{
    return response.value(QLatin1StringView("error"))
        .toObject()
        .value(QLatin1StringView("code"))
        .toString();
}

inline QJsonObject result(const QJsonObject& response)
{
    return response.value(QLatin1StringView("result")).toObject();
}

//! The sign-in of one registered device.
struct Device {
    QString address;
    QString password;
    qint64 id = 0;
    QString token;
};

//! A bare protocol client: sends what it is told and keeps what arrives, in order.
class WsClient final : public QObject {
public:
    explicit WsClient(QObject* parent = nullptr)
        : QObject(parent)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString& text) {
            const QByteArray utf8 = text.toUtf8();
            m_largestFrameBytes = std::max(m_largestFrameBytes, utf8.size());
            const QJsonObject o = QJsonDocument::fromJson(utf8).object();
            if (o.contains(QLatin1StringView("event"))) {
                m_events.append(o);
            } else {
                m_responses.append(o);
            }
        });
        connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray& b) {
            // docs/protocol.md, "Binary frames": header length, header, payload.
            const quint32 n = b.size() >= 4 ? qFromBigEndian<quint32>(b.constData()) : 0;
            const QJsonObject o = QJsonDocument::fromJson(b.mid(4, n)).object();
            m_payloads.insert(o.value(QLatin1StringView("id")).toInteger(), b.mid(4 + n));
            m_responses.append(o);
        });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
    }

    //! A request with a payload, in a binary frame; returns its id without waiting.
    qint64 postBinary(const QString& op, const QJsonObject& args, const QByteArray& payload)
    {
        const qint64 id = ++m_nextId;
        const QByteArray header = QJsonDocument(
            QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("op"), op },
                { QStringLiteral("args"),
                    args } }).toJson(QJsonDocument::Compact);
        QByteArray frame(4, Qt::Uninitialized);
        qToBigEndian<quint32>(quint32(header.size()), frame.data());
        sendBinary(frame + header + payload);
        return id;
    }
    QJsonObject requestBinary(const QString& op, const QJsonObject& args, const QByteArray& payload)
    {
        return response(QJsonValue(postBinary(op, args, payload)));
    }
    //! The payload of a response that came in a binary frame (taken; empty when none).
    QByteArray takePayload(const QJsonObject& response)
    {
        return m_payloads.take(response.value(QLatin1StringView("id")).toInteger());
    }

    bool open(const QUrl& url)
    {
        m_socket.open(url);
        return QTest::qWaitFor(
                   [this] {
                       return m_socket.state() == QAbstractSocket::ConnectedState || m_closed;
                   },
                   Timeout)
            && !m_closed;
    }
    //! The largest frame received so far, in bytes of UTF-8 (a client refuses more than
    //! protocol::limits::MaxFrameBytes).
    qsizetype largestFrameBytes() const { return m_largestFrameBytes; }
    void sendText(const QByteArray& text)
    {
        m_bytesSent += text.size();
        m_socket.sendTextMessage(QString::fromUtf8(text));
    }
    void sendBinary(const QByteArray& data)
    {
        m_bytesSent += data.size();
        m_socket.sendBinaryMessage(data);
    }
    //! Bytes sent as frames so far (what a resumed upload costs).
    qint64 bytesSent() const { return m_bytesSent; }

    //! Sends a request and waits for its response (an empty object on timeout).
    QJsonObject request(const QString& op, const QJsonObject& args = {})
    {
        const qint64 id = ++m_nextId;
        QJsonObject frame { { QStringLiteral("id"), id }, { QStringLiteral("op"), op } };
        if (!args.isEmpty()) {
            frame.insert(QStringLiteral("args"), args);
        }
        sendText(QJsonDocument(frame).toJson(QJsonDocument::Compact));
        return response(QJsonValue(id));
    }
    //! The next response with \a id, or any response when \a id is undefined.
    QJsonObject response(const QJsonValue& id = QJsonValue(QJsonValue::Undefined))
    {
        QJsonObject found;
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_responses.size(); ++i) {
                    if (id.isUndefined()
                        || m_responses.at(i).value(QLatin1StringView("id")) == id) {
                        found = m_responses.takeAt(i);
                        return true;
                    }
                }
                return m_closed;
            },
            Timeout);
        return found;
    }
    //! Takes the first event named \a name that arrives (an empty object on timeout).
    QJsonObject event(const QString& name, int timeout = Timeout)
    {
        QJsonObject found;
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_events.size(); ++i) {
                    if (m_events.at(i).value(QLatin1StringView("event")).toString() == name) {
                        found = m_events.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            timeout);
        return found;
    }
    //! Takes the first event named \a name whose data has \a key == \a value.
    QJsonObject eventWith(const QString& name, QLatin1StringView key, const QJsonValue& value)
    {
        QJsonObject found;
        [[maybe_unused]] const bool arrived = QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_events.size(); ++i) {
                    const QJsonObject& e = m_events.at(i);
                    if (e.value(QLatin1StringView("event")).toString() == name
                        && e.value(QLatin1StringView("data")).toObject().value(key) == value) {
                        found = m_events.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            Timeout);
        return found;
    }
    //! How many events named \a name with \a key == \a value have arrived and wait.
    qsizetype countWith(const QString& name, QLatin1StringView key, const QJsonValue& value) const
    {
        return std::count_if(m_events.cbegin(), m_events.cend(), [&](const QJsonObject& e) {
            return e.value(QLatin1StringView("event")).toString() == name
                && e.value(QLatin1StringView("data")).toObject().value(key) == value;
        });
    }
    bool hasEvent(const QString& name) const
    {
        return std::any_of(m_events.cbegin(), m_events.cend(), [&](const QJsonObject& e) {
            return e.value(QLatin1StringView("event")).toString() == name;
        });
    }
    //! Starts the closing handshake (waitClosed() waits for its end).
    void close() { m_socket.close(); }
    bool waitClosed()
    {
        return QTest::qWaitFor([this] { return m_closed; }, Timeout);
    }
    int closeCode() const { return m_socket.closeCode(); }
    bool isClosed() const { return m_closed; }

    bool hello()
    {
        return !request(QStringLiteral("hello"),
            { { QStringLiteral("versions"), QJsonArray { 1 } },
                { QStringLiteral("client"), QStringLiteral("tst_serverprotocol") } })
                    .value(QLatin1StringView("result"))
                    .isUndefined();
    }
    QJsonObject login(const Device& d)
    {
        return request(QStringLiteral("login"),
            { { QStringLiteral("address"), d.address }, { QStringLiteral("deviceId"), d.id },
                { QStringLiteral("token"), d.token } });
    }
    QJsonObject registerDevice(const QString& address, const QString& password,
        const QString& instanceId, const QString& kind = QStringLiteral("laptop"))
    {
        return request(QStringLiteral("register"),
            { { QStringLiteral("address"), address }, { QStringLiteral("password"), password },
                { QStringLiteral("device"),
                    QJsonObject { { QStringLiteral("instanceId"), instanceId },
                        { QStringLiteral("name"), instanceId }, { QStringLiteral("kind"), kind },
                        { QStringLiteral("capabilities"),
                            QJsonArray { QStringLiteral("text") } } } } });
    }
    //! Syncs from \a since until `more` is false (the connection is then live).
    QList<QJsonObject> syncAll(qint64 since = 0, qint64* next = nullptr)
    {
        QList<QJsonObject> events;
        for (int round = 0; round < 100; ++round) {
            const QJsonObject r
                = result(request(QStringLiteral("sync"), { { QStringLiteral("since"), since } }));
            const QJsonArray batch = r.value(QLatin1StringView("events")).toArray();
            for (const QJsonValue& e : batch) {
                events.append(e.toObject());
            }
            since = r.value(QLatin1StringView("next")).toInteger();
            if (!r.value(QLatin1StringView("more")).toBool()) {
                break;
            }
        }
        if (next) {
            *next = since;
        }
        return events;
    }
    QJsonObject send(const QString& clientId, const QString& to, const QString& body,
        const QString& subject = {})
    {
        QJsonObject args { { QStringLiteral("clientId"), clientId }, { QStringLiteral("to"), to },
            { QStringLiteral("body"), body } };
        if (!subject.isEmpty()) {
            args.insert(QStringLiteral("subject"), subject);
        }
        return request(QStringLiteral("send"), args);
    }
    void clearEvents() { m_events.clear(); }
    //! Sends a request without waiting for its answer; returns its id.
    qint64 post(const QString& op, const QJsonObject& args = {})
    {
        const qint64 id = ++m_nextId;
        sendText(QJsonDocument(QJsonObject { { QStringLiteral("id"), id },
                                   { QStringLiteral("op"), op }, { QStringLiteral("args"), args } })
                     .toJson(QJsonDocument::Compact));
        return id;
    }
    //! Waits until \a count responses have arrived, then takes them in arrival order.
    QList<QJsonObject> takeResponses(qsizetype count)
    {
        [[maybe_unused]] const bool arrived
            = QTest::qWaitFor([&] { return m_responses.size() >= count || m_closed; }, Timeout);
        return std::exchange(m_responses, {});
    }
    //! Waits until \a count events named \a name have arrived, then takes them in order.
    QList<QJsonObject> takeEvents(const QString& name, qsizetype count)
    {
        auto named = [&] {
            QList<QJsonObject> out;
            for (const QJsonObject& e : std::as_const(m_events)) {
                if (e.value(QLatin1StringView("event")).toString() == name) {
                    out.append(e);
                }
            }
            return out;
        };
        [[maybe_unused]] const bool arrived
            = QTest::qWaitFor([&] { return named().size() >= count || m_closed; }, Timeout);
        const QList<QJsonObject> out = named();
        m_events.removeIf([&](const QJsonObject& e) {
            return e.value(QLatin1StringView("event")).toString() == name;
        });
        return out;
    }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_events;
    QList<QJsonObject> m_responses;
    qint64 m_nextId = 0;
    qint64 m_bytesSent = 0;
    QHash<qint64, QByteArray> m_payloads; //!< of binary responses, by request id
    bool m_closed = false;
    qsizetype m_largestFrameBytes = 0;
};

} // namespace cpm::test
