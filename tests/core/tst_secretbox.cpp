// SPDX-License-Identifier: GPL-3.0-or-later
// Encryption at rest: SecretBox round trips and tamper detection; Keystore key files;
// sealed files (attachments): round trips, random access, resuming a torn download, and
// every way a file can be damaged or swapped failing cleanly.
#include "failonwarning.h"
#include "keystore.h"
#include "sealedfile.h"
#include "secretbox.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <variant>

using namespace cpm;

namespace {
constexpr qsizetype Record = SealedFileWriter::DefaultRecordSize;
constexpr qsizetype Stride = Record + SealedFileWriter::RecordOverhead;
const QByteArray FileId = "9f86d081884c7d659a2feaa0c55ad015";

// Seeded, so a failure repeats.
QByteArray pseudoRandom(qsizetype size, quint32 seed = 1)
{
    QByteArray out(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char& c : out) {
        c = static_cast<char>(generator.bounded(256));
    }
    return out;
}

// Writes \a plain in pieces of random sizes (up to two records) and finishes.
bool writeSealed(const QString& path, const SecretBox& box, const QByteArray& plain,
    qsizetype recordSize = Record, QByteArrayView fileId = FileId)
{
    auto writer = SealedFileWriter::create(path, box, fileId, recordSize);
    if (!writer) {
        qWarning() << writer.error().message;
        return false;
    }
    QRandomGenerator generator(7);
    for (qsizetype at = 0; at < plain.size();) {
        const qsizetype piece = std::min<qsizetype>(
            plain.size() - at, generator.bounded(static_cast<int>(2 * recordSize)) + 1);
        if (!(*writer)->write(QByteArrayView(plain).sliced(at, piece))) {
            return false;
        }
        at += piece;
    }
    return (*writer)->size() == plain.size() && (*writer)->finish().ok();
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void setFileBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

// The whole plaintext of the sealed file at \a path, or the error's code.
std::variant<QByteArray, ErrorCode> readSealed(
    const QString& path, const SecretBox& box, QByteArrayView fileId = FileId)
{
    auto reader = SealedFileReader::open(path, box, fileId);
    if (!reader) {
        return reader.error().code;
    }
    auto all = (*reader)->read(0, (*reader)->size());
    if (!all) {
        return all.error().code;
    }
    return *all;
}
} // namespace

class TestSecretBox final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { cpm::test::failOnWarnings(); }
    void testRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("plain");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("ascii") << QByteArray("Look at these!");
        QTest::newRow("utf8") << QStringLiteral("Grüße, 你好 🙂").toUtf8();
        QTest::newRow("max-body") << QByteArray(64 * 1024, 'x');
    }
    void testRoundTrip()
    {
        QFETCH(QByteArray, plain);
        SecretBox box(SecretKey::generate());
        const QByteArray sealed = box.seal(plain, "body");
        QCOMPARE(sealed.size(), plain.size() + SecretBox::Overhead);
        if (!plain.isEmpty()) {
            QVERIFY(!sealed.contains(plain));
        }
        const auto opened = box.open(sealed, "body");
        QVERIFY(opened.has_value());
        QCOMPARE(*opened, plain);
    }

    void testFreshNoncePerValue()
    {
        SecretBox box(SecretKey::generate());
        QVERIFY(box.seal("same", "body") != box.seal("same", "body"));
    }

    void testTamperDetected_data()
    {
        QTest::addColumn<int>("position"); // byte to flip; -1: truncate
        QTest::newRow("nonce") << 3;
        QTest::newRow("ciphertext") << 30;
        QTest::newRow("tag") << 24 + 5 + 10;
        QTest::newRow("truncated") << -1;
    }
    void testTamperDetected()
    {
        QFETCH(int, position);
        SecretBox box(SecretKey::generate());
        QByteArray sealed = box.seal("hello", "body");
        if (position < 0) {
            sealed.chop(1);
        } else {
            sealed[position] = char(sealed.at(position) ^ 0x01);
        }
        QVERIFY(!box.open(sealed, "body").has_value());
    }

    void testWrongContextOrKeyRejected()
    {
        SecretBox box(SecretKey::generate());
        SecretBox other(SecretKey::generate());
        const QByteArray sealed = box.seal("hello", "body");
        QVERIFY(!box.open(sealed, "subject").has_value());
        QVERIFY(!other.open(sealed, "body").has_value());
    }

    void testFileKeys()
    {
        SecretBox box(SecretKey::generate());
        const SecretKey a = box.deriveFileKey("a");
        const SecretKey again = box.deriveFileKey("a");
        const SecretKey b = box.deriveFileKey("b");
        const SecretKey other = SecretBox(SecretKey::generate()).deriveFileKey("a");
        const auto bytesOf = [](const SecretKey& key) {
            return QByteArray(reinterpret_cast<const char*>(key.data()), SecretKey::Size);
        };
        QCOMPARE(bytesOf(a), bytesOf(again));
        QVERIFY(bytesOf(a) != bytesOf(b));
        QVERIFY(bytesOf(a) != bytesOf(other));
        QVERIFY(SecretBox(SecretKey()).deriveFileKey("a").isNull());
    }

    void testSealedRoundTrip_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::newRow("empty") << qsizetype(0);
        QTest::newRow("one") << qsizetype(1);
        QTest::newRow("record-1") << Record - 1;
        QTest::newRow("record") << Record;
        QTest::newRow("record+1") << Record + 1;
        QTest::newRow("3MiB+") << 48 * Record + 12345;
    }
    void testSealedRoundTrip()
    {
        QFETCH(qsizetype, size);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(size);
        QVERIFY(writeSealed(path, box, plain));

        // Whole records, then a final one of the rest (empty after an exact multiple).
        const QByteArray sealed = fileBytes(path);
        QCOMPARE(sealed.size(),
            SealedFileWriter::HeaderSize + (size / Record) * Stride + size % Record
                + SealedFileWriter::RecordOverhead);
        QCOMPARE(
            QFile::permissions(path) & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
        if (size >= 16) {
            QVERIFY(!sealed.contains(plain.first(16)));
            QVERIFY(!sealed.contains(plain.last(16)));
        }

        auto reader = SealedFileReader::open(path, box, FileId);
        QVERIFY2(reader.ok(), qPrintable(reader.error().message));
        QCOMPARE((*reader)->size(), size);
        QCOMPARE((*reader)->read(0, size + 10).valueOr("failed"), plain);
        QCOMPARE((*reader)->read(size, 10).valueOr("failed"), QByteArray());
        QCOMPARE((*reader)->read(size / 2, std::numeric_limits<qint64>::max()).valueOr("failed"),
            plain.sliced(size / 2));
        QCOMPARE((*reader)->read(size + 10, 10).valueOr("failed"), QByteArray());
        QRandomGenerator generator(3);
        for (int i = 0; i < 40 && size > 0; ++i) {
            const auto offset = static_cast<qint64>(generator.bounded(static_cast<quint64>(size)));
            const auto length = static_cast<qint64>(generator.bounded(3 * Record));
            QCOMPARE((*reader)->read(offset, length).valueOr("failed"), plain.mid(offset, length));
        }
    }

    void testSealedPieces()
    {
        // One byte at a time and one big piece seal alike.
        QTemporaryDir dir;
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(3 * 100 + 17);
        auto writer = SealedFileWriter::create(dir.filePath(QStringLiteral("a")), box, FileId, 100);
        QVERIFY(writer.ok());
        for (const char c : plain) {
            QVERIFY((*writer)->write(QByteArrayView(&c, 1)).ok());
        }
        QCOMPARE((*writer)->sealedSize(), 300);
        QCOMPARE((*writer)->size(), plain.size());
        QVERIFY((*writer)->finish().ok());
        QVERIFY((*writer)->isFinished());
        QCOMPARE(std::get<QByteArray>(readSealed(dir.filePath(QStringLiteral("a")), box)), plain);
    }

    void testSealedResumeAfterTornWrite()
    {
        // A finished file cut where a crash may leave it (every place that matters in a
        // record: its start, in the nonce, ciphertext and tag, its last byte) resumes after the
        // last whole record left, and appending the rest gives the file. Small records keep
        // this quick: every resume and finish syncs.
        constexpr qsizetype Small = 64;
        constexpr qsizetype SmallStride = Small + SealedFileWriter::RecordOverhead;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(4 * Small + 20);
        QVERIFY(writeSealed(path, box, plain, Small));
        const QByteArray whole = fileBytes(path);
        QList<qsizetype> cuts;
        for (qsizetype start = SealedFileWriter::HeaderSize; start < whole.size();
             start += SmallStride) {
            for (const qsizetype within : { 0, 1, 23, 24, 25, 50, 88, 103 }) {
                if (start + within < whole.size()) {
                    cuts.append(start + within);
                }
            }
        }
        cuts.append(whole.size() - 1);
        for (const qsizetype cut : std::as_const(cuts)) {
            setFileBytes(path, whole.first(cut));
            auto writer = SealedFileWriter::resume(path, box, FileId);
            QVERIFY2(writer.ok(), qPrintable(writer.error().message));
            const qint64 held = (cut - SealedFileWriter::HeaderSize) / SmallStride * Small;
            QCOMPARE((*writer)->size(), held);
            QCOMPARE(
                QFileInfo(path).size(), SealedFileWriter::HeaderSize + held / Small * SmallStride);
            QVERIFY((*writer)->write(QByteArrayView(plain).sliced(held)).ok());
            QVERIFY((*writer)->finish().ok());
            QCOMPARE(std::get<QByteArray>(readSealed(path, box)), plain);
        }
    }

    void testSealedResumeAfterDroppedWriter()
    {
        // A download that stops (the writer goes without finish()) continues from the last
        // whole record; the buffered rest is asked for again.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(3 * Record + 500);
        {
            auto writer = SealedFileWriter::create(path, box, FileId);
            QVERIFY(writer.ok());
            QVERIFY((*writer)->write(plain.first(2 * Record + 300)).ok());
            QVERIFY((*writer)->sync().ok());
            QCOMPARE((*writer)->sealedSize(), 2 * Record);
        }
        // Unfinished: no reader takes it.
        QCOMPARE(std::get<ErrorCode>(readSealed(path, box)), ErrorCode::StoreCorrupt);
        // Blocks a power loss left unwritten read as zeros: damage at the tail, cut too.
        QFile file(path);
        QVERIFY(file.open(QIODevice::Append));
        QVERIFY(file.write(QByteArray(Stride + 100, '\0')) == Stride + 100);
        file.close();

        auto writer = SealedFileWriter::resume(path, box, FileId);
        QVERIFY2(writer.ok(), qPrintable(writer.error().message));
        QCOMPARE((*writer)->size(), 2 * Record);
        QVERIFY((*writer)->write(QByteArrayView(plain).sliced((*writer)->size())).ok());
        QVERIFY((*writer)->finish().ok());
        QCOMPARE(std::get<QByteArray>(readSealed(path, box)), plain);

        // A finished file is not for appending.
        QCOMPARE(SealedFileWriter::resume(path, box, FileId).error().code, ErrorCode::Conflict);
        QCOMPARE(SealedFileWriter::resume(dir.filePath(QStringLiteral("none")), box, FileId)
                     .error()
                     .code,
            ErrorCode::NotFound);
        QCOMPARE(
            SealedFileReader::open(dir.filePath(QStringLiteral("none")), box, FileId).error().code,
            ErrorCode::NotFound);
    }

    void testSealedResumeRefusesForeignFile()
    {
        // Under the wrong key, for another id, or with a torn header, nothing is cut: the
        // file may be good for its owner.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        {
            auto writer = SealedFileWriter::create(path, box, FileId);
            QVERIFY(writer.ok());
            QVERIFY((*writer)->write(pseudoRandom(2 * Record + 5)).ok());
        }
        const QByteArray before = fileBytes(path);
        SecretBox other(SecretKey::generate());
        QCOMPARE(
            SealedFileWriter::resume(path, other, FileId).error().code, ErrorCode::StoreCorrupt);
        QCOMPARE(
            SealedFileWriter::resume(path, box, "another").error().code, ErrorCode::StoreCorrupt);
        QCOMPARE(fileBytes(path), before);
        setFileBytes(path, before.first(SealedFileWriter::HeaderSize - 1));
        QCOMPARE(SealedFileWriter::resume(path, box, FileId).error().code, ErrorCode::StoreCorrupt);
    }

    void testSealedTamperDetected_data()
    {
        QTest::addColumn<qsizetype>("position"); // of the byte flipped
        QTest::addColumn<bool>("opens"); // open() still succeeds: reading that record fails
        constexpr qsizetype H = SealedFileWriter::HeaderSize;
        QTest::newRow("magic") << qsizetype(2) << false;
        QTest::newRow("record-size") << qsizetype(9) << false;
        QTest::newRow("reserved") << qsizetype(13) << false;
        QTest::newRow("salt") << qsizetype(20) << false;
        QTest::newRow("mac") << qsizetype(40) << false;
        QTest::newRow("first-nonce") << H + 3 << true;
        QTest::newRow("first-ciphertext") << H + 24 + 1000 << true;
        QTest::newRow("second-tag") << H + 2 * Stride - 1 << true;
        QTest::newRow("final-ciphertext") << H + 2 * Stride + 30 << false;
        QTest::newRow("final-tag") << H + 2 * Stride + 24 + 100 + 5 << false;
    }
    void testSealedTamperDetected()
    {
        QFETCH(qsizetype, position);
        QFETCH(bool, opens);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(2 * Record + 100);
        QVERIFY(writeSealed(path, box, plain));
        QByteArray sealed = fileBytes(path);
        sealed[position] = static_cast<char>(sealed.at(position) ^ 0x01);
        setFileBytes(path, sealed);

        auto reader = SealedFileReader::open(path, box, FileId);
        QCOMPARE(reader.ok(), opens);
        if (!opens) {
            QCOMPARE(reader.error().code, ErrorCode::StoreCorrupt);
            return;
        }
        const qint64 damaged = (position - SealedFileWriter::HeaderSize) / Stride;
        auto read = (*reader)->read(damaged * Record + 10, 1);
        QVERIFY(!read.ok());
        QCOMPARE(read.error().code, ErrorCode::StoreCorrupt);
        QVERIFY(!(*reader)->read(0, plain.size()).ok());
        // The other records still read.
        const qint64 intact = damaged == 0 ? 1 : 0;
        QCOMPARE((*reader)->read(intact * Record, Record).valueOr("failed"),
            plain.mid(intact * Record, Record));
    }

    void testSealedTruncationDetected_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<qsizetype>("cut"); // bytes cut off the end
        QTest::newRow("one-byte") << 2 * Record + 100 << qsizetype(1);
        QTest::newRow("final-record") << 2 * Record + 100 << 100 + SealedFileWriter::RecordOverhead;
        QTest::newRow("into-whole-record") << 2 * Record + 100 << 100 + Stride - 7;
        QTest::newRow("empty-final-record") << 2 * Record << SealedFileWriter::RecordOverhead;
        QTest::newRow("everything-but-header")
            << 2 * Record << 2 * Stride + SealedFileWriter::RecordOverhead;
        QTest::newRow("empty-file-final") << qsizetype(0) << SealedFileWriter::RecordOverhead;
    }
    void testSealedTruncationDetected()
    {
        QFETCH(qsizetype, size);
        QFETCH(qsizetype, cut);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        QVERIFY(writeSealed(path, box, pseudoRandom(size)));
        setFileBytes(path, fileBytes(path).chopped(cut));
        QCOMPARE(std::get<ErrorCode>(readSealed(path, box)), ErrorCode::StoreCorrupt);
    }

    void testSealedWrongKeyOrFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        QVERIFY(writeSealed(path, box, pseudoRandom(Record + 1)));
        QCOMPARE(std::get<ErrorCode>(readSealed(path, SecretBox(SecretKey::generate()))),
            ErrorCode::StoreCorrupt);
        QCOMPARE(std::get<ErrorCode>(readSealed(path, box, "another")), ErrorCode::StoreCorrupt);
        QCOMPARE(SealedFileReader::open(path, SecretBox(SecretKey()), FileId).error().code,
            ErrorCode::StoreFailed);
    }

    void testSealedRecordsMovedOrSwapped()
    {
        constexpr qsizetype H = SealedFileWriter::HeaderSize;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        const QString otherPath = dir.filePath(QStringLiteral("b.sealed"));
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(3 * Record + 10, 1);
        QVERIFY(writeSealed(path, box, plain));
        const QByteArray sealed = fileBytes(path);
        const auto record
            = [&](const QByteArray& file, int i) { return file.mid(H + i * Stride, Stride); };
        const auto readsBack = [&](const QByteArray& bytes) {
            setFileBytes(path, bytes);
            const auto read = readSealed(path, box);
            return std::holds_alternative<QByteArray>(read) && std::get<QByteArray>(read) == plain;
        };
        QVERIFY(readsBack(sealed));

        // Two records swapped; one record twice.
        QVERIFY(!readsBack(sealed.first(H) + record(sealed, 1) + record(sealed, 0)
            + sealed.sliced(H + 2 * Stride)));
        QVERIFY(!readsBack(sealed.first(H) + record(sealed, 0) + record(sealed, 0)
            + sealed.sliced(H + 2 * Stride)));

        // A record of another file of the same box, at the same place.
        QVERIFY(writeSealed(otherPath, box, pseudoRandom(3 * Record + 10, 2), Record, "other"));
        const QByteArray other = fileBytes(otherPath);
        QVERIFY(!readsBack(
            sealed.first(H + Stride) + record(other, 1) + sealed.sliced(H + 2 * Stride)));
        // ... and its header: the MAC is for the other id.
        QVERIFY(!readsBack(other.first(H) + sealed.sliced(H)));

        // A record of an earlier copy of this very file (written again: a new salt).
        QVERIFY(writeSealed(otherPath, box, plain));
        const QByteArray earlier = fileBytes(otherPath);
        QVERIFY(!readsBack(
            sealed.first(H + Stride) + record(earlier, 1) + sealed.sliced(H + 2 * Stride)));
        QVERIFY(readsBack(sealed));
    }

    void testSealedDevice()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sealed"));
        SecretBox box(SecretKey::generate());
        const QByteArray plain = pseudoRandom(2 * Record + 333);
        QVERIFY(writeSealed(path, box, plain));
        auto reader = SealedFileReader::open(path, box, FileId);
        QVERIFY(reader.ok());
        SealedFileDevice device(std::move(*reader));
        QVERIFY(!device.open(QIODevice::ReadWrite));
        QVERIFY(device.open(QIODevice::ReadOnly));
        QVERIFY(!device.isSequential());
        QCOMPARE(device.size(), plain.size());
        QCOMPARE(device.read(10), plain.first(10));
        QVERIFY(device.seek(Record - 5));
        QCOMPARE(device.read(10), plain.mid(Record - 5, 10));
        QCOMPARE(device.peek(4), plain.mid(Record + 5, 4));
        QCOMPARE(device.pos(), Record + 5);
        QVERIFY(device.seek(0));
        QCOMPARE(device.readAll(), plain);
        QVERIFY(device.atEnd());

        // A damaged record: the read fails, it does not answer garbage.
        QByteArray sealed = fileBytes(path);
        sealed[SealedFileWriter::HeaderSize + Stride + 50] ^= 0x04;
        setFileBytes(path, sealed);
        auto damaged = SealedFileReader::open(path, box, FileId);
        QVERIFY(damaged.ok());
        SealedFileDevice broken(std::move(*damaged));
        QVERIFY(broken.open(QIODevice::ReadOnly));
        QCOMPARE(broken.read(Record).size(), Record);
        char buffer[16];
        QCOMPARE(broken.read(buffer, sizeof buffer), -1);
        QCOMPARE(broken.lastError().code, ErrorCode::StoreCorrupt);
        QVERIFY(!broken.errorString().isEmpty());
    }

    void testKeyFileIsPrivateAndStable()
    {
        qputenv("CPM_KEYSTORE", "file");
        QTemporaryDir dir;
        QByteArray sealed;
        {
            Keystore store(dir.path(), QStringLiteral("t"));
            QString error;
            SecretKey key = store.load(Keystore::Kind::None, &error);
            QVERIFY2(!key.isNull(), qPrintable(error));
            QCOMPARE(store.kind(), Keystore::Kind::KeyFile);
            QCOMPARE(Keystore::kindName(store.kind()), QStringLiteral("key file"));
            sealed = SecretBox(std::move(key)).seal("kept", "t");
        }
        const QFile::Permissions perms
            = QFile::permissions(dir.filePath(QStringLiteral("profile.key")));
        QCOMPARE(
            perms & ~(QFile::ReadUser | QFile::WriteUser), QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(QFileInfo(dir.filePath(QStringLiteral("profile.key"))).size(), SecretKey::Size);

        Keystore again(dir.path(), QStringLiteral("t"));
        QString error;
        SecretBox box(again.load(Keystore::Kind::KeyFile, &error));
        QCOMPARE(box.open(sealed, "t").value_or(QByteArray()), QByteArray("kept"));
    }

    void testRenewMakesOldValuesUnreadable()
    {
        qputenv("CPM_KEYSTORE", "file");
        QTemporaryDir dir;
        Keystore store(dir.path(), QStringLiteral("t"));
        QString error;
        const QByteArray sealed
            = SecretBox(store.load(Keystore::Kind::None, &error)).seal("old", "t");
        SecretBox renewed(store.renew(&error));
        QVERIFY(!renewed.open(sealed, "t").has_value());
        QCOMPARE(QFile::permissions(dir.filePath(QStringLiteral("profile.key"))) & QFile::ReadOther,
            QFile::Permissions());
    }
};

QTEST_GUILESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
