// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Typed, bounded access to a request's or event's arguments. The first problem found
// is kept as a protocol Error that names the field, so a peer learns exactly what was
// wrong; later reads after a failure return defaults and do not overwrite it.

#include "frame.h"

#include <QJsonArray>
#include <QStringList>

namespace cpm::protocol {

//! The characters of \a text as the limits count them: Unicode code points (an emoji
//! written as a surrogate pair is one).
qsizetype characterCount(QStringView text);
//! True if \a text holds a surrogate that is not part of a pair (JSON's "\ud800" alone):
//! not Unicode text, and it could not be stored as UTF-8 unchanged.
bool hasLoneSurrogate(QStringView text);
//! The first \a n characters of \a text, never half of a surrogate pair.
QString leftCharacters(const QString& text, qsizetype n);

class ArgReader final {
public:
    enum Presence { Required, Optional };

    explicit ArgReader(const QJsonObject& args)
        : m_args(args)
    {
    }

    //! A string of at most \a maxChars UTF-16 units (and not empty when required).
    QString string(QLatin1StringView key, qsizetype maxChars, Presence presence = Required);
    //! A string whose UTF-8 form is at most \a maxBytes; over that is `too_large`.
    QString text(QLatin1StringView key, qsizetype maxBytes, Presence presence = Required);
    //! A CPM address (`local@domain`, docs/protocol.md), in lower case: addresses are
    //! compared case-insensitively.
    QString address(QLatin1StringView key, Presence presence = Required);
    //! An integer in [min, max]: a JSON number with no fraction (1e300 is out of range).
    qint64 integer(QLatin1StringView key, qint64 min, qint64 max, Presence presence = Required,
        qint64 fallback = 0);
    bool boolean(QLatin1StringView key, Presence presence = Required, bool fallback = false);
    QJsonObject object(QLatin1StringView key, Presence presence = Required);
    QStringList stringList(QLatin1StringView key, qsizetype maxItems, qsizetype maxChars,
        Presence presence = Optional);
    //! A string that must be one of \a allowed.
    template <qsizetype N>
    QString oneOf(
        QLatin1StringView key, const QLatin1StringView (&allowed)[N], Presence presence = Required)
    {
        return oneOf(key, allowed, N, presence);
    }
    QString oneOf(QLatin1StringView key, const QLatin1StringView* allowed, qsizetype count,
        Presence presence = Required);

    bool has(QLatin1StringView key) const { return m_args.contains(key); }
    bool ok() const { return m_error.isNull(); }
    const Error& error() const { return m_error; }
    //! Records a caller-side validation failure in the same way.
    void fail(ErrorCode code, const QString& message);

private:
    QJsonValue take(QLatin1StringView key, Presence presence, bool* present);

    QJsonObject m_args;
    Error m_error;
};

} // namespace cpm::protocol
