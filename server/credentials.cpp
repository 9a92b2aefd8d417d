// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials.h"

#include <sodium.h>

namespace cpm::server::credentials {

namespace {
constexpr int TokenBytes = 32;

// Argon2id's cost for new hashes: libsodium's "interactive" limits (64 MiB, ~0.2 s here),
// or its minimum under CPM_TEST_FAST_PASSWORD_HASH=1, which the test suite sets (its
// servers hash and check ~570 passwords a run: two minutes of CPU otherwise). Read once,
// by init(). A hash says its own limits, so checking one works whatever made it.
bool g_fastHash = false;

QByteArray hashWithSodium(const QByteArray& password)
{
    QByteArray out(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str(out.data(), password.constData(),
            static_cast<unsigned long long>(password.size()),
            g_fastHash ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
            g_fastHash ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE)
        != 0) {
        return {};
    }
    out.truncate(static_cast<qsizetype>(qstrlen(out.constData())));
    return out;
}
} // namespace

bool init()
{
    g_fastHash = qEnvironmentVariableIntValue("CPM_TEST_FAST_PASSWORD_HASH") == 1;
    return sodium_init() >= 0;
}

bool fastHashForTests() { return g_fastHash; }

QByteArray hashPassword(const QByteArray& password) { return hashWithSodium(password); }

bool verifyPassword(const QByteArray& hash, const QByteArray& password)
{
    if (hash.isEmpty()) {
        // Made once, thread-safely, from a random password nobody knows.
        static const QByteArray dummy = [] {
            unsigned char random[16];
            randombytes_buf(random, sizeof random);
            return hashWithSodium(
                QByteArray(reinterpret_cast<const char*>(random), sizeof random).toHex());
        }();
        const QByteArray terminated = dummy + '\0';
        [[maybe_unused]] const int ignored = crypto_pwhash_str_verify(terminated.constData(),
            password.constData(), static_cast<unsigned long long>(password.size()));
        return false;
    }
    const QByteArray terminated = hash + '\0';
    return crypto_pwhash_str_verify(terminated.constData(), password.constData(),
               static_cast<unsigned long long>(password.size()))
        == 0;
}

QString newToken()
{
    QByteArray raw(TokenBytes, '\0');
    randombytes_buf(raw.data(), static_cast<size_t>(raw.size()));
    const QString token = QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    sodium_memzero(raw.data(), static_cast<size_t>(raw.size()));
    return token;
}

QByteArray tokenHash(const QString& token)
{
    if (token.size() != 43) {
        return {};
    }
    const auto decoded = QByteArray::fromBase64Encoding(
        token.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != TokenBytes) {
        return {};
    }
    // One token, one spelling: the last character carries two unused bits, and a token that
    // differs only there must not be a second valid spelling of the same token.
    if (decoded.decoded.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
        != token.toLatin1()) {
        return {};
    }
    QByteArray hash(crypto_generichash_BYTES, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()),
        static_cast<size_t>(hash.size()),
        reinterpret_cast<const unsigned char*>(decoded.decoded.constData()),
        static_cast<unsigned long long>(decoded.decoded.size()), nullptr, 0);
    return hash;
}

bool tokenMatches(const QByteArray& storedHash, const QString& token)
{
    const QByteArray hash = tokenHash(token);
    if (hash.isEmpty() || storedHash.size() != hash.size()) {
        return false;
    }
    return sodium_memcmp(storedHash.constData(), hash.constData(), static_cast<size_t>(hash.size()))
        == 0;
}

} // namespace cpm::server::credentials
