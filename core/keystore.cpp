// SPDX-License-Identifier: GPL-3.0-or-later
#include "keystore.h"

#include "logging.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QTimer>
#include <qt6keychain/keychain.h>

#include <sodium.h>

namespace cpm {

namespace {
const QString KeyringService = QStringLiteral("cpm");

bool keyringDisabled() { return qEnvironmentVariable("CPM_KEYSTORE") == QLatin1StringView("file"); }

// Runs a keychain job to its end, or gives up after KeyringTimeoutMs: some backends
// hang forever without a session bus. A job given up on deletes itself if it ever ends.
bool runJob(QKeychain::Job* job)
{
    job->setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(Keystore::KeyringTimeoutMs, &loop, &QEventLoop::quit);
    job->start();
    if (!finished) {
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    }
    if (!finished) {
        qCWarning(lcKeystore) << "the desktop keyring did not answer in time";
        QObject::disconnect(job, nullptr, &loop, nullptr);
        QObject::connect(job, &QKeychain::Job::finished, job, &QObject::deleteLater);
        return false;
    }
    return true;
}
} // namespace

Keystore::Keystore(const QString& profileDir, const QString& keyName)
    : m_profileDir(profileDir)
    , m_keyName(keyName)
{
}

QString Keystore::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Keyring:
        return QStringLiteral("keyring");
    case Kind::KeyFile:
        return QStringLiteral("key file");
    case Kind::None:
        break;
    }
    return {};
}

Keystore::Kind Keystore::kindFromName(const QString& name)
{
    if (name == QLatin1StringView("keyring")) {
        return Kind::Keyring;
    }
    if (name == QLatin1StringView("key file")) {
        return Kind::KeyFile;
    }
    return Kind::None;
}

QString Keystore::keyFilePath() const
{
    return QDir(m_profileDir).filePath(QString::fromLatin1(KeyFileName));
}

SecretKey Keystore::load(Kind previous, QString* error)
{
    ensureSodium();
    // An existing key file wins: it is where this profile's data was encrypted.
    if (previous == Kind::KeyFile || (previous == Kind::None && QFile::exists(keyFilePath()))) {
        m_kind = Kind::KeyFile;
        if (QFile::exists(keyFilePath())) {
            return readKeyFile(error);
        }
        SecretKey key = SecretKey::generate();
        return writeKeyFile(key, error) ? std::move(key) : SecretKey();
    }
    if (!keyringDisabled()) {
        SecretKey key;
        switch (readKeyring(&key)) {
        case KeyringResult::Ok:
            m_kind = Kind::Keyring;
            return key;
        case KeyringResult::NotFound:
            if (previous == Kind::Keyring) {
                if (error) {
                    *error = QStringLiteral("the profile key is missing from the desktop keyring");
                }
                return {};
            }
            key = SecretKey::generate();
            if (writeKeyring(key)) {
                m_kind = Kind::Keyring;
                return key;
            }
            break;
        case KeyringResult::Unavailable:
            if (previous == Kind::Keyring) {
                if (error) {
                    *error = QStringLiteral(
                        "the desktop keyring that holds the profile key is not available");
                }
                return {};
            }
            break;
        }
    }
    qCInfo(lcKeystore) << "keeping the profile key in a key file";
    m_kind = Kind::KeyFile;
    SecretKey key = SecretKey::generate();
    return writeKeyFile(key, error) ? std::move(key) : SecretKey();
}

SecretKey Keystore::renew(QString* error)
{
    SecretKey key = SecretKey::generate();
    if (m_kind == Kind::Keyring && writeKeyring(key)) {
        return key;
    }
    m_kind = Kind::KeyFile;
    QFile::remove(keyFilePath());
    return writeKeyFile(key, error) ? std::move(key) : SecretKey();
}

SecretKey Keystore::readKeyFile(QString* error) const
{
    QFile file(keyFilePath());
    SecretKey key = SecretKey::allocate();
    if (key.isNull() || !file.open(QIODevice::ReadOnly)
        || file.read(reinterpret_cast<char*>(key.data()), SecretKey::Size) != SecretKey::Size) {
        if (error) {
            *error = QStringLiteral("cannot read the key file %1").arg(file.fileName());
        }
        return {};
    }
    if (file.permissions()
        & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther)) {
        qCWarning(lcKeystore) << "the key file is readable by others; tightening to 0600";
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
    return key;
}

bool Keystore::writeKeyFile(const SecretKey& key, QString* error) const
{
    QFile file(keyFilePath());
    // Created 0600 from the first byte, never world-readable for a moment.
    if (key.isNull()
        || !file.open(
            QIODevice::WriteOnly | QIODevice::NewOnly, QFile::ReadOwner | QFile::WriteOwner)
        || file.write(reinterpret_cast<const char*>(key.data()), SecretKey::Size) != SecretKey::Size
        || !file.flush()) {
        if (error) {
            *error = QStringLiteral("cannot write the key file %1: %2")
                         .arg(file.fileName(), file.errorString());
        }
        return false;
    }
    return true;
}

Keystore::KeyringResult Keystore::readKeyring(SecretKey* key) const
{
    auto* job = new QKeychain::ReadPasswordJob(KeyringService);
    job->setKey(m_keyName);
    if (!runJob(job)) {
        return KeyringResult::Unavailable;
    }
    std::unique_ptr<QKeychain::ReadPasswordJob> owner(job);
    if (job->error() == QKeychain::EntryNotFound) {
        return KeyringResult::NotFound;
    }
    if (job->error() != QKeychain::NoError) {
        qCInfo(lcKeystore) << "desktop keyring unavailable:" << job->errorString();
        return KeyringResult::Unavailable;
    }
    QByteArray data = job->binaryData();
    if (data.size() != SecretKey::Size) {
        sodium_memzero(data.data(), size_t(data.size()));
        qCWarning(lcKeystore) << "the keyring entry is not a profile key";
        return KeyringResult::Unavailable;
    }
    *key = SecretKey::allocate();
    if (!key->isNull()) {
        memcpy(key->data(), data.constData(), SecretKey::Size);
    }
    sodium_memzero(data.data(), size_t(data.size()));
    return key->isNull() ? KeyringResult::Unavailable : KeyringResult::Ok;
}

bool Keystore::writeKeyring(const SecretKey& key) const
{
    auto* job = new QKeychain::WritePasswordJob(KeyringService);
    job->setKey(m_keyName);
    QByteArray data(reinterpret_cast<const char*>(key.data()), SecretKey::Size);
    job->setBinaryData(data);
    sodium_memzero(data.data(), size_t(data.size()));
    if (!runJob(job)) {
        return false;
    }
    std::unique_ptr<QKeychain::WritePasswordJob> owner(job);
    if (job->error() != QKeychain::NoError) {
        qCInfo(lcKeystore) << "cannot store the key in the desktop keyring:" << job->errorString();
        return false;
    }
    return true;
}

} // namespace cpm
