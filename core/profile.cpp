// SPDX-License-Identifier: GPL-3.0-or-later
#include "profile.h"

#include "logging.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QUuid>

namespace cpm {

namespace {
const QString InstanceIdKey = QStringLiteral("device/instanceId");
const QString ServerKey = QStringLiteral("server/url");
const QString CaFileKey = QStringLiteral("server/caFile");
const QString AddressKey = QStringLiteral("account/address");
const QString DeviceIdKey = QStringLiteral("account/deviceId");
const QString DeviceNameKey = QStringLiteral("device/name");
const QString DeviceKindKey = QStringLiteral("device/kind");
const QString TokenKey = QStringLiteral("account/token");
const QString KeyStorageKey = QStringLiteral("keys/storage");
} // namespace

Profile::Profile(const QString& dir)
    : m_dir(QDir(dir).absolutePath())
{
}

Profile::~Profile() = default;

bool Profile::open(QString* error)
{
    QDir dir(m_dir);
    if (!dir.exists() && !dir.mkpath(QStringLiteral("."))) {
        if (error) {
            *error = QStringLiteral("cannot create the profile directory %1").arg(m_dir);
        }
        return false;
    }
    // Only the owner may look into a profile.
    QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    m_settings = std::make_unique<QSettings>(
        filePath(QString::fromLatin1(FileName)), QSettings::IniFormat);
    if (m_settings->status() != QSettings::NoError) {
        if (error) {
            *error = QStringLiteral("cannot read %1").arg(m_settings->fileName());
        }
        return false;
    }
    if (instanceId().isEmpty()) {
        m_settings->setValue(InstanceIdKey, QUuid::createUuid().toString(QUuid::WithoutBraces));
        sync();
    }
    return true;
}

QString Profile::filePath(const QString& name) const { return QDir(m_dir).filePath(name); }

void Profile::sync()
{
    m_settings->sync();
    QFile::setPermissions(m_settings->fileName(), QFile::ReadOwner | QFile::WriteOwner);
}

QString Profile::instanceId() const { return m_settings->value(InstanceIdKey).toString(); }

QUrl Profile::serverUrl() const { return QUrl(m_settings->value(ServerKey).toString()); }

void Profile::setServerUrl(const QUrl& url)
{
    m_settings->setValue(ServerKey, url.toString());
    sync();
}

QString Profile::caFile() const { return m_settings->value(CaFileKey).toString(); }

void Profile::setCaFile(const QString& path)
{
    if (path.isEmpty()) {
        m_settings->remove(CaFileKey);
    } else {
        m_settings->setValue(CaFileKey, path);
    }
    m_settings->sync();
}

QString Profile::address() const { return m_settings->value(AddressKey).toString(); }

qint64 Profile::deviceId() const { return m_settings->value(DeviceIdKey, 0).toLongLong(); }

QString Profile::deviceName() const { return m_settings->value(DeviceNameKey).toString(); }

QString Profile::deviceKind() const { return m_settings->value(DeviceKindKey).toString(); }

QByteArray Profile::sealedToken() const
{
    return QByteArray::fromBase64(m_settings->value(TokenKey).toByteArray());
}

void Profile::setAccount(const QString& address, qint64 deviceId, const QString& name,
    const QString& kind, const QByteArray& sealedToken)
{
    m_settings->setValue(AddressKey, address);
    m_settings->setValue(DeviceIdKey, deviceId);
    m_settings->setValue(DeviceNameKey, name);
    m_settings->setValue(DeviceKindKey, kind);
    m_settings->setValue(TokenKey, sealedToken.toBase64());
    sync();
}

void Profile::setDeviceName(const QString& name)
{
    m_settings->setValue(DeviceNameKey, name);
    sync();
}

void Profile::clearAccount()
{
    // Whose device it was goes too (GST-4, DEV-2); the device's own name and kind stay,
    // to be offered when someone signs in on it again.
    m_settings->remove(AddressKey);
    m_settings->remove(DeviceIdKey);
    m_settings->remove(TokenKey);
    sync();
}

QString Profile::keyStorage() const { return m_settings->value(KeyStorageKey).toString(); }

void Profile::setKeyStorage(const QString& name)
{
    m_settings->setValue(KeyStorageKey, name);
    sync();
}

} // namespace cpm
