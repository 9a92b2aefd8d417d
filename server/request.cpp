// SPDX-License-Identifier: GPL-3.0-or-later
#include "request.h"

#include "clientconnection.h"
#include "logging.h"

namespace cpm::server {

qint64 Request::userId() const { return m_connection->userId(); }

void Request::reply(const QJsonObject& result) const { m_connection->reply(m_id, result); }

void Request::replyText(QStringView resultMembers) const
{
    m_connection->replyText(m_id, resultMembers);
}

void Request::replyWithPayload(const QJsonObject& result, const QByteArray& payload) const
{
    m_connection->replyWithPayload(m_id, result, payload);
}

void Request::fail(const Error& error) const
{
    if (!error.isWire()) {
        qCWarning(lcServer) << "request failed:" << error.name() << error.message;
    }
    m_connection->fail(m_id, error.toWire());
}

void Request::fail(ErrorCode code, const QString& message) const { fail(makeError(code, message)); }

void Operations::add(QLatin1StringView name, bool needsAuth, Handler handler, Framing framing)
{
    Q_ASSERT(!m_table.contains(QString(name)));
    m_table.insert(QString(name), Operation { needsAuth, std::move(handler), framing });
}

const Operations::Operation* Operations::find(const QString& name) const
{
    const auto it = m_table.constFind(name);
    return it == m_table.constEnd() ? nullptr : &it.value();
}

} // namespace cpm::server
