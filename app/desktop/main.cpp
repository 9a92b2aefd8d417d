// SPDX-License-Identifier: GPL-3.0-or-later
// cpm-desktop: the desktop client. One process is one device; several can run side by
// side with a profile each (QA-1):  cpm-desktop --profile DIR [--server URL]
// A guest on this computer (GST-1): cpm-desktop --guest [--server URL], which opens no
// profile of this computer and runs beside its owner's window.

#include "appearance.h"
#include "client.h"
#include "desktopapp.h"
#include "errortext.h"
#include "guestvault.h"
#include "kindicon.h"
#include "profile.h"
#include "streamingheap.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTranslator>

#include <cstdio>

int main(int argc, char** argv)
{
    cpm::protocol::setUpHeapForStreaming();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("cpm-desktop"));
    QApplication::setOrganizationName(QStringLiteral("cpm"));
    QApplication::setApplicationVersion(QStringLiteral(CPM_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("CPM"));

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QApplication::installTranslator(&qtTranslator);
    }
    QTranslator translator;
    if (translator.load(
            QLocale(), QStringLiteral("cpm"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QApplication::installTranslator(&translator);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "Converged IP Messaging on this device. Run several with a profile each."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profileOption(QStringLiteral("profile"),
        QApplication::translate("main", "Profile directory of this device."),
        QApplication::translate("main", "dir"),
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
            + QStringLiteral("/profiles/default"));
    const QCommandLineOption serverOption(QStringLiteral("server"),
        QApplication::translate("main",
            "Server URL, e.g. ws://127.0.0.1:7878/; several nodes of one service separated by "
            "commas."),
        QApplication::translate("main", "urls"));
    const QCommandLineOption guestOption(QStringLiteral("guest"),
        QApplication::translate("main",
            "Sign in as a guest on this computer: nothing of the guest stays once signed out. "
            "No profile of this computer is opened."));
    parser.addOption(profileOption);
    parser.addOption(serverOption);
    parser.addOption(guestOption);
    parser.process(app);
    QList<QUrl> servers;
    if (parser.isSet(serverOption)) {
        QString bad;
        servers = cpm::Profile::parseServers(parser.value(serverOption), &bad);
        if (servers.isEmpty()) {
            std::fputs(qPrintable(QApplication::translate("main",
                           "--server: “%1” is not a ws:// or wss:// URL (at most %2, "
                           "separated by commas).\n")
                                      .arg(bad.isEmpty() ? parser.value(serverOption) : bad)
                                      .arg(cpm::Profile::MaxServers)),
                stderr);
            return 2;
        }
    }

    // GST-5: what a crashed guest session left behind goes before anything shows.
    cpm::GuestVault::removeOrphans();
    QApplication::setWindowIcon(cpm::ui::appIcon());

    if (parser.isSet(guestOption)) {
        // The guest's language and theme are the guest's own settings, which come with the
        // sign-in; until then the system's.
        cpm::ui::DesktopApp desktop(nullptr);
        QObject::connect(&desktop, &cpm::ui::DesktopApp::finished, &app, &QApplication::quit);
        desktop.setGuestServerUrls(!servers.isEmpty()
                ? servers
                : QList<QUrl> { QUrl(QStringLiteral("ws://127.0.0.1:7878/")) });
        if (!desktop.start()) {
            return 0;
        }
        return app.exec();
    }

    cpm::Client client(QDir(parser.value(profileOption)).absolutePath());
    if (const cpm::Result<void> opened = client.open(); !opened) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "CPM"),
            cpm::ui::ErrorText::forStartup(opened.error(), parser.value(profileOption)));
        return 1;
    }
    // The language is this device's setting, the theme the user's preference (synced across
    // devices); the local store has both, so they apply before the first window shows.
    // Unreadable, the defaults apply; the window then says what is wrong with the store.
    const QString language = cpm::ui::deviceChoice(client, cpm::ui::pref::Language);
    if (!language.isEmpty() && language != QLatin1StringView("system")) {
        const QLocale chosen(language);
        QLocale::setDefault(chosen);
        QApplication::removeTranslator(&qtTranslator);
        QApplication::removeTranslator(&translator);
        if (qtTranslator.load(chosen, QStringLiteral("qtbase"), QStringLiteral("_"),
                QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QApplication::installTranslator(&qtTranslator);
        }
        // English finds cpm_en: the source language, but its plural forms come from there.
        if (translator.load(
                chosen, QStringLiteral("cpm"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
            QApplication::installTranslator(&translator);
        }
    }
    cpm::ui::applyTheme(client.prefs().valueOr({}).value(cpm::ui::pref::Theme).toString());

    if (!servers.isEmpty()) {
        client.setServerUrls(servers);
    } else if (client.serverUrl().isEmpty()) {
        client.setServerUrl(QUrl(QStringLiteral("ws://127.0.0.1:7878/")));
    }

    cpm::ui::DesktopApp desktop(&client);
    QObject::connect(&desktop, &cpm::ui::DesktopApp::finished, &app, &QApplication::quit);
    if (!desktop.start()) {
        return 0;
    }
    return app.exec();
}
