// SPDX-License-Identifier: GPL-3.0-or-later
#include "sha256.h"

#include <QString>

#include <openssl/evp.h>

namespace cpm::protocol {

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    // Only fails when out of memory, as a `new` would.
    Q_CHECK_PTR(m_context);
    EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(m_context); }

void Sha256::addData(QByteArrayView bytes)
{
    EVP_DigestUpdate(m_context, bytes.data(), size_t(bytes.size()));
}

QByteArray Sha256::result() const
{
    // On a copy: the running state stays, as with QCryptographicHash::result().
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    Q_CHECK_PTR(copy);
    QByteArray digest(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_MD_CTX_copy_ex(copy, m_context);
    EVP_DigestFinal_ex(copy, reinterpret_cast<unsigned char*>(digest.data()), &length);
    EVP_MD_CTX_free(copy);
    digest.resize(length);
    return digest;
}

QString Sha256::hex() const { return QString::fromLatin1(result().toHex()); }

QByteArray Sha256::hash(QByteArrayView bytes)
{
    Sha256 h;
    h.addData(bytes);
    return h.result();
}

} // namespace cpm::protocol
