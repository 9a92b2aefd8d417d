// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// This device's copies of attachments and their thumbnails (MSG-1): sealed files
// (SealedFileWriter, under the profile key) in the profile's attachments/ directory, or in
// a guest's vault, recorded in the local store. A bounded cache: past its limit the least
// recently used complete copies go (they can be fetched again); thumbnails stay while
// their attachment is known, being small and made once.

#include "localstore.h"
#include "result.h"

#include <QIODevice>
#include <QString>

#include <memory>

namespace cpm {

class SecretBox;
class SealedFileWriter;

class AttachmentCache final {
public:
    //! 512 MiB of attachment copies, unless the device setting says otherwise.
    static constexpr qint64 DefaultLimitBytes = 512LL * 1024 * 1024;

    AttachmentCache(LocalStore* store, const SecretBox* box, QString directory);
    Q_DISABLE_COPY_MOVE(AttachmentCache)

    QString directory() const { return m_dir; }
    void setLimit(qint64 bytes) { m_limit = bytes; }
    qint64 limit() const { return m_limit; }

    //! Whether the whole attachment \a id is here.
    bool hasContent(const QString& id) const;
    /*!
     * A writer for the content of \a id, from its first byte (a partial copy left by an
     * earlier run is replaced: within a run, Transfers keeps its place across dropped
     * connections; across runs a copy is fetched again).
     */
    Result<std::unique_ptr<SealedFileWriter>> contentWriter(const QString& id);
    //! The writer's file is finished: recorded as complete, then the cache is trimmed.
    Result<void> contentComplete(const QString& id, qint64 bytes);
    //! The content of \a id for reading (a seekable device), marked used now.
    Result<std::unique_ptr<QIODevice>> openContent(const QString& id);
    //! Writes the content of \a id, decrypted, to \a path (Save as).
    Result<void> exportContent(const QString& id, const QString& path);

    Result<void> storeThumbnail(const QString& id, const QByteArray& encoded);
    //! The stored thumbnail (as encoded by whoever made it); empty when there is none.
    Result<QByteArray> thumbnail(const QString& id);

    //! Drops both copies of \a id.
    Result<void> remove(const QString& id);
    //! Bytes of complete content copies held.
    Result<qint64> usedBytes() const;
    //! Removes the least recently used complete contents until within the limit.
    Result<void> trim();

private:
    QString pathOf(const QString& id, LocalFile::Kind kind) const;
    static QByteArray fileIdOf(const QString& id, LocalFile::Kind kind);

    LocalStore* m_store;
    const SecretBox* m_box;
    QString m_dir;
    qint64 m_limit = DefaultLimitBytes;
};

} // namespace cpm
