// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Client cores for widget tests: a profile of their own, pointed at the test's server, and
// signed in the way the sign-in window would, without the window.

#include "client.h"
#include "mainwindow.h"
#include "messagemodel.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

namespace cpm::test {

//! A client on the new profile \a name in \a profiles, for \a server (a failure fails the test).
inline std::unique_ptr<Client> newUiClient(
    const QTemporaryDir& profiles, const QString& name, const QUrl& server)
{
    auto c = std::make_unique<Client>(profiles.filePath(name));
    [&] { QVERIFY(c->open()); }();
    c->setServerUrl(server);
    return c;
}

//! Registers \a client as the device \a name (of \a kind) of \a address and waits until it
//! is online.
inline void signInHeadless(Client* client, const QString& address, const QString& password,
    const QString& name, const QString& kind, int timeoutMs)
{
    bool done = false;
    client->registerDevice(address, password, name, kind, [&](const Error& e) {
        QVERIFY2(e.isNull(), qPrintable(e.message));
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Online, timeoutMs);
}

//! Whether the conversation \a window shows has a message whose body is \a body.
inline bool hasBody(ui::MainWindow& window, const QString& body)
{
    MessageModel* model = window.messageModel();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->messageAt(row).body == body) {
            return true;
        }
    }
    return false;
}

} // namespace cpm::test
