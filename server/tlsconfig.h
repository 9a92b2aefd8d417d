// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The server's TLS identity: a certificate chain and its private key, read from PEM files.

#include "result.h"

#include <QSslConfiguration>
#include <QString>

namespace cpm::server {

/*!
 * Reads \a certFile (the server's certificate first, then any intermediates) and
 * \a keyFile (an RSA or EC key, unencrypted) into a server-side configuration: TLS 1.2 or
 * later, no client certificates. An error says which file and what is wrong with it; a
 * certificate outside its validity is served with a warning in the log.
 */
Result<QSslConfiguration> loadServerTls(const QString& certFile, const QString& keyFile);

} // namespace cpm::server
