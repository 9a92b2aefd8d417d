// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsconfig.h"

#include "logging.h"

#include <QDateTime>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

namespace cpm::server {

Result<QSslConfiguration> loadServerTls(const QString& certFile, const QString& keyFile)
{
    if (!QSslSocket::supportsSsl()) {
        return makeError(ErrorCode::Internal,
            QStringLiteral("TLS is not available: Qt found no TLS backend (%1)")
                .arg(QSslSocket::sslLibraryVersionString()));
    }
    QFile cert(certFile);
    if (!cert.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Internal,
            QStringLiteral("cannot read the certificate %1: %2").arg(certFile, cert.errorString()));
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(cert.readAll(), QSsl::Pem);
    if (chain.isEmpty()) {
        return makeError(
            ErrorCode::Internal, QStringLiteral("%1 holds no PEM certificate").arg(certFile));
    }
    QFile key(keyFile);
    if (!key.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Internal,
            QStringLiteral("cannot read the key %1: %2").arg(keyFile, key.errorString()));
    }
    const QByteArray pem = key.readAll();
    QSslKey privateKey;
    for (QSsl::KeyAlgorithm algorithm : { QSsl::Rsa, QSsl::Ec }) {
        privateKey = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!privateKey.isNull()) {
            break;
        }
    }
    if (privateKey.isNull()) {
        return makeError(ErrorCode::Internal,
            QStringLiteral("%1 holds no unencrypted RSA or EC private key in PEM").arg(keyFile));
    }
    // Served all the same (clients refuse it with their own clear error), but the
    // operator should hear of it first.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (chain.first().expiryDate() < now || chain.first().effectiveDate() > now) {
        qCWarning(lcServer).noquote()
            << QStringLiteral("the certificate %1 is valid from %2 to %3 only: clients will "
                              "refuse it")
                   .arg(certFile, chain.first().effectiveDate().toString(Qt::ISODate),
                       chain.first().expiryDate().toString(Qt::ISODate));
    }
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificateChain(chain);
    config.setPrivateKey(privateKey);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    config.setProtocol(QSsl::TlsV1_2OrLater);
    return config;
}

} // namespace cpm::server
