// SPDX-License-Identifier: GPL-3.0-or-later
// cpm-screenshots OUTDIR: starts a real cpm-server, signs in a few devices, exchanges
// messages and renders every screen to PNG, in the light and the dark palette, so the
// README and docs/screenshots/ show what a person sees. Run by scripts/screenshots.sh.

#include "appearance.h"
#include "attachmentmanager.h"
#include "client.h"
#include "composer.h"
#include "contactsdialog.h"
#include "conversationmodel.h"
#include "devicemodel.h"
#include "devicesdialog.h"
#include "diagnosticsdialog.h"
#include "guestvault.h"
#include "legacysinks.h"
#include "mainwindow.h"
#include "movesessiondialog.h"
#include "myfilesdialog.h"
#include "newconversationdialog.h"
#include "sessionbar.h"
#include "sessionmanager.h"
#include "sessionrequestbar.h"
#include "settingsdialog.h"
#include "signindialog.h"
#include "testserver.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLinearGradient>
#include <QListView>
#include <QListWidget>
#include <QPainter>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStyleFactory>
#include <QSysInfo>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTranslator>

#include <cstdio>
#include <functional>
#include <memory>

using namespace cpm;

namespace {

bool waitFor(const std::function<bool()>& condition, int ms = 15000)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > ms) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

void settle(int ms = 300)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
}

std::unique_ptr<Client> device(const QTemporaryDir& dir, const QString& name, const QUrl& url)
{
    auto c = std::make_unique<Client>(dir.filePath(name));
    if (const Result<void> opened = c->open(); !opened) {
        qFatal("cannot open a profile: %s", qPrintable(opened.error().message));
    }
    c->setServerUrl(url);
    return c;
}

bool signIn(Client* c, const QString& address, const QString& name, const QString& kind)
{
    bool done = false;
    bool ok = false;
    c->registerDevice(address, QStringLiteral("demo-password"), name, kind, [&](const Error& e) {
        ok = e.isNull();
        done = true;
    });
    return waitFor([&] { return done; }) && ok
        && waitFor([&] { return c->state() == ConnectionState::Online; });
}

void save(QWidget* w, const QString& path)
{
    settle();
    if (!w->grab().save(path)) {
        std::fprintf(stderr, "could not write %s\n", qPrintable(path));
    } else {
        std::printf("%s\n", qPrintable(path));
    }
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");
    QDir().mkpath(out);

    test::TestServer server;
    // An SMTP relay for the interworking scene (a real aiosmtpd on loopback).
    test::SmtpSink smtp;
    if (!smtp.start()) {
        std::fprintf(stderr, "cannot start aiosmtpd\n");
        return 1;
    }
    server.setExtraArguments({ QStringLiteral("--smtp"), smtp.url().toString() });
    if (!server.start()) {
        std::fprintf(stderr, "cannot start cpm-server\n");
        return 1;
    }
    for (const char* u :
        { "alice@cpm.example", "bob@cpm.example", "carol@cpm.example", "dave@cpm.example" }) {
        server.addUser(QString::fromLatin1(u), QStringLiteral("demo-password"));
    }
    QTemporaryDir profiles;
    auto alice = device(profiles, QStringLiteral("alice"), server.url());
    auto bob = device(profiles, QStringLiteral("bob"), server.url());
    auto carol = device(profiles, QStringLiteral("carol"), server.url());
    auto dave = device(profiles, QStringLiteral("dave"), server.url());
    if (!signIn(alice.get(), QStringLiteral("alice@cpm.example"), QStringLiteral("Alice's laptop"),
            QStringLiteral("laptop"))
        || !signIn(bob.get(), QStringLiteral("bob@cpm.example"), QStringLiteral("Bob's PDA"),
            QStringLiteral("tablet"))
        || !signIn(carol.get(), QStringLiteral("carol@cpm.example"),
            QStringLiteral("Carol's phone"), QStringLiteral("mobile"))
        || !signIn(dave.get(), QStringLiteral("dave@cpm.example"), QStringLiteral("Dave's desktop"),
            QStringLiteral("desktop"))) {
        server.dumpLog();
        return 1;
    }
    auto alicePhone = device(profiles, QStringLiteral("alice-phone"), server.url());
    signIn(alicePhone.get(), QStringLiteral("alice@cpm.example"), QStringLiteral("Alice's phone"),
        QStringLiteral("mobile"));
    bool deliveryDone = false;
    alice->setDelivery(alicePhone->deviceId(), QStringLiteral("notification"),
        [&](const Error&) { deliveryDone = true; });
    waitFor([&] { return deliveryDone; });
    alicePhone->disconnectFromServer();
    const QString a = QStringLiteral("alice@cpm.example");
    bool contactDone = false;
    alice->addContact(QStringLiteral("bob@cpm.example"), QStringLiteral("Bob Martin"),
        [&](const Error&) { contactDone = true; });
    waitFor([&] { return contactDone; });
    // Bob shares his status with Alice (she is in his contacts): a dot and the header say it.
    contactDone = false;
    bob->addContact(a, QStringLiteral("Alice"), [&](const Error&) { contactDone = true; });
    waitFor([&] { return contactDone; });
    bool statusDone = false;
    bob->setStatus(QStringLiteral("busy"), QStringLiteral("On a train"),
        [&](const Error&) { statusDone = true; });
    waitFor([&] { return statusDone; });
    (void)dave->send(a, {}, QStringLiteral("Lunch on Friday?"));
    (void)carol->send(a, QStringLiteral("Minutes"),
        QStringLiteral("The minutes from today's meeting are in the shared folder."));
    waitFor([&] { return alice->unreadCount().valueOr(-1) == 2; });
    (void)bob->send(a, QStringLiteral("Holidays"),
        QStringLiteral("Just back from Sydney! I took far too many pictures — the harbour at "
                       "sunset was unreal. They are at https://photos.example/sydney"));
    waitFor([&] { return alice->unreadCount().valueOr(-1) == 3; });
    (void)alice->send(QStringLiteral("bob@cpm.example"), {},
        QStringLiteral("Welcome back! I want to see them all."));
    // Bob reads that one (a read badge), not the next (two ticks only).
    waitFor([&] {
        return !bob->messages(a).valueOr({}).isEmpty() && alice->outboxSize().valueOr(-1) == 0;
    });
    for (const Message& m : bob->messages(a).valueOr({})) {
        if (!m.outgoing && !m.read) {
            bob->markRead(m.id);
        }
    }
    (void)bob->send(a, {}, QStringLiteral("Coffee tomorrow? I'll bring the laptop."));
    waitFor([&] { return alice->unreadCount().valueOr(-1) == 4; });
    (void)alice->send(QStringLiteral("bob@cpm.example"), {}, QStringLiteral("Yes! 10 o'clock?"));
    waitFor([&] {
        if (alice->outboxSize().valueOr(-1) != 0) {
            return false;
        }
        for (const Message& m : alice->messages(QStringLiteral("bob@cpm.example")).valueOr({})) {
            if (m.outgoing && m.status == Message::Status::Displayed) {
                return true;
            }
        }
        return false;
    });
    settle(500);

    QTranslator german;
    for (const bool dark : { false, true }) {
        QApplication::setPalette(dark ? ui::darkPalette() : ui::lightPalette());
        const QString suffix = dark ? QStringLiteral("-dark") : QStringLiteral("-light");
        {
            Client fresh(profiles.filePath(QStringLiteral("fresh")));
            if (!fresh.open()) {
                qFatal("cannot open a profile");
            }
            fresh.setServerUrl(server.url());
            ui::SignInDialog dialog(&fresh);
            dialog.show();
            save(&dialog, out + QStringLiteral("/signin") + suffix + QStringLiteral(".png"));
        }
        ui::MainWindow window(alice.get());
        window.resize(1000, 640);
        window.show();
        window.activateWindow();
        window.openConversation(QStringLiteral("bob@cpm.example"));
        waitFor([&] { return alice->unreadCount().valueOr(99) <= 2; }, 3000); // Bob's are read now
        save(&window, out + QStringLiteral("/main") + suffix + QStringLiteral(".png"));
        {
            ui::DevicesDialog devices(alice.get());
            devices.show();
            waitFor([&] { return devices.model()->rowCount() >= 2; });
            save(&devices, out + QStringLiteral("/devices") + suffix + QStringLiteral(".png"));
        }
        {
            ui::ContactsDialog contacts(alice.get());
            contacts.show();
            save(&contacts, out + QStringLiteral("/contacts") + suffix + QStringLiteral(".png"));
        }
        {
            ui::DiagnosticsDialog diagnostics(alice.get());
            diagnostics.show();
            save(&diagnostics,
                out + QStringLiteral("/diagnostics") + suffix + QStringLiteral(".png"));
        }
        {
            ui::SettingsDialog settings(alice.get());
            settings.show();
            save(&settings, out + QStringLiteral("/settings") + suffix + QStringLiteral(".png"));
        }
    }
    // Two error states, light only: a server nobody answers at sign-in, and a device whose
    // local database was damaged and set aside.
    QApplication::setPalette(ui::lightPalette());
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        const QString closed = QStringLiteral("ws://127.0.0.1:%1/").arg(probe.serverPort());
        probe.close();
        Client fresh(profiles.filePath(QStringLiteral("fresh-unreachable")));
        if (!fresh.open()) {
            qFatal("cannot open a profile");
        }
        ui::SignInDialog dialog(&fresh);
        dialog.show();
        auto* serverEdit = dialog.findChild<QLineEdit*>(QStringLiteral("server"));
        auto* address = dialog.findChild<QLineEdit*>(QStringLiteral("address"));
        auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("password"));
        auto* signInButton = dialog.findChild<QPushButton*>(QStringLiteral("signIn"));
        auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
        if (!serverEdit || !address || !password || !signInButton || !error) {
            qFatal("the sign-in dialog lost a named widget");
        }
        serverEdit->setText(closed);
        address->setText(a);
        password->setText(QStringLiteral("demo-password"));
        signInButton->click();
        waitFor([&] { return error->isVisible(); });
        save(&dialog, out + QStringLiteral("/signin-unreachable-light.png"));
        // Several nodes of one service, one of them mistyped: the hint names it.
        error->hide();
        serverEdit->setText(QStringLiteral("wss://n1.cpm.example/, ws//n2.cpm.example/"));
        save(&dialog, out + QStringLiteral("/signin-servers-light.png"));
    }
    {
        const QString profile = profiles.filePath(QStringLiteral("alice-phone"));
        alicePhone.reset();
        QFile db(profile + QStringLiteral("/cpm.sqlite"));
        if (!db.open(QIODevice::ReadWrite)) {
            qFatal("cannot damage the phone's database");
        }
        db.write(QByteArray(db.size(), '\x5a'));
        db.close();
        auto recovered = device(profiles, QStringLiteral("alice-phone"), server.url());
        ui::MainWindow window(recovered.get());
        window.resize(1000, 640);
        window.show();
        recovered->connectToServer();
        waitFor([&] { return recovered->state() == ConnectionState::Online; });
        waitFor([&] { return recovered->unreadCount().valueOr(0) > 0; });
        save(&window, out + QStringLiteral("/main-recovered-light.png"));
    }

    {
        // A message to an address without an account: why it was not sent, and the way out.
        ui::MainWindow window(alice.get());
        window.resize(1000, 640);
        window.show();
        window.activateWindow();
        const QString zoe = QStringLiteral("zoe@cpm.example");
        window.openConversation(zoe);
        (void)alice->send(zoe, {}, QStringLiteral("Hi Zoe, is this your new address?"));
        waitFor([&] {
            const QList<Message> sent = alice->messages(zoe).valueOr({});
            return !sent.isEmpty() && sent.constLast().status == Message::Status::Failed;
        });
        settle();
        save(&window, out + QStringLiteral("/main-failed-light.png"));
        // The picker for a new conversation, narrowed by a name.
        ui::NewConversationDialog picker(alice.get(), &window);
        picker.show();
        picker.findChild<QLineEdit*>(QStringLiteral("recipient"))->setText(QStringLiteral("bo"));
        save(&picker, out + QStringLiteral("/new-conversation-light.png"));
    }
    {
        // A first look: a new account with nothing yet says what to do next.
        server.addUser(QStringLiteral("erin@cpm.example"), QStringLiteral("demo-password"));
        auto erin = device(profiles, QStringLiteral("erin"), server.url());
        signIn(erin.get(), QStringLiteral("erin@cpm.example"), QStringLiteral("Erin's laptop"),
            QStringLiteral("laptop"));
        ui::MainWindow window(erin.get());
        window.resize(1000, 640);
        window.show();
        settle();
        save(&window, out + QStringLiteral("/main-empty-light.png"));
    }
    {
        // Seed 000: Carol is away from CPM and wants her messages by e-mail meanwhile. Dave's
        // message to her goes by e-mail (an envelope by the ticks); one to Frank, who has no
        // device at all, is kept for him (a quarter clock).
        const QString c = QStringLiteral("carol@cpm.example");
        int prefsDone = 0;
        carol->setPref(QStringLiteral("whenAway"), QStringLiteral("legacy"),
            [&](const Error&) { ++prefsDone; });
        carol->setPref(QStringLiteral("legacyEmail"), QStringLiteral("carol@mail.example"),
            [&](const Error&) { ++prefsDone; });
        waitFor([&] { return prefsDone == 2; });
        carol->disconnectFromServer();
        server.setSetting(QStringLiteral("interworking.enabled"), QStringLiteral("1"));
        server.runAdmin({ QStringLiteral("legacy"), QStringLiteral("register"), c,
            QStringLiteral("--network"), QStringLiteral("email") });
        server.addUser(QStringLiteral("frank@cpm.example"), QStringLiteral("demo-password"));
        (void)dave->send(c, QStringLiteral("Dinner"),
            QStringLiteral("Table for four at eight on Saturday — are you in?"));
        waitFor(
            [&] {
                const QList<Message> sent = dave->messages(c).valueOr({});
                return !sent.isEmpty() && sent.constLast().route == protocol::Route::Email;
            },
            15000);
        (void)dave->send(
            QStringLiteral("frank@cpm.example"), {}, QStringLiteral("Welcome aboard, Frank!"));
        waitFor([&] { return dave->outboxSize().valueOr(-1) == 0; });
        ui::MainWindow window(dave.get());
        window.resize(1000, 640);
        window.show();
        window.openConversation(c);
        settle();
        save(&window, out + QStringLiteral("/interworking-light.png"));
        window.openConversation(QStringLiteral("frank@cpm.example"));
        settle();
        save(&window, out + QStringLiteral("/interworking-kept-light.png"));
        // Dave's diagnostics list how the message to Carol went.
        ui::DiagnosticsDialog diagnostics(dave.get());
        diagnostics.show();
        auto* deliveries
            = diagnostics.findChild<QPlainTextEdit*>(QStringLiteral("legacyDeliveries"));
        waitFor([&] { return deliveries && !deliveries->toPlainText().isEmpty(); });
        save(&diagnostics, out + QStringLiteral("/interworking-diagnostics-light.png"));
    }

    {
        // Chat sessions: Bob asks, Alice accepts, talks, moves it to her tablet; Carol's
        // request goes unanswered.
        QApplication::setPalette(ui::lightPalette());
        auto aliceTablet = device(profiles, QStringLiteral("alice-tablet"), server.url());
        signIn(aliceTablet.get(), a, QStringLiteral("Alice's tablet"), QStringLiteral("tablet"));
        ui::MainWindow window(alice.get());
        window.resize(1000, 640);
        window.show();
        window.activateWindow();
        window.openConversation(QStringLiteral("dave@cpm.example"));
        qint64 id = 0;
        bob->sessions().invite(a, QStringLiteral("Sydney pictures"),
            [&](const Error&, const Session& s) { id = s.id; });
        waitFor([&] { return !window.sessionRequestBar()->text().isEmpty(); });
        save(&window, out + QStringLiteral("/session-request-light.png"));
        window.findChild<QPushButton*>(QStringLiteral("acceptSession"))->click();
        waitFor([&] { return alice->sessions().isHere(id); });
        waitFor([&] { return bob->sessions().isHere(id); });
        (void)bob->sessions().say(id, QStringLiteral("Here is the harbour at sunset."));
        waitFor([&] { return alice->unreadCount().valueOr(0) == 0; }, 3000);
        (void)alice->sessions().say(id, QStringLiteral("Wow! And the bridge?"));
        bob->sessions().setComposing(id, true);
        waitFor([&] { return alice->sessions().isPeerComposing(id); });
        save(&window, out + QStringLiteral("/session-light.png"));
        QApplication::setPalette(ui::darkPalette());
        save(&window, out + QStringLiteral("/session-dark.png"));
        QApplication::setPalette(ui::lightPalette());
        window.findChild<QPushButton*>(QStringLiteral("moveSession"))->click();
        auto* move = window.findChild<ui::MoveSessionDialog*>();
        if (!move) {
            qFatal("no Move to… dialog");
        }
        waitFor([&] { return move->devices()->count() >= 2; });
        move->findChild<QRadioButton*>(QStringLiteral("historyAll"))->setChecked(true);
        save(move, out + QStringLiteral("/session-move-light.png"));
        move->findChild<QPushButton*>(QStringLiteral("moveButton"))->click();
        waitFor([&] { return aliceTablet->sessions().isHere(id); });
        waitFor([&] { return aliceTablet->sessions().isLoadingHistory(id) == false; });
        save(&window, out + QStringLiteral("/session-continued-light.png"));

        qint64 carols = 0;
        window.sessionRequestBar()->setLingerMs(0);
        carol->sessions().invite(a, {}, [&](const Error&, const Session& s) { carols = s.id; });
        waitFor([&] { return !window.sessionRequestBar()->text().isEmpty(); });
        carol->sessions().cancel(carols);
        waitFor([&] { return !alice->sessions().missed().isEmpty(); });
        window.openConversation(QStringLiteral("carol@cpm.example"));
        waitFor([&] { return window.sessionRequestBar()->isHidden(); });
        save(&window, out + QStringLiteral("/session-missed-light.png"));
        bob->sessions().end(id);
        waitFor([&] { return !aliceTablet->sessions().isHere(id); });

        // A short one on this device that Bob ends: the bar says so, the messages stay.
        qint64 last = 0;
        bob->sessions().invite(a, QStringLiteral("Quick question"),
            [&](const Error&, const Session& s) { last = s.id; });
        waitFor([&] { return last != 0 && !alice->sessions().ringing().isEmpty(); });
        alice->sessions().accept(last);
        waitFor([&] { return alice->sessions().isHere(last) && bob->sessions().isHere(last); });
        window.openConversation(QStringLiteral("bob@cpm.example"));
        (void)bob->sessions().say(last, QStringLiteral("Did you keep the boarding passes?"));
        waitFor([&] { return window.sessionBar()->text().contains(QLatin1StringView("since")); });
        bob->sessions().end(last);
        waitFor([&] { return window.sessionBar()->text().contains(QLatin1StringView("ended")); });
        settle();
        save(&window, out + QStringLiteral("/session-ended-light.png"));
    }

    {
        // A guest on someone else's computer (GST-1): the sign-in window in guest mode, and
        // the guest's window with its banner.
        QApplication::setPalette(ui::lightPalette());
        QTemporaryDir guestParent;
        qputenv(GuestVault::ParentVariable, guestParent.path().toLocal8Bit());
        Client fresh(profiles.filePath(QStringLiteral("fresh-guest")));
        if (!fresh.open()) {
            qFatal("cannot open a profile");
        }
        fresh.setServerUrl(server.url());
        {
            ui::SignInDialog dialog(&fresh);
            dialog.show();
            auto* guestButton = dialog.findChild<QPushButton*>(QStringLiteral("guestMode"));
            if (!guestButton) {
                qFatal("the sign-in dialog lost its guest button");
            }
            guestButton->click();
            dialog.findChild<QLineEdit*>(QStringLiteral("address"))->setText(a);
            dialog.findChild<QLineEdit*>(QStringLiteral("password"))
                ->setText(QStringLiteral("demo-password"));
            save(&dialog, out + QStringLiteral("/guest-signin.png"));
        }
        std::unique_ptr<Client> guest = Client::createGuest();
        if (!guest->open()) {
            qFatal("cannot open a guest's device");
        }
        guest->setServerUrl(server.url());
        signIn(guest.get(), a, QStringLiteral("Guest on %1").arg(QSysInfo::machineHostName()),
            QStringLiteral("desktop"));
        waitFor([&] { return guest->conversations().valueOr({}).size() >= 3; });
        ui::MainWindow window(guest.get());
        window.resize(1000, 640);
        window.show();
        window.activateWindow();
        window.openConversation(QStringLiteral("bob@cpm.example"));
        save(&window, out + QStringLiteral("/guest-session.png"));
        bool signedOut = false;
        guest->signOut([&](const Error&) { signedOut = true; });
        waitFor([&] { return signedOut; });
    }

    {
        // Attachments (MSG-1): Dave sends a picture (Alice's laptop fetches it by itself)
        // and a report as a file card; Alice's own files in My files.
        QTemporaryDir files;
        const QString picture = files.filePath(QStringLiteral("harbour.jpg"));
        QImage image(640, 420, QImage::Format_RGB32);
        {
            QPainter p(&image);
            QLinearGradient sky(0, 0, 0, 420);
            sky.setColorAt(0, QColor(0xff, 0x9a, 0x5a));
            sky.setColorAt(0.6, QColor(0xd8, 0x4a, 0x6b));
            sky.setColorAt(1, QColor(0x2b, 0x3a, 0x67));
            p.fillRect(image.rect(), sky);
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0xff, 0xe0, 0x8a));
            p.drawEllipse(QPoint(420, 250), 60, 60);
            p.setBrush(QColor(0x1d, 0x26, 0x45));
            p.drawRect(0, 300, 640, 120);
        }
        image.save(picture, "JPG");
        const QString report = files.filePath(QStringLiteral("Quarterly report.pdf"));
        {
            QFile f(report);
            f.open(QIODevice::WriteOnly);
            f.write(QByteArray(180 * 1024, 'x'));
        }
        (void)dave->send(a, {}, QStringLiteral("The harbour last night!"), { picture });
        (void)dave->send(a, {}, QString(), { report });
        waitFor([&] {
            const QList<Message> ms
                = alice->messages(QStringLiteral("dave@cpm.example")).valueOr({});
            int pictures = 0;
            for (const Message& m : ms) {
                for (const protocol::Attachment& at : m.attachments) {
                    pictures += at.isImage() && alice->attachments().has(at.id) ? 1 : 0;
                    pictures += !at.isImage() ? 1 : 0;
                }
            }
            return pictures == 2;
        });
        {
            // Alice answers through the window, as a person would: her own picture then
            // has a thumbnail made from the file she picked.
            ui::MainWindow window(alice.get());
            window.show();
            window.openConversation(QStringLiteral("dave@cpm.example"));
            window.composer()->textEdit()->setPlainText(
                QStringLiteral("Gorgeous! I'll read the report tonight."));
            window.composer()->addFiles({ picture });
            window.composer()->findChild<QPushButton*>(QStringLiteral("send"))->click();
            waitFor([&] {
                for (const Message& m :
                    alice->messages(QStringLiteral("dave@cpm.example")).valueOr({})) {
                    if (m.outgoing && !m.attachments.isEmpty() && !m.attachments[0].id.isEmpty()
                        && !alice->attachments()
                                .thumbnail(m.attachments[0].id)
                                .valueOr({})
                                .isEmpty()) {
                        return true;
                    }
                }
                return false;
            });
        }
        settle(300);
        for (const bool dark : { false, true }) {
            QApplication::setPalette(dark ? ui::darkPalette() : ui::lightPalette());
            ui::MainWindow window(alice.get());
            window.resize(1000, 700);
            window.show();
            window.openConversation(QStringLiteral("dave@cpm.example"));
            settle();
            save(&window,
                out + QStringLiteral("/attachments")
                    + (dark ? QStringLiteral("-dark.png") : QStringLiteral("-light.png")));
            if (!dark) {
                ui::MyFilesDialog myFiles(alice.get(), &window);
                myFiles.show();
                waitFor([&] { return myFiles.table()->rowCount() > 0; });
                settle();
                save(&myFiles, out + QStringLiteral("/my-files-light.png"));
            }
        }
    }

    if (german.load(QStringLiteral(":/i18n/cpm_de.qm"))
        || german.load(QStringLiteral("cpm_de"),
            QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/desktop"))) {
        QApplication::installTranslator(&german);
        QApplication::setPalette(ui::lightPalette());
        ui::MainWindow window(alice.get());
        window.resize(1000, 640);
        window.show();
        window.openConversation(QStringLiteral("carol@cpm.example"));
        save(&window, out + QStringLiteral("/main-de.png"));
    }
    server.stop();
    return 0;
}
