// SPDX-License-Identifier: GPL-3.0-or-later
#include "argreader.h"

#include "protocol.h"

#include <QRegularExpression>

namespace cpm::protocol {

void ArgReader::fail(ErrorCode code, const QString& message)
{
    if (m_error.isNull()) {
        m_error = makeError(code, message);
    }
}

QJsonValue ArgReader::take(QLatin1StringView key, Presence presence, bool* present)
{
    *present = false;
    if (!ok()) {
        return {};
    }
    const QJsonValue v = m_args.value(key);
    if (v.isUndefined() || v.isNull()) {
        if (presence == Required) {
            fail(ErrorCode::BadRequest, QStringLiteral("field '%1' is required").arg(key));
        }
        return {};
    }
    *present = true;
    return v;
}

qsizetype characterCount(QStringView text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            ++i;
        }
        ++count;
    }
    return count;
}

bool hasLoneSurrogate(QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            ++i;
        } else if (text[i].isSurrogate()) {
            return true;
        }
    }
    return false;
}

QString leftCharacters(const QString& text, qsizetype n)
{
    qsizetype i = 0;
    for (qsizetype count = 0; i < text.size() && count < n; ++count) {
        i += text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate() ? 2
                                                                                              : 1;
    }
    return text.left(i);
}

namespace {
QString notUnicode(QLatin1StringView key)
{
    return QStringLiteral("field '%1' is not valid Unicode text (it holds a lone surrogate)")
        .arg(key);
}
} // namespace

QString ArgReader::string(QLatin1StringView key, qsizetype maxChars, Presence presence)
{
    bool present = false;
    const QJsonValue v = take(key, presence, &present);
    if (!present) {
        return {};
    }
    if (!v.isString()) {
        fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must be a string").arg(key));
        return {};
    }
    QString s = v.toString();
    if (presence == Required && s.isEmpty()) {
        fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must not be empty").arg(key));
        return {};
    }
    // A string of no more UTF-16 units than the limit has no more characters either.
    if (s.size() > maxChars && characterCount(s) > maxChars) {
        fail(ErrorCode::BadRequest,
            QStringLiteral("field '%1' is longer than %2 characters").arg(key).arg(maxChars));
        return {};
    }
    if (hasLoneSurrogate(s)) {
        fail(ErrorCode::BadRequest, notUnicode(key));
        return {};
    }
    return s;
}

QString ArgReader::address(QLatin1StringView key, Presence presence)
{
    const QString address = string(key, limits::MaxAddressChars, presence).toLower();
    if (ok() && !address.isEmpty() && !isValidAddress(address)) {
        fail(ErrorCode::BadRequest,
            QStringLiteral("field '%1' must be an address like alice@cpm.example").arg(key));
        return {};
    }
    return address;
}

QString ArgReader::text(QLatin1StringView key, qsizetype maxBytes, Presence presence)
{
    bool present = false;
    const QJsonValue v = take(key, presence, &present);
    if (!present) {
        return {};
    }
    if (!v.isString()) {
        fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must be a string").arg(key));
        return {};
    }
    QString s = v.toString();
    if (hasLoneSurrogate(s)) {
        fail(ErrorCode::BadRequest, notUnicode(key));
        return {};
    }
    if (s.toUtf8().size() > maxBytes) {
        fail(ErrorCode::TooLarge,
            QStringLiteral("field '%1' is larger than %2 bytes").arg(key).arg(maxBytes));
        return {};
    }
    return s;
}

qint64 ArgReader::integer(
    QLatin1StringView key, qint64 min, qint64 max, Presence presence, qint64 fallback)
{
    bool present = false;
    const QJsonValue v = take(key, presence, &present);
    if (!present) {
        return fallback;
    }
    const double d = v.toDouble();
    // Range first: converting a double outside qint64 (1e300, say) is undefined behaviour.
    if (!v.isDouble() || !(d >= -double(MaxSafeInteger) && d <= double(MaxSafeInteger))
        || d != static_cast<double>(static_cast<qint64>(d))) {
        fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must be an integer").arg(key));
        return fallback;
    }
    const auto i = static_cast<qint64>(d);
    if (i < min || i > max) {
        fail(ErrorCode::BadRequest,
            QStringLiteral("field '%1' must be between %2 and %3").arg(key).arg(min).arg(max));
        return fallback;
    }
    return i;
}

bool ArgReader::boolean(QLatin1StringView key, Presence presence, bool fallback)
{
    bool present = false;
    const QJsonValue v = take(key, presence, &present);
    if (!present) {
        return fallback;
    }
    if (!v.isBool()) {
        fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must be true or false").arg(key));
        return fallback;
    }
    return v.toBool();
}

QJsonObject ArgReader::object(QLatin1StringView key, Presence presence)
{
    bool present = false;
    const QJsonValue v = take(key, presence, &present);
    if (!present) {
        return {};
    }
    if (!v.isObject()) {
        fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must be an object").arg(key));
        return {};
    }
    return v.toObject();
}

QStringList ArgReader::stringList(
    QLatin1StringView key, qsizetype maxItems, qsizetype maxChars, Presence presence)
{
    bool present = false;
    const QJsonValue v = take(key, presence, &present);
    if (!present) {
        return {};
    }
    const QJsonArray array = v.toArray();
    if (!v.isArray() || array.size() > maxItems) {
        fail(ErrorCode::BadRequest,
            QStringLiteral("field '%1' must be a list of at most %2 strings")
                .arg(key)
                .arg(maxItems));
        return {};
    }
    QStringList out;
    for (const QJsonValue& item : array) {
        const QString text = item.toString();
        if (!item.isString() || characterCount(text) > maxChars || hasLoneSurrogate(text)) {
            fail(ErrorCode::BadRequest,
                QStringLiteral("field '%1' must hold strings of at most %2 characters")
                    .arg(key)
                    .arg(maxChars));
            return {};
        }
        out.append(text);
    }
    return out;
}

QString ArgReader::oneOf(
    QLatin1StringView key, const QLatin1StringView* allowed, qsizetype count, Presence presence)
{
    const QString s = string(key, 64, presence);
    if (s.isEmpty()) {
        return s;
    }
    QStringList names;
    for (qsizetype i = 0; i < count; ++i) {
        if (s == allowed[i]) {
            return s;
        }
        names.append(QString(allowed[i]));
    }
    fail(ErrorCode::BadRequest,
        QStringLiteral("field '%1' must be one of: %2").arg(key, names.join(QStringLiteral(", "))));
    return {};
}

bool isValidAddress(const QString& address)
{
    // local@domain, as in an e-mail address or a SIP URI's user part; kept deliberately
    // simple because the server, not the syntax, is the authority on who exists.
    static const QRegularExpression re(
        QStringLiteral("^[A-Za-z0-9._%+\\-]{1,64}@[A-Za-z0-9\\-]+(\\.[A-Za-z0-9\\-]+)*$"));
    return address.size() <= limits::MaxAddressChars && re.match(address).hasMatch();
}

bool isValidKind(const QString& value)
{
    for (const auto& k : kind::All) {
        if (value == k) {
            return true;
        }
    }
    return false;
}

bool isValidDelivery(const QString& value)
{
    for (const auto& d : delivery::All) {
        if (value == d) {
            return true;
        }
    }
    return false;
}

bool isValidStatus(const QString& value)
{
    for (const auto& s : status::All) {
        if (value == s) {
            return true;
        }
    }
    return false;
}

bool isValidClientId(const QString& clientId)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._\\-]{1,64}$"));
    return re.match(clientId).hasMatch();
}

} // namespace cpm::protocol
