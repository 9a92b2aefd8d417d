// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Where a guest's session lives on a visited machine (GST-4, GST-5): a private (0700)
// directory under one parent, held by this process through a lock file. The guest's
// database is kept in memory and its key only in locked memory (see Client's guest
// mode), so what a guest writes here (attachments and thumbnails, sealed with that key)
// is unreadable without the process. wipe() removes the directory; a directory whose
// process died (a crash, a power loss) is an orphan that removeOrphans() deletes.

#include "error.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <memory>

class QLockFile;

namespace cpm {

class GuestVault final {
public:
    static constexpr const char* LockFileName = "guest.lock";
    //! The environment variable that moves the parent (tests).
    static constexpr const char* ParentVariable = "CPM_GUEST_DIR";

    /*!
     * The one parent of every guest directory: $CPM_GUEST_DIR when set, else
     * $XDG_RUNTIME_DIR/cpm-guest (a per-user tmpfs on most desktops, emptied at log-out and
     * by a power loss), else <temp>/cpm-guest-<uid>.
     */
    static QString parentDir();

    //! Makes a fresh guest directory and takes its lock. ProfileUnusable when the parent
    //! cannot be made private to this user (it belongs to someone else, or is a link).
    static Result<std::unique_ptr<GuestVault>> create();

    /*!
     * Removes every guest directory under parentDir() whose process is gone; returns the
     * directories removed. Run before anything shows at the start of cpm-desktop and
     * cpm-cli (GST-5). A directory another running process holds is left alone.
     */
    static QStringList removeOrphans();

    ~GuestVault();
    GuestVault(const GuestVault&) = delete;
    GuestVault& operator=(const GuestVault&) = delete;

    //! The directory; empty once wiped.
    QString dir() const { return m_dir; }
    //! Removes the directory and everything in it, then lets go of the lock. Idempotent.
    void wipe();

private:
    GuestVault(QString dir, std::unique_ptr<QLockFile> lock);
    QString m_dir;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace cpm
