// SPDX-License-Identifier: GPL-3.0-or-later
#include "secrets.h"

#include <sodium.h>

namespace cpm::secrets {

void wipe(QByteArray& bytes)
{
    if (!bytes.isEmpty()) {
        // data() detaches a shared buffer: then it is our own copy that is zeroed.
        sodium_memzero(bytes.data(), static_cast<size_t>(bytes.size()));
    }
    bytes = QByteArray();
}

void wipe(QString& text)
{
    if (!text.isEmpty()) {
        sodium_memzero(text.data(), static_cast<size_t>(text.size()) * sizeof(QChar));
    }
    text = QString();
}

} // namespace cpm::secrets
