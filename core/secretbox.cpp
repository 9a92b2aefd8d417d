// SPDX-License-Identifier: GPL-3.0-or-later
#include "secretbox.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace cpm {

static_assert(SecretKey::Size == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(SecretBox::Overhead
    == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES);

bool ensureSodium()
{
    static const bool ok = sodium_init() >= 0;
    return ok;
}

SecretKey::~SecretKey()
{
    if (m_data) {
        sodium_free(m_data); // zeroes the memory first
    }
}

SecretKey::SecretKey(SecretKey&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
{
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept
{
    if (this != &other) {
        if (m_data) {
            sodium_free(m_data);
        }
        m_data = std::exchange(other.m_data, nullptr);
    }
    return *this;
}

SecretKey SecretKey::allocate()
{
    ensureSodium();
    SecretKey key;
    key.m_data = static_cast<unsigned char*>(sodium_malloc(Size));
    if (key.m_data) {
        sodium_memzero(key.m_data, Size);
    }
    return key;
}

SecretKey SecretKey::generate()
{
    SecretKey key = allocate();
    if (key.m_data) {
        crypto_aead_xchacha20poly1305_ietf_keygen(key.m_data);
    }
    return key;
}

static_assert(SecretKey::Size == crypto_kdf_KEYBYTES);

SecretBox::SecretBox(SecretKey key)
    : m_key(std::move(key))
{
    ensureSodium();
    if (!m_key.isNull()) {
        m_indexKey = SecretKey::allocate();
        if (!m_indexKey.isNull()) {
            crypto_kdf_derive_from_key(
                m_indexKey.data(), SecretKey::Size, 1, "cpmindex", m_key.data());
        }
    }
}

QByteArray SecretBox::index(QByteArrayView value, QByteArrayView context) const
{
    if (m_indexKey.isNull()) {
        return {};
    }
    constexpr size_t Bytes = 16;
    crypto_generichash_state state;
    crypto_generichash_init(&state, m_indexKey.data(), SecretKey::Size, Bytes);
    // The context and its length first, so no two (context, value) pairs hash alike.
    const auto contextSize = static_cast<unsigned char>(std::min<qsizetype>(context.size(), 255));
    crypto_generichash_update(&state, &contextSize, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(context.data()),
        static_cast<unsigned long long>(contextSize));
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
        static_cast<unsigned long long>(value.size()));
    QByteArray out(Bytes, Qt::Uninitialized);
    crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), Bytes);
    sodium_memzero(&state, sizeof state);
    return out;
}

SecretKey SecretBox::deriveFileKey(QByteArrayView fileId) const
{
    if (m_key.isNull()) {
        return {};
    }
    // A subkey of its own (not the index key, not m_key): an index and a file key never
    // come from the same key even for equal inputs. Derived per call rather than kept:
    // files are opened seldom, and every kept key costs a locked page.
    SecretKey fileKeys = SecretKey::allocate();
    SecretKey key = SecretKey::allocate();
    if (fileKeys.isNull() || key.isNull()) {
        return {};
    }
    crypto_kdf_derive_from_key(fileKeys.data(), SecretKey::Size, 2, "cpmfiles", m_key.data());
    crypto_generichash(key.data(), SecretKey::Size,
        reinterpret_cast<const unsigned char*>(fileId.data()),
        static_cast<unsigned long long>(fileId.size()), fileKeys.data(), SecretKey::Size);
    return key;
}

QByteArray SecretBox::seal(QByteArrayView plain, QByteArrayView context) const
{
    if (m_key.isNull()) {
        return {};
    }
    constexpr qsizetype nonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    QByteArray out(
        nonceSize + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, Qt::Uninitialized);
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(nonce, nonceSize);
    unsigned long long cipherLength = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + nonceSize, &cipherLength,
        reinterpret_cast<const unsigned char*>(plain.data()),
        static_cast<unsigned long long>(plain.size()),
        reinterpret_cast<const unsigned char*>(context.data()),
        static_cast<unsigned long long>(context.size()), nullptr, nonce, m_key.data());
    out.resize(nonceSize + static_cast<qsizetype>(cipherLength));
    return out;
}

std::optional<QByteArray> SecretBox::open(QByteArrayView sealed, QByteArrayView context) const
{
    constexpr qsizetype nonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (m_key.isNull() || sealed.size() < Overhead) {
        return std::nullopt;
    }
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    QByteArray plain(sealed.size() - Overhead, Qt::Uninitialized);
    unsigned long long plainLength = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()),
            &plainLength, nullptr, nonce + nonceSize,
            static_cast<unsigned long long>(sealed.size() - nonceSize),
            reinterpret_cast<const unsigned char*>(context.data()),
            static_cast<unsigned long long>(context.size()), nonce, m_key.data())
        != 0) {
        return std::nullopt;
    }
    plain.resize(static_cast<qsizetype>(plainLength));
    return plain;
}

} // namespace cpm
