// SPDX-License-Identifier: GPL-3.0-or-later
// docs/protocol.md "Attachments (MSG-1)" against a real cpm-server through a raw WebSocket:
// chunked uploads in binary frames, resuming from what the server holds, the operator's
// limits with nothing partial kept, ranged downloads only for the people a message was
// between, "my files", and durability of a completed upload across SIGKILL.

#include "failonwarning.h"
#include "model.h"
#include "protocol.h"
#include "testserver.h"
#include "wsclient.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

using namespace cpm::test;
namespace lim = cpm::protocol::limits;

namespace {
constexpr qsizetype Chunk = lim::MaxChunkBytes;

QByteArray randomBytes(qsizetype n, quint32 seed)
{
    QByteArray bytes(n, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char& c : bytes) {
        c = char(generator.bounded(256));
    }
    return bytes;
}

QString sha256Of(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QJsonObject beginArgs(const QString& name, const QByteArray& file,
    const QString& type = QStringLiteral("application/octet-stream"))
{
    return { { QStringLiteral("name"), name }, { QStringLiteral("type"), type },
        { QStringLiteral("size"), file.size() }, { QStringLiteral("sha256"), sha256Of(file) } };
}

QJsonObject putArgs(const QString& id, qint64 offset)
{
    return { { QStringLiteral("attachmentId"), id }, { QStringLiteral("offset"), offset } };
}

QString idOf(const QJsonObject& response)
{
    return result(response)
        .value(QLatin1StringView("attachment"))
        .toObject()
        .value(QLatin1StringView("id"))
        .toString();
}

//! The files under the server's attachments directory (partial ones too).
QStringList filesUnder(const QString& dataDir)
{
    QStringList out;
    QDirIterator it(
        dataDir + QStringLiteral("/attachments"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        out.append(it.next());
    }
    return out;
}
} // namespace

class tst_ServerAttachments : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void testUploadSendAndDownloadOnBothSides();
    void testUploadResumesFromWhatTheServerHolds();
    void testLimitsRefuseBeforeAnythingIsStored();
    void testAMismatchingHashDiscardsTheUpload();
    void testMalformedChunksGetTheDocumentedCodes();
    void testOnlyThePartiesOfAMessageMayFetch();
    void testNotificationDevicesSeeAttachmentsOnFetch();
    void testMyFilesListAndDelete();
    void testAbandonedUploadsExpire();
    void testACompletedUploadSurvivesSigkill();
    void testOrphanedFilesAreRemovedAtStart();

private:
    std::unique_ptr<WsClient> connectAs(const Device& device);
    Device registerNew(const QString& address, const QString& instance);
    //! Uploads \a file in pipelined chunks from \a from on; the last answer.
    QJsonObject upload(WsClient& c, const QString& id, const QByteArray& file, qint64 from = 0);
    //! Fetches the whole attachment in ranged gets of \a length.
    QByteArray download(WsClient& c, const QString& id, qint64 size, qint64 length = Chunk);

    TestServer m_server;
    Device m_alice;
    Device m_bob;
    Device m_bobPhone;
    Device m_carol;
};

std::unique_ptr<WsClient> tst_ServerAttachments::connectAs(const Device& device)
{
    auto client = std::make_unique<WsClient>();
    if (!client->open(m_server.url()) || !client->hello()
        || result(client->login(device)).isEmpty()) {
        return nullptr;
    }
    client->syncAll();
    return client;
}

Device tst_ServerAttachments::registerNew(const QString& address, const QString& instance)
{
    WsClient c;
    if (!c.open(m_server.url()) || !c.hello()) {
        return {};
    }
    const QString password = QStringLiteral("pw-") + address.section(u'@', 0, 0);
    const QJsonObject r = result(c.registerDevice(address, password, instance));
    return { address, password, r.value(QLatin1StringView("deviceId")).toInteger(),
        r.value(QLatin1StringView("token")).toString() };
}

QJsonObject tst_ServerAttachments::upload(
    WsClient& c, const QString& id, const QByteArray& file, qint64 from)
{
    QList<qint64> ids;
    for (qint64 offset = from; offset < file.size(); offset += Chunk) {
        ids.append(c.postBinary(
            QStringLiteral("attachment.put"), putArgs(id, offset), file.mid(offset, Chunk)));
    }
    QJsonObject last;
    for (const qint64 requestId : std::as_const(ids)) {
        last = c.response(QJsonValue(requestId));
        if (!last.contains(QLatin1StringView("result"))) {
            return last;
        }
    }
    return last;
}

QByteArray tst_ServerAttachments::download(
    WsClient& c, const QString& id, qint64 size, qint64 length)
{
    QList<qint64> ids;
    for (qint64 offset = 0; offset < size; offset += length) {
        ids.append(c.post(QStringLiteral("attachment.get"),
            { { QStringLiteral("attachmentId"), id }, { QStringLiteral("offset"), offset },
                { QStringLiteral("length"), length } }));
    }
    QByteArray out;
    for (const qint64 requestId : std::as_const(ids)) {
        const QJsonObject r = c.response(QJsonValue(requestId));
        if (!r.contains(QLatin1StringView("result"))) {
            return QByteArray("failed: ") + describe(r).toUtf8();
        }
        out += c.takePayload(r);
    }
    return out;
}

void tst_ServerAttachments::initTestCase()
{
    QVERIFY(m_server.start());
    for (const char* name : { "alice", "bob", "carol", "dave", "erin" }) {
        const QString n = QLatin1StringView(name);
        QVERIFY(m_server.addUser(n + QStringLiteral("@cpm.example"), QStringLiteral("pw-") + n));
    }
    m_alice = registerNew(QStringLiteral("alice@cpm.example"), QStringLiteral("alice-laptop"));
    m_bob = registerNew(QStringLiteral("bob@cpm.example"), QStringLiteral("bob-laptop"));
    m_bobPhone = registerNew(QStringLiteral("bob@cpm.example"), QStringLiteral("bob-phone"));
    m_carol = registerNew(QStringLiteral("carol@cpm.example"), QStringLiteral("carol-laptop"));
    QVERIFY(m_alice.id > 0 && m_bob.id > 0 && m_bobPhone.id > 0 && m_carol.id > 0);
}

void tst_ServerAttachments::cleanupTestCase() { m_server.stop(); }

void tst_ServerAttachments::init() { }

void tst_ServerAttachments::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_server.dumpLog();
    }
}

// §6.1.11 steps 2–10: Bob shares a picture with Alice; both can fetch it, chunk by chunk.
void tst_ServerAttachments::testUploadSendAndDownloadOnBothSides()
{
    auto bob = connectAs(m_bob);
    auto alice = connectAs(m_alice);
    QVERIFY(bob && alice);
    const QByteArray picture = randomBytes(2 * Chunk + 12345, 1);

    const QJsonObject begun = bob->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("beach.jpg"), picture, QStringLiteral("IMAGE/JPEG")));
    QVERIFY_OK(begun);
    const QString id = idOf(begun);
    QVERIFY(cpm::protocol::isAttachmentId(id));
    QCOMPARE(result(begun).value(QLatin1StringView("offset")).toInteger(), 0);
    const QJsonObject attachment = result(begun).value(QLatin1StringView("attachment")).toObject();
    QCOMPARE(attachment.value(QLatin1StringView("state")).toString(), QStringLiteral("uploading"));
    QCOMPARE(attachment.value(QLatin1StringView("type")).toString(), QStringLiteral("image/jpeg"));

    // Not fetchable, not sendable while unfinished.
    QCOMPARE(code(bob->request(
                 QStringLiteral("attachment.get"), { { QStringLiteral("attachmentId"), id } })),
        QStringLiteral("not_found"));

    const QJsonObject last = upload(*bob, id, picture);
    QVERIFY_OK(last);
    QCOMPARE(result(last).value(QLatin1StringView("complete")).toBool(), true);
    QCOMPARE(result(last).value(QLatin1StringView("offset")).toInteger(), picture.size());

    QJsonObject send { { QStringLiteral("clientId"), QStringLiteral("pics-1") },
        { QStringLiteral("to"), m_alice.address }, { QStringLiteral("body"), QString() },
        { QStringLiteral("subject"), QStringLiteral("Holidays") },
        { QStringLiteral("attachments"), QJsonArray { id } } };
    QVERIFY_OK(bob->request(QStringLiteral("send"), send));
    // A retry is the same message; naming other attachments is a conflict.
    QCOMPARE(result(bob->request(QStringLiteral("send"), send))
                 .value(QLatin1StringView("duplicate"))
                 .toBool(),
        true);
    send.insert(QStringLiteral("attachments"), QJsonArray());
    QCOMPARE(code(bob->request(QStringLiteral("send"), send)), QStringLiteral("conflict"));

    const QJsonObject event = alice->event(QStringLiteral("message"));
    const QJsonArray listed = event.value(QLatin1StringView("data"))
                                  .toObject()
                                  .value(QLatin1StringView("message"))
                                  .toObject()
                                  .value(QLatin1StringView("attachments"))
                                  .toArray();
    QCOMPARE(listed.size(), 1);
    const QJsonObject inMessage = listed.first().toObject();
    QCOMPARE(inMessage.value(QLatin1StringView("id")).toString(), id);
    QCOMPARE(inMessage.value(QLatin1StringView("name")).toString(), QStringLiteral("beach.jpg"));
    QCOMPARE(inMessage.value(QLatin1StringView("size")).toInteger(), picture.size());
    QCOMPARE(inMessage.value(QLatin1StringView("sha256")).toString(), sha256Of(picture));
    QVERIFY(!inMessage.contains(QLatin1StringView("state")));

    // Ranged: any chunk length, pipelined, ends short at the end of the file.
    QCOMPARE(download(*alice, id, picture.size()), picture);
    QCOMPARE(download(*alice, id, picture.size(), 100000), picture);
    QCOMPARE(download(*bob, id, picture.size()), picture);
    const QJsonObject tail = alice->request(QStringLiteral("attachment.get"),
        { { QStringLiteral("attachmentId"), id }, { QStringLiteral("offset"), picture.size() } });
    QVERIFY_OK(tail);
    QCOMPARE(result(tail).value(QLatin1StringView("length")).toInteger(), 0);
    QCOMPARE(result(tail).value(QLatin1StringView("size")).toInteger(), picture.size());
    QVERIFY(alice->takePayload(tail).isEmpty());
    QCOMPARE(code(alice->request(QStringLiteral("attachment.get"),
                 { { QStringLiteral("attachmentId"), id },
                     { QStringLiteral("offset"), picture.size() + 1 } })),
        QStringLiteral("bad_request"));

    // The same file again is the one already stored: nothing to send.
    const QJsonObject again = bob->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("beach.jpg"), picture, QStringLiteral("image/jpeg")));
    QCOMPARE(idOf(again), id);
    QCOMPARE(result(again).value(QLatin1StringView("duplicate")).toBool(), true);
    QCOMPARE(result(again).value(QLatin1StringView("offset")).toInteger(), picture.size());
}

// The test of issue 10: cut at 30 %, reconnect, resume; < 1.2 × the size sent in total.
void tst_ServerAttachments::testUploadResumesFromWhatTheServerHolds()
{
    const QByteArray file = randomBytes(10 * Chunk + 777, 2);
    const QJsonObject args
        = beginArgs(QStringLiteral("video.mp4"), file, QStringLiteral("video/mp4"));
    qint64 sent = 0;
    QString id;
    {
        auto bob = connectAs(m_bob);
        QVERIFY(bob);
        const QJsonObject begun = bob->request(QStringLiteral("attachment.begin"), args);
        id = idOf(begun);
        QVERIFY_OK(upload(*bob, id, file.left(3 * Chunk)));
        // One more chunk goes out and the connection drops before its answer.
        bob->postBinary(
            QStringLiteral("attachment.put"), putArgs(id, 3 * Chunk), file.mid(3 * Chunk, Chunk));
        sent += bob->bytesSent();
    }
    auto phone = connectAs(m_bobPhone); // another device of Bob's may go on with it
    QVERIFY(phone);
    const QJsonObject resumed = phone->request(QStringLiteral("attachment.begin"), args);
    QVERIFY_OK(resumed);
    QCOMPARE(idOf(resumed), id);
    const qint64 offset = result(resumed).value(QLatin1StringView("offset")).toInteger();
    QVERIFY2(offset == 3 * Chunk || offset == 4 * Chunk, qPrintable(QString::number(offset)));

    // A chunk at another offset is refused, and says where the upload stands.
    const QJsonObject wrong
        = phone->requestBinary(QStringLiteral("attachment.put"), putArgs(id, 0), file.left(Chunk));
    QCOMPARE(code(wrong), QStringLiteral("conflict"));
    QCOMPARE(wrong.value(QLatin1StringView("error"))
                 .toObject()
                 .value(QLatin1StringView("offset"))
                 .toInteger(),
        offset);

    const QJsonObject last = upload(*phone, id, file, offset);
    QVERIFY_OK(last);
    QCOMPARE(result(last).value(QLatin1StringView("complete")).toBool(), true);
    sent += phone->bytesSent();
    QVERIFY2(sent < file.size() * 12 / 10, qPrintable(QString::number(sent)));
    QCOMPARE(download(*phone, id, file.size()), file);
}

void tst_ServerAttachments::testLimitsRefuseBeforeAnythingIsStored()
{
    auto dave = std::make_unique<WsClient>();
    const Device daveLaptop
        = registerNew(QStringLiteral("dave@cpm.example"), QStringLiteral("dave-1"));
    dave = connectAs(daveLaptop);
    QVERIFY(dave);
    const qsizetype before = filesUnder(m_server.dataDir()).size();

    QVERIFY(
        m_server.setSetting(QStringLiteral("attachments.maxFileBytes"), QStringLiteral("1000")));
    const QByteArray big = randomBytes(1001, 3);
    QCOMPARE(code(dave->request(
                 QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("a.bin"), big))),
        QStringLiteral("too_large"));
    QVERIFY(m_server.setSetting(
        QStringLiteral("attachments.maxFileBytes"), QString::number(256 << 20)));

    // The quota counts unfinished uploads at their full size.
    QVERIFY(m_server.setSetting(QStringLiteral("attachments.quotaBytes"), QStringLiteral("1500")));
    const QJsonObject first = dave->request(
        QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("a.bin"), big));
    QVERIFY_OK(first);
    const QJsonObject over = dave->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("b.bin"), randomBytes(500, 4)));
    QCOMPARE(code(over), QStringLiteral("over_quota"));
    QVERIFY(!over.value(QLatin1StringView("error"))
                 .toObject()
                 .value(QLatin1StringView("message"))
                 .toString()
                 .isEmpty());
    QCOMPARE(filesUnder(m_server.dataDir()).size(), before + 1); // the first one's .part only
    // Freed by deleting the unfinished one.
    QVERIFY_OK(dave->request(
        QStringLiteral("files.delete"), { { QStringLiteral("attachmentId"), idOf(first) } }));
    QVERIFY_OK(dave->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("b.bin"), randomBytes(500, 4))));
    QVERIFY(
        m_server.setSetting(QStringLiteral("attachments.quotaBytes"), QString::number(2LL << 30)));

    // A file of nothing is complete at once.
    const QJsonObject empty = dave->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("empty.txt"), {}, QStringLiteral("text/plain")));
    QVERIFY_OK(empty);
    QCOMPARE(result(empty)
                 .value(QLatin1StringView("attachment"))
                 .toObject()
                 .value(QLatin1StringView("state"))
                 .toString(),
        QStringLiteral("complete"));
    QVERIFY(download(*dave, idOf(empty), 0).isEmpty());
}

void tst_ServerAttachments::testAMismatchingHashDiscardsTheUpload()
{
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const QByteArray file = randomBytes(Chunk + 10, 5);
    QByteArray other = file;
    other[Chunk + 3] = char(other.at(Chunk + 3) ^ 1);
    const QJsonObject args
        = beginArgs(QStringLiteral("report.pdf"), file, QStringLiteral("application/pdf"));
    const QString id = idOf(bob->request(QStringLiteral("attachment.begin"), args));
    const QJsonObject last = upload(*bob, id, other);
    QCOMPARE(code(last), QStringLiteral("hash_mismatch"));
    for (const QString& path : filesUnder(m_server.dataDir())) {
        QVERIFY2(!path.contains(id), qPrintable(path));
    }
    // Begun again, it is a new upload from 0.
    const QJsonObject again = bob->request(QStringLiteral("attachment.begin"), args);
    QVERIFY(idOf(again) != id);
    QCOMPARE(result(again).value(QLatin1StringView("offset")).toInteger(), 0);
    QVERIFY_OK(upload(*bob, idOf(again), file));
}

void tst_ServerAttachments::testMalformedChunksGetTheDocumentedCodes()
{
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const QByteArray file = randomBytes(1000, 6);
    const QString id = idOf(
        bob->request(QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("x.bin"), file)));
    QVERIFY(!id.isEmpty());
    // A chunk in a text frame, a text-only operation in a binary frame.
    QCOMPARE(code(bob->request(QStringLiteral("attachment.put"), putArgs(id, 0))),
        QStringLiteral("bad_request"));
    QCOMPARE(code(bob->requestBinary(QStringLiteral("whoami"), {}, QByteArray("x"))),
        QStringLiteral("bad_request"));
    // Past the declared size, empty, unknown id, header length out of range.
    QCOMPARE(code(bob->requestBinary(QStringLiteral("attachment.put"), putArgs(id, 0), file + "x")),
        QStringLiteral("bad_request"));
    QCOMPARE(code(bob->requestBinary(QStringLiteral("attachment.put"), putArgs(id, 0), {})),
        QStringLiteral("bad_request"));
    QCOMPARE(code(bob->requestBinary(QStringLiteral("attachment.put"),
                 putArgs(QStringLiteral("0123456789abcdef0123456789abcdef"), 0), file)),
        QStringLiteral("not_found"));
    QByteArray bad(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(lim::MaxBinaryHeaderBytes + 1), bad.data());
    bob->sendBinary(bad + QByteArray(lim::MaxBinaryHeaderBytes + 10, '{'));
    QCOMPARE(code(bob->response()), QStringLiteral("bad_frame"));
    // The connection is fine and the upload untouched.
    QVERIFY_OK(upload(*bob, id, file));
}

void tst_ServerAttachments::testOnlyThePartiesOfAMessageMayFetch()
{
    auto bob = connectAs(m_bob);
    auto carol = connectAs(m_carol);
    QVERIFY(bob && carol);
    const QByteArray file = randomBytes(5000, 7);
    const QString id = idOf(bob->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("private.png"), file, QStringLiteral("image/png"))));
    QVERIFY_OK(upload(*bob, id, file));
    const QJsonObject get { { QStringLiteral("attachmentId"), id } };

    // Not Carol's: by id, by guessing, nor by putting it in her own message.
    QCOMPARE(
        code(carol->request(QStringLiteral("attachment.get"), get)), QStringLiteral("not_found"));
    for (int i = 0; i < 5; ++i) {
        const QString guess = QString::fromLatin1(randomBytes(16, 100 + i).toHex());
        QCOMPARE(code(carol->request(QStringLiteral("attachment.get"),
                     { { QStringLiteral("attachmentId"), guess } })),
            QStringLiteral("not_found"));
    }
    QCOMPARE(
        code(carol->request(QStringLiteral("send"),
            { { QStringLiteral("clientId"), QStringLiteral("steal") },
                { QStringLiteral("to"), m_alice.address }, { QStringLiteral("body"), QString() },
                { QStringLiteral("attachments"), QJsonArray { id } } })),
        QStringLiteral("not_found"));
    QCOMPARE(
        code(carol->request(QStringLiteral("files.delete"), get)), QStringLiteral("not_found"));

    // Sent to Carol, it is hers to fetch as long as she keeps the message.
    const QJsonObject sent = bob->request(QStringLiteral("send"),
        { { QStringLiteral("clientId"), QStringLiteral("to-carol") },
            { QStringLiteral("to"), m_carol.address },
            { QStringLiteral("body"), QStringLiteral("for you") },
            { QStringLiteral("attachments"), QJsonArray { id } } });
    QVERIFY_OK(sent);
    QCOMPARE(download(*carol, id, file.size()), file);
    QVERIFY_OK(carol->request(QStringLiteral("delete"),
        { { QStringLiteral("messageId"), result(sent).value(QLatin1StringView("messageId")) } }));
    QCOMPARE(
        code(carol->request(QStringLiteral("attachment.get"), get)), QStringLiteral("not_found"));
    // Bob still has his file.
    QCOMPARE(download(*bob, id, file.size()), file);
}

void tst_ServerAttachments::testNotificationDevicesSeeAttachmentsOnFetch()
{
    auto phone = connectAs(m_bobPhone);
    auto alice = connectAs(m_alice);
    QVERIFY(phone && alice);
    QVERIFY_OK(phone->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), m_bobPhone.id },
            { QStringLiteral("delivery"), QStringLiteral("notification") } }));
    const QByteArray file = randomBytes(3000, 8);
    const QString id = idOf(alice->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("menu.jpg"), file, QStringLiteral("image/jpeg"))));
    QVERIFY_OK(upload(*alice, id, file));
    const QJsonObject sent = alice->request(QStringLiteral("send"),
        { { QStringLiteral("clientId"), QStringLiteral("menu") },
            { QStringLiteral("to"), m_bob.address },
            { QStringLiteral("body"), QStringLiteral("tonight?") },
            { QStringLiteral("attachments"), QJsonArray { id } } });
    QVERIFY_OK(sent);
    const QJsonObject m = phone->event(QStringLiteral("message"))
                              .value(QLatin1StringView("data"))
                              .toObject()
                              .value(QLatin1StringView("message"))
                              .toObject();
    QCOMPARE(m.value(QLatin1StringView("partial")).toBool(), true);
    QVERIFY(!m.contains(QLatin1StringView("attachments")));
    const QJsonObject fetched = result(phone->request(QStringLiteral("fetch"),
        { { QStringLiteral("messageId"), result(sent).value(QLatin1StringView("messageId")) } }));
    QCOMPARE(fetched.value(QLatin1StringView("message"))
                 .toObject()
                 .value(QLatin1StringView("attachments"))
                 .toArray()
                 .size(),
        1);
    QCOMPARE(download(*phone, id, file.size()), file);
    QVERIFY_OK(phone->request(QStringLiteral("devices.setDelivery"),
        { { QStringLiteral("deviceId"), m_bobPhone.id },
            { QStringLiteral("delivery"), QStringLiteral("full") } }));
}

void tst_ServerAttachments::testMyFilesListAndDelete()
{
    const Device erin = registerNew(QStringLiteral("erin@cpm.example"), QStringLiteral("erin-1"));
    auto c = connectAs(erin);
    auto bob = connectAs(m_bob);
    QVERIFY(c && bob);
    const QByteArray a = randomBytes(100, 9);
    const QByteArray b = randomBytes(Chunk + 1, 10);
    const QString idA = idOf(c->request(QStringLiteral("attachment.begin"),
        beginArgs(QStringLiteral("a.txt"), a, QStringLiteral("text/plain"))));
    QVERIFY_OK(upload(*c, idA, a));
    const QString idB = idOf(
        c->request(QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("b.bin"), b)));
    QVERIFY_OK(upload(*c, idB, b.left(Chunk))); // unfinished

    QJsonObject listed = result(c->request(QStringLiteral("files.list")));
    QJsonArray files = listed.value(QLatin1StringView("files")).toArray();
    QCOMPARE(files.size(), 2);
    QCOMPARE(listed.value(QLatin1StringView("usedBytes")).toInteger(), a.size() + b.size());
    QVERIFY(listed.value(QLatin1StringView("quotaBytes")).toInteger() > 0);
    QCOMPARE(listed.value(QLatin1StringView("more")).toBool(), false);
    QStringList states;
    for (const QJsonValue& f : files) {
        states.append(f.toObject().value(QLatin1StringView("state")).toString());
    }
    states.sort();
    QCOMPARE(states, (QStringList { QStringLiteral("complete"), QStringLiteral("uploading") }));
    const QJsonObject page
        = result(c->request(QStringLiteral("files.list"), { { QStringLiteral("limit"), 1 } }));
    QCOMPARE(page.value(QLatin1StringView("files")).toArray().size(), 1);
    QCOMPARE(page.value(QLatin1StringView("more")).toBool(), true);

    // Sent, then deleted from the storage: the message keeps listing it, nobody can fetch it.
    QVERIFY_OK(c->request(QStringLiteral("send"),
        { { QStringLiteral("clientId"), QStringLiteral("a") },
            { QStringLiteral("to"), m_bob.address }, { QStringLiteral("body"), QString() },
            { QStringLiteral("attachments"), QJsonArray { idA } } }));
    QCOMPARE(download(*bob, idA, a.size()), a);
    QVERIFY_OK(
        c->request(QStringLiteral("files.delete"), { { QStringLiteral("attachmentId"), idA } }));
    QCOMPARE(code(c->request(
                 QStringLiteral("files.delete"), { { QStringLiteral("attachmentId"), idA } })),
        QStringLiteral("not_found"));
    QCOMPARE(code(bob->request(
                 QStringLiteral("attachment.get"), { { QStringLiteral("attachmentId"), idA } })),
        QStringLiteral("not_found"));
    for (const QString& path : filesUnder(m_server.dataDir())) {
        QVERIFY2(!path.contains(idA), qPrintable(path));
    }
    listed = result(c->request(QStringLiteral("files.list")));
    QCOMPARE(listed.value(QLatin1StringView("files")).toArray().size(), 1);
    QCOMPARE(listed.value(QLatin1StringView("usedBytes")).toInteger(), b.size());
}

void tst_ServerAttachments::testAbandonedUploadsExpire()
{
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    const QByteArray file = randomBytes(2 * Chunk, 11);
    const QString id = idOf(bob->request(
        QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("left.bin"), file)));
    QVERIFY_OK(upload(*bob, id, file.left(Chunk)));
    QVERIFY(
        m_server.setSetting(QStringLiteral("attachments.uploadTtlSeconds"), QStringLiteral("1")));
    auto listed = [&] {
        for (const QJsonValue& f : result(bob->request(QStringLiteral("files.list")))
                                       .value(QLatin1StringView("files"))
                                       .toArray()) {
            if (f.toObject().value(QLatin1StringView("id")).toString() == id) {
                return true;
            }
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(!listed(), 10000);
    QCOMPARE(code(bob->requestBinary(
                 QStringLiteral("attachment.put"), putArgs(id, Chunk), file.mid(Chunk))),
        QStringLiteral("not_found"));
    QVERIFY(m_server.setSetting(
        QStringLiteral("attachments.uploadTtlSeconds"), QStringLiteral("86400")));
}

void tst_ServerAttachments::testACompletedUploadSurvivesSigkill()
{
    const QByteArray file = randomBytes(3 * Chunk, 12);
    QString id;
    {
        auto bob = connectAs(m_bob);
        QVERIFY(bob);
        id = idOf(bob->request(
            QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("kept.bin"), file)));
        QVERIFY_OK(upload(*bob, id, file));
        m_server.kill();
    }
    QVERIFY(m_server.restart());
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    QCOMPARE(download(*bob, id, file.size()), file);
}

void tst_ServerAttachments::testOrphanedFilesAreRemovedAtStart()
{
    // What a crash can leave: a partial file of no upload and a whole file of no attachment
    // (the store committed, the file was not removed yet), and a whole file of an upload the
    // store had not marked complete when the process died. Plus a file that is not ours.
    const QByteArray file = randomBytes(2 * Chunk, 13);
    QString kept;
    QString unmarked;
    {
        auto bob = connectAs(m_bob);
        QVERIFY(bob);
        kept = idOf(bob->request(
            QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("kept.bin"), file)));
        QVERIFY_OK(upload(*bob, kept, file));
        const QByteArray other = randomBytes(Chunk, 14);
        unmarked = idOf(bob->request(
            QStringLiteral("attachment.begin"), beginArgs(QStringLiteral("unmarked.bin"), other)));
    }
    m_server.kill();
    const QString dir = m_server.dataDir() + QStringLiteral("/attachments/");
    const auto place = [&](const QString& id, const QString& suffix, const QByteArray& bytes) {
        QDir().mkpath(dir + id.left(2));
        QFile f(dir + id.left(2) + QLatin1Char('/') + id + suffix);
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    };
    const QString ghost = QStringLiteral("0123456789abcdef0123456789abcdef");
    const QString deleted = QStringLiteral("fedcba9876543210fedcba9876543210");
    QVERIFY(place(ghost, QStringLiteral(".part"), "half"));
    QVERIFY(place(deleted, {}, "whole"));
    QVERIFY(QFile::rename(
        dir + unmarked.left(2) + QLatin1Char('/') + unmarked + QStringLiteral(".part"),
        dir + unmarked.left(2) + QLatin1Char('/') + unmarked));
    {
        QFile notes(dir + QStringLiteral("notes.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly) && notes.write("the operator's") > 0);
    }
    if (TestServer::storeIsPostgres()) {
        // Several nodes may share the directory: only files an hour old are a dead
        // process's leftovers there (tst_multinode checks that a young one stays).
        QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadWrite)
                && f.setFileTime(QDateTime::currentDateTime().addSecs(-2 * 3600),
                    QFileDevice::FileModificationTime));
        }
    }

    QVERIFY(m_server.restart());
    QVERIFY(
        !QFile::exists(dir + ghost.left(2) + QLatin1Char('/') + ghost + QStringLiteral(".part")));
    QVERIFY(!QFile::exists(dir + deleted.left(2) + QLatin1Char('/') + deleted));
    QVERIFY(QFile::exists(
        dir + unmarked.left(2) + QLatin1Char('/') + unmarked + QStringLiteral(".part")));
    QVERIFY(QFile::exists(dir + QStringLiteral("notes.txt")));
    auto bob = connectAs(m_bob);
    QVERIFY(bob);
    QCOMPARE(download(*bob, kept, file.size()), file);
}

QTEST_GUILESS_MAIN(tst_ServerAttachments)
#include "tst_serverattachments.moc"
