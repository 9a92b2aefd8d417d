// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Where a profile keeps its 32-byte key: the desktop keyring (QtKeychain) when there is
// one, else a key file `profile.key` (mode 0600) in the profile directory.
// CPM_KEYSTORE=file forces the key file (tests, CI, machines without a session bus).

#include "secretbox.h"

#include <QString>

namespace cpm {

class Keystore final {
public:
    enum class Kind { None, Keyring, KeyFile };

    //! How long to wait for a keyring that may never answer (no session bus).
    static constexpr int KeyringTimeoutMs = 3000;
    static constexpr const char* KeyFileName = "profile.key";

    //! The key of the profile in \a profileDir, known to the keyring as \a keyName.
    Keystore(const QString& profileDir, const QString& keyName);

    //! Loads the key, making one on first use. \a previous is where this profile kept
    //! its key so far (None for a new profile): a profile whose key is in the keyring
    //! never silently switches to a new key file, which would lose its data.
    SecretKey load(Kind previous, QString* error);
    //! Replaces the key by a fresh one in the same place (after a wipe, DEV-2).
    SecretKey renew(QString* error);

    Kind kind() const { return m_kind; }
    //! "keyring" or "key file", for the diagnostics view.
    static QString kindName(Kind kind);
    static Kind kindFromName(const QString& name);
    QString keyFilePath() const;

private:
    SecretKey readKeyFile(QString* error) const;
    bool writeKeyFile(const SecretKey& key, QString* error) const;
    enum class KeyringResult { Ok, NotFound, Unavailable };
    KeyringResult readKeyring(SecretKey* key) const;
    bool writeKeyring(const SecretKey& key) const;

    QString m_profileDir;
    QString m_keyName;
    Kind m_kind = Kind::None;
};

} // namespace cpm
