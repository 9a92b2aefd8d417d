// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Attachments kept in the profile, encrypted at rest like message bodies: a file of
// independently sealed records, so that a download can be written as it arrives (and resumed
// after a crash), and a viewer can read any range without decrypting the whole file.
//
// Format (all integers little-endian):
//   header  "CPMSEAL" 0x01 | record size u32 | reserved u32 = 0 | salt (16 random bytes)
//           | MAC (16)                                                       = 48 bytes
//   records nonce (24 random bytes) | ciphertext | tag (16), each record's plaintext
//           exactly `record size` bytes except the last, the final record (0 … record size)
//
// Keys: SecretBox::deriveFileKey(fileId) gives the file's key, and keyed BLAKE2b of the
// header's first 32 bytes (so of the salt) under it gives two keys of this copy of the file:
// one for XChaCha20-Poly1305 of the records, one for the header's MAC. A file written again
// from scratch gets a new salt, so new keys; records of another file, or of an earlier copy
// of this one, never open here. The MAC tells "the wrong key, or not this file" (never cut)
// from a torn tail (cut when resuming).
// Each record's additional data is the header, its index (u64) and a final flag (u8): a
// record moved, dropped or duplicated fails, and so does a file cut at a record boundary
// (the last record left is not marked final). Nonces are random per record (24 bytes make
// that safe): a torn record written again after a crash never reuses a nonce.

#include "error.h"
#include "result.h"
#include "secretbox.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QString>

#include <memory>
#include <vector>

class QFile;

namespace cpm {

namespace sealedfile {
struct Keys;
}

/*!
 * Writes a sealed file: plaintext goes in by write() in pieces of any size; each whole
 * record is sealed and appended as soon as it is full, so at most one record of plaintext is
 * held (zeroed when the writer goes). finish() seals the rest as the final record and syncs.
 *
 * A writer dropped without finish() leaves a file that resume() continues: its whole records
 * stay, the plaintext buffered past them is lost (resume() says where to continue from).
 * After a failed call the writer is broken (every call answers that error): drop it and
 * resume().
 *
 * Durability: finish() and sync() flush to the disk (fsync). A crashed process loses
 * nothing written, but a power loss may lose records written since the last sync(), even
 * ones before records that survived; resume() cuts a damaged tail, and a reader fails
 * cleanly (StoreCorrupt) on a damaged record elsewhere. A downloader should sync() before
 * it counts bytes as stored.
 */
class SealedFileWriter final {
public:
    //! Plaintext bytes per record unless create() is told otherwise.
    static constexpr qsizetype DefaultRecordSize = 64 * 1024;
    static constexpr qsizetype MaxRecordSize = 16 * 1024 * 1024;
    //! Bytes of the header, and bytes a record adds to its plaintext.
    static constexpr qsizetype HeaderSize = 48;
    static constexpr qsizetype RecordOverhead = 24 + 16;

    /*!
     * Creates \a path (replacing a file there) as an empty, unfinished sealed file of
     * \a fileId under \a box's key, readable by this user only. StoreFailed (or DiskFull)
     * when it cannot be written; StoreFailed for a box without a key.
     */
    static Result<std::unique_ptr<SealedFileWriter>> create(const QString& path,
        const SecretBox& box, QByteArrayView fileId, qsizetype recordSize = DefaultRecordSize);

    /*!
     * Reopens the unfinished sealed file at \a path to append to it. A torn tail (a record
     * cut or garbled by a crash) is cut off; size() is then the plaintext bytes the file
     * holds, where a download continues. NotFound when there is no file; StoreCorrupt when
     * it is not a sealed file of \a fileId under this key (nothing is cut then); Conflict when
     * it is finished already.
     */
    static Result<std::unique_ptr<SealedFileWriter>> resume(
        const QString& path, const SecretBox& box, QByteArrayView fileId);

    ~SealedFileWriter();
    SealedFileWriter(const SealedFileWriter&) = delete;
    SealedFileWriter& operator=(const SealedFileWriter&) = delete;

    //! Appends \a plain.
    Result<void> write(QByteArrayView plain);
    //! Flushes the records written so far to the disk.
    Result<void> sync();
    //! Seals what is buffered as the final record, syncs and closes. Once only.
    Result<void> finish();

    //! Plaintext bytes taken: those sealed in the file and those buffered.
    qint64 size() const { return m_sealedSize + m_fill; }
    //! Plaintext bytes sealed in the file (what resume() would find after a crash now).
    qint64 sealedSize() const { return m_sealedSize; }
    bool isFinished() const { return m_finished; }
    QString path() const { return m_path; }

private:
    SealedFileWriter(QString path, std::unique_ptr<QFile> file,
        std::unique_ptr<sealedfile::Keys> keys, qint64 records);
    Result<void> sealRecord(bool final);
    Error fail(Error error);

    QString m_path;
    std::unique_ptr<QFile> m_file;
    std::unique_ptr<sealedfile::Keys> m_keys;
    std::vector<unsigned char> m_plain; //!< one record's plaintext, zeroed when done
    std::vector<unsigned char> m_sealed; //!< one record as written
    qsizetype m_fill = 0;
    qint64 m_records = 0;
    qint64 m_sealedSize = 0;
    bool m_finished = false;
    Error m_error; //!< set once a call failed: the writer is broken
};

/*!
 * Reads a finished sealed file at any offset. Every record read is authenticated; a file
 * that was tampered with, cut, unfinished, for another id or key, or with records moved
 * gives StoreCorrupt (open() checks the header and the final record, read() the records it
 * reads), never wrong plaintext. Holds the last record it decrypted (zeroed when it goes),
 * so reading on in small pieces decrypts each record once. One thread at a time.
 */
class SealedFileReader final {
public:
    /*!
     * Opens the finished sealed file at \a path of \a fileId under \a box's key. NotFound when
     * there is no file, StoreFailed when it cannot be read, StoreCorrupt as above.
     */
    static Result<std::unique_ptr<SealedFileReader>> open(
        const QString& path, const SecretBox& box, QByteArrayView fileId);

    ~SealedFileReader();
    SealedFileReader(const SealedFileReader&) = delete;
    SealedFileReader& operator=(const SealedFileReader&) = delete;

    //! Plaintext bytes of the file.
    qint64 size() const { return m_size; }

    /*!
     * Reads [\a offset, \a offset + \a length) clipped to size() into \a to; answers the
     * bytes read (0 at or past the end). On error nothing in \a to is to be used.
     */
    Result<qint64> read(qint64 offset, char* to, qint64 length);
    //! The same into a new array.
    Result<QByteArray> read(qint64 offset, qint64 length);

private:
    SealedFileReader(std::unique_ptr<QFile> file, std::unique_ptr<sealedfile::Keys> keys,
        qint64 lastRecord, qsizetype finalSize);
    Result<void> load(qint64 record);

    std::unique_ptr<QFile> m_file;
    std::unique_ptr<sealedfile::Keys> m_keys;
    qint64 m_lastRecord = 0;
    qsizetype m_finalSize = 0;
    qint64 m_size = 0;
    std::vector<unsigned char> m_plain; //!< the record m_cached, zeroed when done
    std::vector<unsigned char> m_sealed;
    qint64 m_cached = -1;
};

/*!
 * A read-only, random-access QIODevice over a SealedFileReader, for what takes a device:
 * QImageReader for thumbnails, a copy out for "Save as". Always unbuffered, so no plaintext
 * stays in QIODevice's own buffer. A failed read answers -1 with errorString() set.
 */
class SealedFileDevice final : public QIODevice {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SealedFileDevice)

public:
    explicit SealedFileDevice(std::unique_ptr<SealedFileReader> reader, QObject* parent = nullptr);
    ~SealedFileDevice() override;

    //! Opens for reading (Unbuffered is added); any write mode is refused.
    bool open(OpenMode mode) override;
    bool isSequential() const override { return false; }
    qint64 size() const override;
    //! The error of the last failed read (a null Error when none failed).
    const Error& lastError() const { return m_error; }

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 maxSize) override;

private:
    std::unique_ptr<SealedFileReader> m_reader;
    Error m_error;
};

} // namespace cpm
