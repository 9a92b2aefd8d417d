// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A Transport without a socket: it captures every frame the client sends and lets a test
// inject what the server would answer, so protocol logic is tested deterministically.

#include "binaryframecodec.h"
#include "transport.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

namespace cpm::test {

class FakeTransport final : public Transport {
    Q_OBJECT

public:
    using Transport::Transport;

    void open(const QUrl& url) override
    {
        ++opens;
        lastUrl = url;
        urls.append(url);
        if (refused.contains(url)) {
            // Nothing listens there: the attempt ends without ever opening.
            QTimer::singleShot(0, this, [this] { Q_EMIT closed(1006, QString()); });
            return;
        }
        m_open = true;
        QTimer::singleShot(0, this, [this] {
            if (m_open) {
                Q_EMIT opened();
            }
        });
    }
    void close() override
    {
        if (m_open) {
            m_open = false;
            Q_EMIT closed(1000, QString());
        }
    }
    bool isOpen() const override { return m_open; }
    void sendText(const QByteArray& utf8) override
    {
        sent.append(QJsonDocument::fromJson(utf8).object());
        Q_EMIT frameSent();
    }
    //! Binary frames go to sentBinary as they are; their requests (the JSON part) also to
    //! sent, so takeRequest() finds them, with the payload in binaryPayloads by id.
    void sendBinary(const QByteArray& frame) override
    {
        sentBinary.append(frame);
        if (const auto parts = binaryframe::decode(frame)) {
            binaryPayloads.insert(
                parts->json.value(QLatin1StringView("id")).toInteger(), parts->payload);
            sent.append(parts->json);
        }
        Q_EMIT frameSent();
    }

    //! The server closes the connection with \a code.
    void serverClose(int code, const QString& reason = {})
    {
        m_open = false;
        Q_EMIT closed(code, reason);
    }
    void inject(const QJsonObject& frame)
    {
        Q_EMIT textReceived(QJsonDocument(frame).toJson(QJsonDocument::Compact));
    }
    void injectRaw(const QByteArray& bytes) { Q_EMIT textReceived(bytes); }
    //! A binary frame from the server, as it is (for malformed ones).
    void injectBinary(const QByteArray& frame) { Q_EMIT binaryReceived(frame); }
    //! Takes the payload a binary request carried (empty when none).
    QByteArray takePayload(const QJsonObject& request)
    {
        return binaryPayloads.take(request.value(QLatin1StringView("id")).toInteger());
    }

    //! Waits for and removes the first sent request for \a op (skipping others before it
    //! only if \a skipOthers); returns an empty object on timeout.
    QJsonObject takeRequest(const QString& op, int timeoutMs = 3000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            for (qsizetype i = 0; i < sent.size(); ++i) {
                if (sent.at(i).value(QLatin1StringView("op")).toString() == op) {
                    return sent.takeAt(i);
                }
            }
            QSignalSpy spy(this, &FakeTransport::frameSent);
            spy.wait(int(std::max<qint64>(1, deadline.remainingTime())));
        }
        return {};
    }
    void respond(const QJsonObject& request, const QJsonObject& result)
    {
        inject({ { QStringLiteral("id"), request.value(QLatin1StringView("id")) },
            { QStringLiteral("result"), result } });
    }
    //! Answers \a request in a binary frame with \a payload after the result.
    void respondBinary(
        const QJsonObject& request, const QJsonObject& result, const QByteArray& payload)
    {
        const auto frame = binaryframe::encode(
            { { QStringLiteral("id"), request.value(QLatin1StringView("id")) },
                { QStringLiteral("result"), result } },
            payload);
        QVERIFY(frame.ok());
        Q_EMIT binaryReceived(*frame);
    }
    void fail(const QJsonObject& request, const QString& code,
        const QString& message = QStringLiteral("no"), const QJsonObject& details = {})
    {
        QJsonObject error { { QStringLiteral("code"), code },
            { QStringLiteral("message"), message } };
        for (auto it = details.begin(); it != details.end(); ++it) {
            error.insert(it.key(), it.value());
        }
        inject({ { QStringLiteral("id"), request.value(QLatin1StringView("id")) },
            { QStringLiteral("error"), error } });
    }

    QList<QJsonObject> sent;
    QList<QByteArray> sentBinary;
    QHash<qint64, QByteArray> binaryPayloads;
    int opens = 0;
    //! Every URL open() was given, in order.
    QList<QUrl> urls;
    //! URLs where nothing listens (open() fails as a refused connection would).
    QList<QUrl> refused;
    QUrl lastUrl;

Q_SIGNALS:
    void frameSent();

private:
    bool m_open = false;
};

inline QJsonObject messageJson(qint64 id, const QString& from, const QString& to,
    const QString& body, const QString& folder = QStringLiteral("inbox"),
    qint64 time = 1763800000000, const QString& clientId = {})
{
    QJsonObject m { { QStringLiteral("id"), id }, { QStringLiteral("from"), from },
        { QStringLiteral("to"), to }, { QStringLiteral("subject"), QString() },
        { QStringLiteral("body"), body }, { QStringLiteral("time"), time },
        { QStringLiteral("folder"), folder }, { QStringLiteral("read"), false },
        { QStringLiteral("status"), QStringLiteral("sent") }, { QStringLiteral("partial"), false },
        { QStringLiteral("clientId"),
            clientId.isEmpty() ? QStringLiteral("c-%1").arg(id) : clientId } };
    return m;
}

inline QJsonObject messageEvent(qint64 seq, const QJsonObject& message)
{
    return { { QStringLiteral("event"), QStringLiteral("message") }, { QStringLiteral("seq"), seq },
        { QStringLiteral("data"), QJsonObject { { QStringLiteral("message"), message } } } };
}

} // namespace cpm::test
