// SPDX-License-Identifier: GPL-3.0-or-later
// Attachments end to end (issue 10, seed 003 §6.1.11 steps 2–10): a real cpm-server and real
// client cores. Bob shares pictures with Alice and they reach every device of hers as her
// delivery preferences say; a 50 MB upload whose process dies at 30 % resumes from what the
// server holds after a restart; a guest's copies go with the vault; the quota fails a
// message clearly and keeps nothing.

#include "attachmentmanager.h"
#include "client.h"
#include "failonwarning.h"
#include "guestvault.h"
#include "messagemodel.h"
#include "must.h"
#include "testserver.h"
#include "transport.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cpm;
using cpm::test::must;
using cpm::test::TestServer;

namespace {
constexpr int Timeout = 60000; // 50 MB under the sanitizers
const QString Alice = QStringLiteral("alice@cpm.example");
const QString Bob = QStringLiteral("bob@cpm.example");
const QString Password = QStringLiteral("correct horse battery");

//! The real transport, counting the bytes it sends (what a resumed upload costs).
class CountingTransport final : public Transport {
public:
    explicit CountingTransport(std::shared_ptr<qint64> sent)
        : m_sent(std::move(sent))
    {
        connect(&m_inner, &Transport::opened, this, &Transport::opened);
        connect(&m_inner, &Transport::closed, this, &Transport::closed);
        connect(&m_inner, &Transport::textReceived, this, &Transport::textReceived);
        connect(&m_inner, &Transport::binaryReceived, this, &Transport::binaryReceived);
        connect(&m_inner, &Transport::tlsFailed, this, &Transport::tlsFailed);
        connect(&m_inner, &Transport::unreachable, this, &Transport::unreachable);
    }
    void open(const QUrl& url) override { m_inner.open(url); }
    void close() override { m_inner.close(); }
    bool isOpen() const override { return m_inner.isOpen(); }
    void sendText(const QByteArray& utf8) override
    {
        *m_sent += utf8.size();
        m_inner.sendText(utf8);
    }
    void sendBinary(const QByteArray& frame) override
    {
        *m_sent += frame.size();
        m_inner.sendBinary(frame);
    }

private:
    WebSocketTransport m_inner;
    std::shared_ptr<qint64> m_sent;
};

//! A file of \a bytes random bytes, written in pieces; its SHA-256.
QByteArray writeRandomFile(const QString& path, qint64 bytes, quint32 seed)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        return {};
    }
    QRandomGenerator generator(seed);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray piece(1024 * 1024, Qt::Uninitialized);
    for (qint64 left = bytes; left > 0; left -= piece.size()) {
        piece.resize(std::min<qint64>(left, 1024 * 1024));
        generator.fillRange(reinterpret_cast<quint32*>(piece.data()), piece.size() / 4);
        hash.addData(piece);
        f.write(piece);
    }
    return hash.result();
}

QByteArray sha256Of(QIODevice& device)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&device);
    return hash.result();
}

//! The newest message of \a client with \a peer.
std::optional<Message> newestWith(Client* client, const QString& peer)
{
    const QList<Message> list = must(client->messages(peer, 1));
    return list.isEmpty() ? std::nullopt : std::optional(list.last());
}

//! Fetches and waits; the error.
Error fetchAndWait(Client* client, qint64 messageId, const QString& attachmentId)
{
    bool done = false;
    Error result;
    client->attachments().fetch(messageId, attachmentId, [&](const Error& e) {
        result = e;
        done = true;
    });
    [[maybe_unused]] const bool answered = QTest::qWaitFor([&] { return done; }, Timeout);
    return done ? result : makeError(ErrorCode::Timeout, QStringLiteral("no answer"));
}

//! Bytes that start like a PNG (what the core sees of a picture is its name and type).
QByteArray pngBytes(int width, int height)
{
    QByteArray bytes("\x89PNG\r\n\x1a\n", 8);
    QRandomGenerator generator(quint32(width * 1000 + height));
    for (int i = 0; i < width * height; ++i) {
        bytes.append(char(generator.bounded(256)));
    }
    return bytes;
}
} // namespace

class tst_Attachments : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init() { cpm::test::failOnWarnings(); }

    void testPicturesReachEachDeviceAsItsDeliverySays();
    void testA50MbUploadResumesAfterItsProcessDiesAt30Percent();
    void testAGuestsCopiesGoWithTheVault();
    void testOverQuotaFailsTheMessageAndKeepsNothing();
    void testEachOutboxMessageShowsItsOwnUploadsProgress();

private:
    std::unique_ptr<Client> makeDevice(
        const QString& name, std::unique_ptr<Transport> transport = {});
    std::unique_ptr<Client> registerDevice(
        const QString& address, const QString& name, const QString& kind);

    TestServer m_server;
    QTemporaryDir m_profiles;
    QTemporaryDir m_guestParent;
    QTemporaryDir m_files;
    std::unique_ptr<Client> m_aliceLaptop;
    std::unique_ptr<Client> m_alicePhone;
    std::unique_ptr<Client> m_bobLaptop;
};

std::unique_ptr<Client> tst_Attachments::makeDevice(
    const QString& name, std::unique_ptr<Transport> transport)
{
    auto client = transport
        ? std::make_unique<Client>(m_profiles.filePath(name), std::move(transport))
        : std::make_unique<Client>(m_profiles.filePath(name));
    [&] { QVERIFY(must(client->open())); }();
    client->setServerUrl(m_server.url());
    return client;
}

std::unique_ptr<Client> tst_Attachments::registerDevice(
    const QString& address, const QString& name, const QString& kind)
{
    std::unique_ptr<Client> client = makeDevice(name);
    bool done = false;
    Error result;
    client->registerDevice(address, Password, name, kind, [&](const Error& error) {
        result = error;
        done = true;
    });
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
        QVERIFY2(result.isNull(), qPrintable(result.name() + QLatin1Char(' ') + result.message));
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Online, Timeout);
    }();
    return client;
}

void tst_Attachments::initTestCase()
{
    QVERIFY(m_profiles.isValid() && m_guestParent.isValid() && m_files.isValid());
    qputenv(GuestVault::ParentVariable, m_guestParent.path().toUtf8());
    QVERIFY(m_server.start());
    QVERIFY(m_server.addUser(Alice, Password));
    QVERIFY(m_server.addUser(Bob, Password));
    m_aliceLaptop = registerDevice(Alice, QStringLiteral("alice-laptop"), QStringLiteral("laptop"));
    m_alicePhone = registerDevice(Alice, QStringLiteral("alice-phone"), QStringLiteral("mobile"));
    m_bobLaptop = registerDevice(Bob, QStringLiteral("bob-laptop"), QStringLiteral("laptop"));
    QVERIFY(m_aliceLaptop && m_alicePhone && m_bobLaptop);
    bool done = false;
    m_alicePhone->setDelivery(
        m_alicePhone->deviceId(), QStringLiteral("notification"), [&](const Error& e) {
            QVERIFY(e.isNull());
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
}

void tst_Attachments::cleanupTestCase()
{
    m_aliceLaptop.reset();
    m_alicePhone.reset();
    m_bobLaptop.reset();
    m_server.stop();
}

// §6.1.11 steps 2–10: Bob shares his holiday pictures; Alice's laptop (delivery full) has
// them without asking, her phone (notification) gets them when she opens the message.
void tst_Attachments::testPicturesReachEachDeviceAsItsDeliverySays()
{
    const QString beach = m_files.filePath(QStringLiteral("beach.png"));
    const QString dinner = m_files.filePath(QStringLiteral("dinner.png"));
    QByteArray hashes[2];
    int i = 0;
    for (const QString& path : { beach, dinner }) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray png = pngBytes(40 + i * 10, 30);
        f.write(png);
        hashes[i++] = QCryptographicHash::hash(png, QCryptographicHash::Sha256);
    }
    QSignalSpy ready(&m_aliceLaptop->attachments(), &AttachmentManager::attachmentReady);
    QSignalSpy sent(m_bobLaptop.get(), &Client::messageSent);
    QVERIFY(
        !must(m_bobLaptop->send(Alice, QStringLiteral("Holidays"), QString(), { beach, dinner }))
             .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);

    const std::optional<Message> own = newestWith(m_bobLaptop.get(), Alice);
    QVERIFY(own);
    QCOMPARE(own->attachments.size(), 2);
    QCOMPARE(own->attachments.at(0).name, QStringLiteral("beach.png"));
    QCOMPARE(own->attachments.at(0).type, QStringLiteral("image/png"));
    QVERIFY(!own->attachments.at(1).id.isEmpty());

    // The laptop fetched both pictures as they came, into sealed copies.
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, Timeout);
    const std::optional<Message> onLaptop = newestWith(m_aliceLaptop.get(), Bob);
    QVERIFY(onLaptop);
    QCOMPARE(onLaptop->attachments, own->attachments);
    for (int k = 0; k < 2; ++k) {
        const QString id = onLaptop->attachments.at(k).id;
        QVERIFY(m_aliceLaptop->attachments().has(id));
        auto device = must(m_aliceLaptop->attachments().open(id));
        QVERIFY(device);
        QCOMPARE(sha256Of(*device), hashes[k]);
    }

    // The phone was only notified: nothing fetched, nothing listed until opened.
    QTRY_VERIFY_WITH_TIMEOUT(newestWith(m_alicePhone.get(), Bob).has_value(), Timeout);
    std::optional<Message> onPhone = newestWith(m_alicePhone.get(), Bob);
    QVERIFY(onPhone->partial);
    QVERIFY(onPhone->attachments.isEmpty());
    bool opened = false;
    m_alicePhone->fetchBody(onPhone->id, [&](const Error& e) {
        QVERIFY(e.isNull());
        opened = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(opened, Timeout);
    onPhone = must(m_alicePhone->message(onPhone->id));
    QCOMPARE(onPhone->attachments.size(), 2);
    const QString first = onPhone->attachments.at(0).id;
    // Opened: its pictures come by themselves now.
    QTRY_VERIFY_WITH_TIMEOUT(m_alicePhone->attachments().has(first), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_alicePhone->attachments().has(onPhone->attachments.at(1).id), Timeout);
    const Error fetched = fetchAndWait(m_alicePhone.get(), onPhone->id, first);
    QVERIFY2(fetched.isNull(), qPrintable(fetched.message)); // here already: at once
    auto device = must(m_alicePhone->attachments().open(first));
    QVERIFY(device);
    QCOMPARE(sha256Of(*device), hashes[0]);
    // Save as: the same bytes, decrypted.
    const QString saved = m_files.filePath(QStringLiteral("saved.png"));
    QVERIFY(must(m_alicePhone->attachments().save(first, saved)));
    QFile out(saved);
    QVERIFY(out.open(QIODevice::ReadOnly));
    QCOMPARE(sha256Of(out), hashes[0]);
}

// The test: 50 MB, the uploading process gone at 30 %, resumed by the next run
// from what the server holds (< 1.2 × the size sent in all), the same bytes on each device
// of the recipient that fetches it.
void tst_Attachments::testA50MbUploadResumesAfterItsProcessDiesAt30Percent()
{
    constexpr qint64 Size = 50LL * 1000 * 1000;
    const QString path = m_files.filePath(QStringLiteral("video.mp4"));
    const QByteArray hash = writeRandomFile(path, Size, 42);
    QVERIFY(!hash.isEmpty());
    auto sent = std::make_shared<qint64>(0);

    std::unique_ptr<Client> desktop
        = registerDevice(Bob, QStringLiteral("bob-desktop"), QStringLiteral("desktop"));
    desktop.reset();
    desktop = makeDevice(QStringLiteral("bob-desktop"), std::make_unique<CountingTransport>(sent));
    desktop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(desktop->state(), ConnectionState::Online, Timeout);
    const QString clientId
        = must(desktop->send(Alice, QStringLiteral("The video"), QString(), { path }));
    QVERIFY(!clientId.isEmpty());
    auto progress = [&desktop]() -> qint64 {
        for (const TransferInfo& t : desktop->attachments().transfers()) {
            return t.done;
        }
        return 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(progress() >= Size * 3 / 10, Timeout);
    QVERIFY2(progress() < Size, "the upload ended before it could be cut");
    // As if the process died: no goodbye, the outbox on disk is all that is left.
    desktop.reset();

    desktop = makeDevice(QStringLiteral("bob-desktop"), std::make_unique<CountingTransport>(sent));
    QCOMPARE(must(desktop->outboxSize()), 1);
    QSignalSpy delivered(desktop.get(), &Client::messageSent);
    desktop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 1, Timeout);
    QVERIFY2(*sent < Size * 12 / 10, qPrintable(QStringLiteral("%1 bytes sent").arg(*sent)));

    // Not a picture: fetched on request, on both of Alice's devices.
    QTRY_VERIFY_WITH_TIMEOUT(
        newestWith(m_aliceLaptop.get(), Bob)->subject == QStringLiteral("The video"), Timeout);
    const Message m = *newestWith(m_aliceLaptop.get(), Bob);
    QCOMPARE(m.attachments.size(), 1);
    QCOMPARE(m.attachments.first().size, Size);
    QCOMPARE(m.attachments.first().sha256, QString::fromLatin1(hash.toHex()));
    for (Client* device : { m_aliceLaptop.get(), m_alicePhone.get() }) {
        if (device == m_alicePhone.get()) {
            bool opened = false;
            device->fetchBody(m.id, [&](const Error&) { opened = true; });
            QTRY_VERIFY_WITH_TIMEOUT(opened, Timeout);
        }
        QVERIFY(!device->attachments().has(m.attachments.first().id));
        const Error fetched = fetchAndWait(device, m.id, m.attachments.first().id);
        QVERIFY2(fetched.isNull(), qPrintable(fetched.message));
        auto content = must(device->attachments().open(m.attachments.first().id));
        QVERIFY(content);
        QCOMPARE(content->size(), Size);
        QCOMPARE(sha256Of(*content), hash);
    }
    QFile::remove(path);
}

// GST-4 with attachments: what a guest fetched is sealed in the vault and goes with it.
void tst_Attachments::testAGuestsCopiesGoWithTheVault()
{
    const QString path = m_files.filePath(QStringLiteral("secret.png"));
    QByteArray png = pngBytes(64, 64);
    png += QByteArrayLiteral("CANARY-ATTACHMENT-7741-"); // readable if ever written plain
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(png);
    f.close();
    QSignalSpy sent(m_aliceLaptop.get(), &Client::messageSent);
    QVERIFY(!must(m_aliceLaptop->send(Bob, QStringLiteral("For your eyes"), QString(), { path }))
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);

    std::unique_ptr<Client> guest = Client::createGuest();
    QVERIFY(must(guest->open()));
    guest->setServerUrl(m_server.url());
    QSignalSpy ready(&guest->attachments(), &AttachmentManager::attachmentReady);
    bool done = false;
    guest->registerDevice(
        Bob, Password, QStringLiteral("At Alice's"), QStringLiteral("laptop"), [&](const Error& e) {
            QVERIFY(e.isNull());
            done = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(ready.size() >= 1, Timeout); // a picture: fetched by itself
    const QString vault = guest->profileDir();
    QVERIFY(!vault.isEmpty() && QDir(vault).exists());
    QByteArray everything;
    QDirIterator it(vault, QDir::Files, QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly)) {
            everything += file.readAll();
            ++files;
        }
    }
    QVERIFY(files >= 1);
    QVERIFY(!everything.contains("CANARY-ATTACHMENT-7741"));

    bool signedOut = false;
    guest->signOut([&](const Error&) { signedOut = true; });
    QTRY_VERIFY_WITH_TIMEOUT(!QDir(vault).exists(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(signedOut, Timeout);
}

void tst_Attachments::testOverQuotaFailsTheMessageAndKeepsNothing()
{
    QVERIFY(
        m_server.setSetting(QStringLiteral("attachments.quotaBytes"), QStringLiteral("100000")));
    const QString path = m_files.filePath(QStringLiteral("big.bin"));
    QVERIFY(!writeRandomFile(path, 200000, 7).isEmpty());
    QSignalSpy failed(m_bobLaptop.get(), &Client::sendFailed);
    const QString clientId
        = must(m_bobLaptop->send(Alice, QStringLiteral("Too much"), QString(), { path }));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, Timeout);
    QCOMPARE(failed.first().at(1).toString(), clientId);
    QCOMPARE(failed.first().at(2).value<Error>().code, ErrorCode::OverQuota);
    const std::optional<Message> own = newestWith(m_bobLaptop.get(), Alice);
    QVERIFY(own);
    QCOMPARE(own->status, Message::Status::Failed);

    bool listed = false;
    m_bobLaptop->attachments().listFiles(
        [&](const Error& e, const QList<protocol::Attachment>& files, qint64, qint64 quota) {
            QVERIFY(e.isNull());
            QCOMPARE(quota, 100000);
            for (const protocol::Attachment& a : files) {
                QVERIFY2(a.name != QStringLiteral("big.bin"), "a refused upload was kept");
            }
            listed = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(listed, Timeout);
    QVERIFY(m_server.setSetting(
        QStringLiteral("attachments.quotaBytes"), QString::number(2LL * 1024 * 1024 * 1024)));
}

void tst_Attachments::testEachOutboxMessageShowsItsOwnUploadsProgress()
{
    // Two messages, each with a file called "same.bin": the conversation shows each
    // message the progress of its own upload, not of whichever file has the name.
    const QString first = m_files.filePath(QStringLiteral("one/same.bin"));
    const QString second = m_files.filePath(QStringLiteral("two/same.bin"));
    QVERIFY(QDir().mkpath(QFileInfo(first).path()) && QDir().mkpath(QFileInfo(second).path()));
    QVERIFY(!writeRandomFile(first, 3 * 1024 * 1024, 11).isEmpty());
    QVERIFY(!writeRandomFile(second, 5 * 1024 * 1024, 12).isEmpty());

    MessageModel model(m_bobLaptop.get());
    model.setPeer(Alice);
    AttachmentManager& attachments = m_bobLaptop->attachments();
    // The first upload is held before it sends a byte, the second once it has sent some.
    qint64 held = 0;
    qint64 going = 0;
    const QMetaObject::Connection watch
        = connect(&attachments, &AttachmentManager::transferChanged, this, [&](qint64 id) {
              const std::optional<TransferInfo> t = attachments.transfer(id);
              if (!t || t->direction != TransferInfo::Direction::Upload || t->isFinished()) {
                  return;
              }
              if (t->localPath == first && held == 0) {
                  held = id;
                  attachments.pause(id);
              } else if (t->localPath == second && going == 0 && t->done > 0) {
                  going = id;
                  attachments.pause(id);
              }
          });
    must(m_bobLaptop->send(Alice, {}, QStringLiteral("the first"), { first }));
    must(m_bobLaptop->send(Alice, {}, QStringLiteral("the second"), { second }));
    QTRY_VERIFY_WITH_TIMEOUT(held != 0 && going != 0, Timeout);
    disconnect(watch);
    const qint64 heldDone = attachments.transfer(held)->done;
    const qint64 goingDone = attachments.transfer(going)->done;
    QVERIFY2(heldDone != goingDone, "the two uploads must stand at different places");

    const auto shownFor = [&](const QString& body) -> qint64 {
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex index = model.index(row);
            if (index.data(MessageModel::BodyRole).toString() == body) {
                const QVariantList files = index.data(MessageModel::AttachmentsRole).toList();
                return files.isEmpty()
                    ? -2
                    : files.constFirst().toMap().value(QStringLiteral("done")).toLongLong();
            }
        }
        return -3;
    };
    QTRY_COMPARE_WITH_TIMEOUT(shownFor(QStringLiteral("the first")), heldDone, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(shownFor(QStringLiteral("the second")), goingDone, Timeout);

    // Let them go: both messages are sent with their own file.
    attachments.resume(held);
    attachments.resume(going);
    QTRY_COMPARE_WITH_TIMEOUT(must(m_bobLaptop->outboxSize()), 0, Timeout);
}

QTEST_GUILESS_MAIN(tst_Attachments)
#include "tst_attachments.moc"
