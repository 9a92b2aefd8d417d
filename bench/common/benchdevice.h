// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A signed-in client core for the benches that drive real ones in their own process.

#include "benchloop.h"
#include "client.h"

#include <QString>
#include <QUrl>

#include <cstdio>
#include <memory>

namespace cpm::bench {

/*!
 * A Client with a profile at \a profileDir, registered at \a server as a new desktop of
 * \a address and online; null after saying why on stderr (prefixed with \a bench).
 */
inline std::unique_ptr<Client> registeredDevice(const char* bench, const QString& profileDir,
    const QUrl& server, const QString& address, const QString& password)
{
    auto client = std::make_unique<Client>(profileDir);
    if (!client->open()) {
        std::fprintf(stderr, "%s: cannot open the profile %s\n", bench, qPrintable(profileDir));
        return nullptr;
    }
    client->setServerUrl(server);
    bool done = false;
    Error error;
    client->registerDevice(
        address, password, QStringLiteral("desk"), QStringLiteral("desktop"), [&](const Error& e) {
            error = e;
            done = true;
        });
    if (!waitFor([&] { return done && client->state() == ConnectionState::Online; })
        || !error.isNull()) {
        std::fprintf(stderr, "%s: cannot register: %s\n", bench, qPrintable(error.message));
        return nullptr;
    }
    return client;
}

} // namespace cpm::bench
