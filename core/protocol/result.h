// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Value-or-error, for calls that can fail for reasons other than "there is none": a store
// read answers Result<std::optional<T>> so "not found" (an empty optional) can never be
// confused with "the database failed" (an error). std::expected is C++23; this is the
// small part of it the code needs.

#include "error.h"

#include <optional>
#include <utility>

namespace cpm {

template <typename T> class [[nodiscard]] Result {
public:
    Result(T value)
        : m_value(std::move(value))
    {
    }
    Result(Error error)
        : m_error(std::move(error))
    {
        Q_ASSERT(!m_error.isNull());
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    //! The error; a null Error when ok().
    const Error& error() const { return m_error; }

    T& value() &
    {
        Q_ASSERT(ok());
        return *m_value;
    }
    const T& value() const&
    {
        Q_ASSERT(ok());
        return *m_value;
    }
    T&& value() &&
    {
        Q_ASSERT(ok());
        return std::move(*m_value);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    //! The value, or \a fallback on error (where an error really may be read as it).
    T valueOr(T fallback) const& { return ok() ? *m_value : std::move(fallback); }

private:
    std::optional<T> m_value;
    Error m_error;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    {
        Q_ASSERT(!m_error.isNull());
    }

    bool ok() const { return m_error.isNull(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return m_error; }

private:
    Error m_error;
};

} // namespace cpm
