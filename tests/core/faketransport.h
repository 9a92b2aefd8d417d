// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A Transport without a socket: it captures every frame the client sends and lets a test
// inject what the server would answer, so protocol logic is tested deterministically.

#include "transport.h"

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
    void fail(const QJsonObject& request, const QString& code,
        const QString& message = QStringLiteral("no"))
    {
        inject({ { QStringLiteral("id"), request.value(QLatin1StringView("id")) },
            { QStringLiteral("error"),
                QJsonObject {
                    { QStringLiteral("code"), code }, { QStringLiteral("message"), message } } } });
    }

    QList<QJsonObject> sent;
    int opens = 0;
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
