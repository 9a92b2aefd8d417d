// SPDX-License-Identifier: GPL-3.0-or-later
#include "sealedfile.h"

#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>
#include <QtEndian>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace cpm {

namespace sealedfile {

constexpr char Magic[8] = { 'C', 'P', 'M', 'S', 'E', 'A', 'L', '\x01' };
constexpr qsizetype SaltSize = 16;
constexpr qsizetype MacSize = 16;
// What the MAC and the keys cover: magic, record size, reserved, salt.
constexpr qsizetype PrefixSize = 8 + 4 + 4 + SaltSize;
constexpr qsizetype NonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr qsizetype TagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(PrefixSize + MacSize == SealedFileWriter::HeaderSize);
static_assert(NonceSize + TagSize == SealedFileWriter::RecordOverhead);
static_assert(SecretKey::Size == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(MacSize == crypto_verify_16_BYTES);

// The keys of one copy of a file, and what every record's additional data starts with.
struct Keys {
    QByteArray header; // HeaderSize bytes
    SecretKey aead;
    qsizetype recordSize = 0;

    qint64 stride() const { return recordSize + SealedFileWriter::RecordOverhead; }
    qint64 recordOffset(qint64 record) const
    {
        return SealedFileWriter::HeaderSize + record * stride();
    }
};

} // namespace sealedfile

using sealedfile::Keys;

namespace {

const unsigned char* bytes(const char* data)
{
    return reinterpret_cast<const unsigned char*>(data);
}

// The AEAD key of the copy of a file whose header starts with \a prefix, and that prefix's
// MAC: two keys from the file's key by keyed BLAKE2b of the prefix and a purpose byte, so the
// record key and the MAC key never coincide.
bool deriveKeys(const SecretKey& fileKey, QByteArrayView prefix, SecretKey* aead,
    std::array<unsigned char, sealedfile::MacSize>* mac)
{
    SecretKey macKey = SecretKey::allocate();
    *aead = SecretKey::allocate();
    if (fileKey.isNull() || macKey.isNull() || aead->isNull()) {
        return false;
    }
    const auto derive = [&](unsigned char purpose, unsigned char* out) {
        crypto_generichash_state state;
        crypto_generichash_init(&state, fileKey.data(), SecretKey::Size, SecretKey::Size);
        crypto_generichash_update(
            &state, bytes(prefix.data()), static_cast<unsigned long long>(prefix.size()));
        crypto_generichash_update(&state, &purpose, 1);
        crypto_generichash_final(&state, out, SecretKey::Size);
        sodium_memzero(&state, sizeof state);
    };
    derive(1, aead->data());
    derive(2, macKey.data());
    crypto_generichash(mac->data(), mac->size(), bytes(prefix.data()),
        static_cast<unsigned long long>(prefix.size()), macKey.data(), SecretKey::Size);
    return true;
}

// The additional data of a record: header, index, final flag.
using AdditionalData = std::array<unsigned char, SealedFileWriter::HeaderSize + 8 + 1>;
AdditionalData additionalData(const Keys& keys, qint64 record, bool final)
{
    AdditionalData ad {};
    std::memcpy(ad.data(), keys.header.constData(), SealedFileWriter::HeaderSize);
    qToLittleEndian<quint64>(
        static_cast<quint64>(record), ad.data() + SealedFileWriter::HeaderSize);
    ad.back() = final ? 1 : 0;
    return ad;
}

// Seals \a size bytes at \a plain as record \a record into \a out (size + RecordOverhead).
void encryptRecord(const Keys& keys, qint64 record, bool final, const unsigned char* plain,
    qsizetype size, unsigned char* out)
{
    const AdditionalData ad = additionalData(keys, record, final);
    randombytes_buf(out, sealedfile::NonceSize);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + sealedfile::NonceSize, nullptr, plain,
        static_cast<unsigned long long>(size), ad.data(), ad.size(), nullptr, out,
        keys.aead.data());
}

// Opens record \a record (\a sealedSize bytes at \a in) into \a plain; false when it does not
// authenticate as that record, final or not as said.
bool decryptRecord(const Keys& keys, qint64 record, bool final, const unsigned char* in,
    qsizetype sealedSize, unsigned char* plain)
{
    if (sealedSize < SealedFileWriter::RecordOverhead) {
        return false;
    }
    const AdditionalData ad = additionalData(keys, record, final);
    return crypto_aead_xchacha20poly1305_ietf_decrypt(plain, nullptr, nullptr,
               in + sealedfile::NonceSize,
               static_cast<unsigned long long>(sealedSize - sealedfile::NonceSize), ad.data(),
               ad.size(), in, keys.aead.data())
        == 0;
}

// A failed write or sync of \a file: DiskFull when the disk (or the user's quota) is full,
// StoreFailed otherwise. \a savedErrno is errno right after the failure; the free space is
// asked too, as Error::fromSqlite does, for a file system that says less.
Error writeError(const QFile& file, const QString& what, int savedErrno)
{
    // Less than two records left is a full disk for a file written by the record.
    constexpr qint64 NearlyFullBytes = 2 * (SealedFileWriter::DefaultRecordSize + 1024);
    bool full = savedErrno == ENOSPC || savedErrno == EDQUOT;
    if (!full) {
        const QStorageInfo storage(QFileInfo(file.fileName()).absolutePath());
        full = storage.isValid() && storage.bytesAvailable() < NearlyFullBytes;
    }
    return makeError(full ? ErrorCode::DiskFull : ErrorCode::StoreFailed,
        QStringLiteral("%1 %2: %3").arg(what, file.fileName(), file.errorString()));
}

Error corrupt(const QFile& file, const QString& what)
{
    return makeError(
        ErrorCode::StoreCorrupt, QStringLiteral("sealed file %1: %2").arg(file.fileName(), what));
}

// Reads \a size bytes at \a offset; false when the file ends before them.
Result<bool> readAt(QFile& file, qint64 offset, unsigned char* to, qint64 size)
{
    if (!file.seek(offset)) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot seek in %1: %2").arg(file.fileName(), file.errorString()));
    }
    qint64 done = 0;
    while (done < size) {
        const qint64 got = file.read(reinterpret_cast<char*>(to) + done, size - done);
        if (got < 0) {
            return makeError(ErrorCode::StoreFailed,
                QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
        }
        if (got == 0) {
            return false;
        }
        done += got;
    }
    return true;
}

Result<std::unique_ptr<QFile>> openFile(const QString& path, QIODevice::OpenMode mode)
{
    auto file = std::make_unique<QFile>(path);
    // Unbuffered: whole records are read and written anyway, and errno still says why a
    // write failed when QFile reports it.
    if (!(mode & QIODevice::Truncate)) {
        mode |= QIODevice::ExistingOnly; // resume and read never create
    }
    if (!file->open(mode | QIODevice::Unbuffered)) {
        if (!(mode & QIODevice::Truncate) && !file->exists()) {
            return makeError(ErrorCode::NotFound, QStringLiteral("no file %1").arg(path));
        }
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot open %1: %2").arg(path, file->errorString()));
    }
    return file;
}

// Reads and checks the header of \a file and derives its keys.
Result<std::unique_ptr<Keys>> readHeader(QFile& file, const SecretBox& box, QByteArrayView fileId)
{
    auto keys = std::make_unique<Keys>();
    keys->header.resize(SealedFileWriter::HeaderSize);
    const Result<bool> read = readAt(
        file, 0, reinterpret_cast<unsigned char*>(keys->header.data()), keys->header.size());
    if (!read) {
        return read.error();
    }
    const QByteArrayView header(keys->header);
    if (!*read || !header.startsWith(QByteArrayView(sealedfile::Magic, sizeof sealedfile::Magic))) {
        return corrupt(file, QStringLiteral("no header of this format"));
    }
    const auto recordSize = qFromLittleEndian<quint32>(header.data() + 8);
    const auto reserved = qFromLittleEndian<quint32>(header.data() + 12);
    if (recordSize < 1 || recordSize > SealedFileWriter::MaxRecordSize || reserved != 0) {
        return corrupt(file, QStringLiteral("a header of another kind"));
    }
    keys->recordSize = static_cast<qsizetype>(recordSize);
    std::array<unsigned char, sealedfile::MacSize> mac {};
    if (!deriveKeys(
            box.deriveFileKey(fileId), header.first(sealedfile::PrefixSize), &keys->aead, &mac)) {
        return makeError(ErrorCode::StoreFailed, QStringLiteral("no key for sealed files"));
    }
    if (crypto_verify_16(mac.data(), bytes(header.data() + sealedfile::PrefixSize)) != 0) {
        return corrupt(file, QStringLiteral("another file's, or under another key"));
    }
    return keys;
}

} // namespace

// --- SealedFileWriter ---

SealedFileWriter::SealedFileWriter(
    QString path, std::unique_ptr<QFile> file, std::unique_ptr<Keys> keys, qint64 records)
    : m_path(std::move(path))
    , m_file(std::move(file))
    , m_keys(std::move(keys))
    , m_plain(static_cast<size_t>(m_keys->recordSize))
    , m_sealed(static_cast<size_t>(m_keys->stride()))
    , m_records(records)
    , m_sealedSize(records * m_keys->recordSize)
{
}

SealedFileWriter::~SealedFileWriter() { sodium_memzero(m_plain.data(), m_plain.size()); }

Result<std::unique_ptr<SealedFileWriter>> SealedFileWriter::create(
    const QString& path, const SecretBox& box, QByteArrayView fileId, qsizetype recordSize)
{
    Q_ASSERT(recordSize >= 1 && recordSize <= MaxRecordSize);
    if (recordSize < 1 || recordSize > MaxRecordSize) {
        return makeError(ErrorCode::StoreFailed, QStringLiteral("a record size out of range"));
    }
    ensureSodium();
    QByteArray header(HeaderSize, '\0');
    std::memcpy(header.data(), sealedfile::Magic, sizeof sealedfile::Magic);
    qToLittleEndian<quint32>(static_cast<quint32>(recordSize), header.data() + 8);
    randombytes_buf(header.data() + 16, sealedfile::SaltSize);
    auto keys = std::make_unique<Keys>();
    keys->recordSize = recordSize;
    std::array<unsigned char, sealedfile::MacSize> mac {};
    if (!deriveKeys(box.deriveFileKey(fileId), QByteArrayView(header).first(sealedfile::PrefixSize),
            &keys->aead, &mac)) {
        return makeError(ErrorCode::StoreFailed, QStringLiteral("no key for sealed files"));
    }
    std::memcpy(header.data() + sealedfile::PrefixSize, mac.data(), mac.size());
    keys->header = header;

    Result<std::unique_ptr<QFile>> file
        = openFile(path, QIODevice::WriteOnly | QIODevice::Truncate);
    if (!file) {
        return file.error();
    }
    (*file)->setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    errno = 0;
    if ((*file)->write(header) != header.size()) {
        const Error error = writeError(**file, QStringLiteral("cannot write"), errno);
        (*file)->close();
        QFile::remove(path);
        return error;
    }
    return std::unique_ptr<SealedFileWriter>(
        new SealedFileWriter(path, std::move(*file), std::move(keys), 0));
}

Result<std::unique_ptr<SealedFileWriter>> SealedFileWriter::resume(
    const QString& path, const SecretBox& box, QByteArrayView fileId)
{
    ensureSodium();
    Result<std::unique_ptr<QFile>> opened = openFile(path, QIODevice::ReadWrite);
    if (!opened) {
        return opened.error();
    }
    QFile& file = **opened;
    Result<std::unique_ptr<Keys>> keys = readHeader(file, box, fileId);
    if (!keys) {
        return keys.error();
    }
    const Keys& k = **keys;
    const qint64 body = file.size() - HeaderSize;
    const qint64 whole = body / k.stride();
    const qint64 rest = body % k.stride();

    std::vector<unsigned char> plain(static_cast<size_t>(k.recordSize));
    std::vector<unsigned char> sealed(static_cast<size_t>(k.stride()));
    const auto authentic = [&](qint64 record, qsizetype sealedSize, bool final) -> Result<bool> {
        const Result<bool> read = readAt(file, k.recordOffset(record), sealed.data(), sealedSize);
        if (!read || !*read) {
            return read;
        }
        return decryptRecord(k, record, final, sealed.data(), sealedSize, plain.data());
    };
    // A finished file ends with a final record: a short one after the whole ones, or the
    // last whole one.
    const qint64 lastRecord = rest > 0 ? whole : whole - 1;
    const qsizetype lastSize = rest > 0 ? static_cast<qsizetype>(rest) : k.stride();
    if (lastRecord >= 0) {
        const Result<bool> finished = authentic(lastRecord, lastSize, true);
        if (!finished) {
            return finished.error();
        }
        if (*finished) {
            sodium_memzero(plain.data(), plain.size());
            return makeError(ErrorCode::Conflict,
                QStringLiteral("sealed file %1 is finished already").arg(path));
        }
    }
    // Whole records are kept back to the last one that authenticates: a crash tears only
    // the tail (a record half written, or blocks the file system had not written yet).
    // The header authenticated, so this is our file under our key: what fails is damage.
    qint64 keep = whole;
    while (keep > 0) {
        const Result<bool> ok = authentic(keep - 1, k.stride(), false);
        if (!ok) {
            return ok.error();
        }
        if (*ok) {
            break;
        }
        --keep;
    }
    sodium_memzero(plain.data(), plain.size());
    if (file.size() != k.recordOffset(keep)) {
        errno = 0;
        if (!file.resize(k.recordOffset(keep))) {
            return writeError(file, QStringLiteral("cannot cut the torn tail of"), errno);
        }
    }
    if (!file.seek(k.recordOffset(keep))) {
        return makeError(ErrorCode::StoreFailed,
            QStringLiteral("cannot seek in %1: %2").arg(path, file.errorString()));
    }
    return std::unique_ptr<SealedFileWriter>(
        new SealedFileWriter(path, std::move(*opened), std::move(*keys), keep));
}

Error SealedFileWriter::fail(Error error)
{
    m_error = error;
    sodium_memzero(m_plain.data(), m_plain.size());
    m_fill = 0;
    return error;
}

Result<void> SealedFileWriter::sealRecord(bool final)
{
    encryptRecord(*m_keys, m_records, final, m_plain.data(), m_fill, m_sealed.data());
    const qint64 size = m_fill + RecordOverhead;
    errno = 0;
    if (m_file->write(reinterpret_cast<const char*>(m_sealed.data()), size) != size) {
        return fail(writeError(*m_file, QStringLiteral("cannot write"), errno));
    }
    sodium_memzero(m_plain.data(), static_cast<size_t>(m_fill));
    ++m_records;
    m_sealedSize += m_fill;
    m_fill = 0;
    return {};
}

Result<void> SealedFileWriter::write(QByteArrayView plain)
{
    if (!m_error.isNull()) {
        return m_error;
    }
    Q_ASSERT(!m_finished);
    if (m_finished) {
        return makeError(
            ErrorCode::StoreFailed, QStringLiteral("sealed file %1 is finished").arg(m_path));
    }
    const auto recordSize = static_cast<qsizetype>(m_plain.size());
    while (!plain.isEmpty()) {
        const qsizetype take = std::min(recordSize - m_fill, plain.size());
        std::memcpy(m_plain.data() + m_fill, plain.data(), static_cast<size_t>(take));
        m_fill += take;
        plain = plain.sliced(take);
        if (m_fill == recordSize) {
            if (const Result<void> sealed = sealRecord(false); !sealed) {
                return sealed;
            }
        }
    }
    return {};
}

Result<void> SealedFileWriter::sync()
{
    if (!m_error.isNull()) {
        return m_error;
    }
    if (!m_file->isOpen()) {
        return {};
    }
    errno = 0;
    if (!m_file->flush() || ::fsync(m_file->handle()) != 0) {
        return fail(writeError(*m_file, QStringLiteral("cannot sync"), errno));
    }
    return {};
}

Result<void> SealedFileWriter::finish()
{
    if (!m_error.isNull()) {
        return m_error;
    }
    Q_ASSERT(!m_finished);
    if (m_finished) {
        return {};
    }
    if (const Result<void> sealed = sealRecord(true); !sealed) {
        return sealed;
    }
    if (const Result<void> synced = sync(); !synced) {
        return synced;
    }
    m_file->close();
    m_finished = true;
    return {};
}

// --- SealedFileReader ---

SealedFileReader::SealedFileReader(
    std::unique_ptr<QFile> file, std::unique_ptr<Keys> keys, qint64 lastRecord, qsizetype finalSize)
    : m_file(std::move(file))
    , m_keys(std::move(keys))
    , m_lastRecord(lastRecord)
    , m_finalSize(finalSize)
    , m_size(lastRecord * m_keys->recordSize + finalSize)
    , m_plain(static_cast<size_t>(m_keys->recordSize))
    , m_sealed(static_cast<size_t>(m_keys->stride()))
{
}

SealedFileReader::~SealedFileReader() { sodium_memzero(m_plain.data(), m_plain.size()); }

Result<std::unique_ptr<SealedFileReader>> SealedFileReader::open(
    const QString& path, const SecretBox& box, QByteArrayView fileId)
{
    ensureSodium();
    Result<std::unique_ptr<QFile>> file = openFile(path, QIODevice::ReadOnly);
    if (!file) {
        return file.error();
    }
    Result<std::unique_ptr<Keys>> keys = readHeader(**file, box, fileId);
    if (!keys) {
        return keys.error();
    }
    const qint64 body = (*file)->size() - SealedFileWriter::HeaderSize;
    const qint64 stride = (*keys)->stride();
    const qint64 rest = body % stride;
    if (rest > 0 && rest < SealedFileWriter::RecordOverhead) {
        return corrupt(**file, QStringLiteral("a torn record at the end"));
    }
    if (body < SealedFileWriter::RecordOverhead) {
        return corrupt(**file, QStringLiteral("unfinished, or cut"));
    }
    const qint64 lastRecord = rest > 0 ? body / stride : body / stride - 1;
    const auto finalSize
        = static_cast<qsizetype>((rest > 0 ? rest : stride) - SealedFileWriter::RecordOverhead);
    std::unique_ptr<SealedFileReader> reader(
        new SealedFileReader(std::move(*file), std::move(*keys), lastRecord, finalSize));
    // The final record opens as final only in a whole file of this id and key: checked
    // now, so that size() is true and an unfinished or cut file is refused here.
    if (const Result<void> loaded = reader->load(lastRecord); !loaded) {
        if (loaded.error().code == ErrorCode::StoreCorrupt) {
            return corrupt(*reader->m_file, QStringLiteral("unfinished, cut or damaged"));
        }
        return loaded.error();
    }
    return reader;
}

Result<void> SealedFileReader::load(qint64 record)
{
    if (record == m_cached) {
        return {};
    }
    m_cached = -1;
    const bool final = record == m_lastRecord;
    const qsizetype sealedSize
        = (final ? m_finalSize : m_keys->recordSize) + SealedFileWriter::RecordOverhead;
    const Result<bool> read
        = readAt(*m_file, m_keys->recordOffset(record), m_sealed.data(), sealedSize);
    if (!read) {
        return read.error();
    }
    if (!*read) {
        return corrupt(*m_file, QStringLiteral("cut while being read"));
    }
    if (!decryptRecord(*m_keys, record, final, m_sealed.data(), sealedSize, m_plain.data())) {
        sodium_memzero(m_plain.data(), m_plain.size());
        return corrupt(*m_file, QStringLiteral("record %1 does not authenticate").arg(record));
    }
    m_cached = record;
    return {};
}

Result<qint64> SealedFileReader::read(qint64 offset, char* to, qint64 length)
{
    Q_ASSERT(offset >= 0 && length >= 0);
    if (offset < 0 || length < 0) {
        return makeError(ErrorCode::StoreFailed, QStringLiteral("a negative range"));
    }
    // Compared as a difference, so that a length up to the largest qint64 cannot overflow.
    const qint64 end
        = offset >= m_size ? offset : (length > m_size - offset ? m_size : offset + length);
    const qint64 recordSize = m_keys->recordSize;
    qint64 at = offset;
    while (at < end) {
        const qint64 record = at / recordSize;
        if (const Result<void> loaded = load(record); !loaded) {
            return loaded.error();
        }
        const qint64 within = at - record * recordSize;
        const qint64 take = std::min(recordSize - within, end - at);
        std::memcpy(to + (at - offset), m_plain.data() + within, static_cast<size_t>(take));
        at += take;
    }
    return end - offset;
}

Result<QByteArray> SealedFileReader::read(qint64 offset, qint64 length)
{
    const qint64 available = offset < m_size ? std::min(length, m_size - offset) : 0;
    QByteArray out(std::max<qint64>(available, 0), Qt::Uninitialized);
    const Result<qint64> read = this->read(offset, out.data(), out.size());
    if (!read) {
        sodium_memzero(out.data(), static_cast<size_t>(out.size()));
        return read.error();
    }
    return out;
}

// --- SealedFileDevice ---

SealedFileDevice::SealedFileDevice(std::unique_ptr<SealedFileReader> reader, QObject* parent)
    : QIODevice(parent)
    , m_reader(std::move(reader))
{
}

SealedFileDevice::~SealedFileDevice() = default;

bool SealedFileDevice::open(OpenMode mode)
{
    if (!m_reader || (mode & (WriteOnly | Append | Truncate)) || !(mode & ReadOnly)) {
        setErrorString(QStringLiteral("a sealed file opens for reading only"));
        return false;
    }
    return QIODevice::open(mode | Unbuffered);
}

qint64 SealedFileDevice::size() const { return m_reader ? m_reader->size() : 0; }

qint64 SealedFileDevice::readData(char* data, qint64 maxSize)
{
    const Result<qint64> read = m_reader->read(pos(), data, maxSize);
    if (!read) {
        m_error = read.error();
        setErrorString(m_error.message);
        return -1;
    }
    return *read;
}

qint64 SealedFileDevice::writeData(const char*, qint64) { return -1; }

} // namespace cpm
