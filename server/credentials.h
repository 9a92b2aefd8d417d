// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Passwords and device tokens, all through libsodium. Password hashing is deliberately
// slow (Argon2id): call hashPassword()/verifyPassword() off the network thread.

#include <QByteArray>
#include <QString>

namespace cpm::server::credentials {

//! Initialises libsodium; false when it cannot (then nothing here is safe to use).
bool init();
//! CPM_TEST_FAST_PASSWORD_HASH=1 was set at init(): new hashes use Argon2id's minimum cost.
bool fastHashForTests();

//! The Argon2id hash of \a password in crypto_pwhash_str() form; empty on failure.
QByteArray hashPassword(const QByteArray& password);

/*!
 * True when \a password matches \a hash. With an empty \a hash (no such user) it checks
 * against a fixed dummy hash and returns false, so an unknown address costs as much time
 * as a wrong password and the timing does not tell which addresses exist.
 */
bool verifyPassword(const QByteArray& hash, const QByteArray& password);

//! A new device token: 32 random bytes as base64url without padding (43 characters).
QString newToken();

//! What is stored of a token: its BLAKE2b-256 hash; empty when \a token is malformed.
QByteArray tokenHash(const QString& token);

//! Compares \a token with a stored hash in constant time.
bool tokenMatches(const QByteArray& storedHash, const QString& token);

} // namespace cpm::server::credentials
