// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Authenticated encryption of values at rest (message bodies, subjects, the device
// token) with XChaCha20-Poly1305 under the profile key. A sealed value is
// nonce (24 bytes) || ciphertext+tag; every value gets a fresh random nonce.

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace cpm {

//! A 32-byte key in guarded memory (sodium_malloc), zeroed when freed. Move-only.
class SecretKey final {
public:
    static constexpr qsizetype Size = 32;

    SecretKey() = default;
    ~SecretKey();
    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;

    //! A fresh random key.
    static SecretKey generate();
    //! An allocated key of zero bytes, to be filled through data().
    static SecretKey allocate();

    bool isNull() const { return m_data == nullptr; }
    unsigned char* data() { return m_data; }
    const unsigned char* data() const { return m_data; }

private:
    unsigned char* m_data = nullptr;
};

class SecretBox final {
public:
    //! Nonce and tag overhead of a sealed value.
    static constexpr qsizetype Overhead = 24 + 16;

    explicit SecretBox(SecretKey key);

    //! Encrypts \a plain; \a context (e.g. "body") is authenticated too, so a value
    //! cannot be moved into another field unnoticed.
    QByteArray seal(QByteArrayView plain, QByteArrayView context) const;
    //! Decrypts; nullopt when the value was tampered with, or is for another context/key.
    std::optional<QByteArray> open(QByteArrayView sealed, QByteArrayView context) const;

    /*!
     * A blind index of \a value: the same 16 bytes for the same value and \a context under
     * this key, and nothing about the value without the key (keyed BLAKE2b under a subkey
     * of the box's key). What a database must look up or join on, instead of the value.
     */
    QByteArray index(QByteArrayView value, QByteArrayView context) const;

    /*!
     * The key of the sealed file \a fileId (an attachment's id): the same key for the same id
     * under this box's key, and another for every other id, so the records of one file never
     * open as those of another (keyed BLAKE2b under a subkey of the box's key, of its own
     * purpose). A null key when the box has none. See SealedFileWriter.
     */
    SecretKey deriveFileKey(QByteArrayView fileId) const;

private:
    SecretKey m_key;
    SecretKey m_indexKey; //!< derived from m_key: never the same key for two purposes
};

//! Makes sure libsodium is initialised; false if it cannot be (then nothing is safe).
bool ensureSodium();

} // namespace cpm
