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

Profile::Profile()
    : m_inMemory(true)
{
}

bool Profile::open(QString* error)
{
    if (m_inMemory) {
        if (instanceId().isEmpty()) {
            setValue(InstanceIdKey, QUuid::createUuid().toString(QUuid::WithoutBraces));
        }
        return true;
    }
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

QString Profile::filePath(const QString& name) const
{
    return m_inMemory ? QString() : QDir(m_dir).filePath(name);
}

QVariant Profile::value(const QString& key, const QVariant& fallback) const
{
    if (m_inMemory) {
        return m_memory.value(key, fallback);
    }
    return m_settings ? m_settings->value(key, fallback) : fallback;
}

void Profile::setValue(const QString& key, const QVariant& value)
{
    if (m_inMemory) {
        m_memory.insert(key, value);
    } else {
        m_settings->setValue(key, value);
    }
}

void Profile::remove(const QString& key)
{
    if (m_inMemory) {
        m_memory.remove(key);
    } else {
        m_settings->remove(key);
    }
}

void Profile::sync()
{
    if (m_inMemory) {
        return;
    }
    m_settings->sync();
    QFile::setPermissions(m_settings->fileName(), QFile::ReadOwner | QFile::WriteOwner);
}

QString Profile::instanceId() const { return value(InstanceIdKey).toString(); }

QUrl Profile::serverUrl() const { return serverUrls().value(0); }

void Profile::setServerUrl(const QUrl& url) { setServerUrls({ url }); }

QList<QUrl> Profile::serverUrls() const
{
    // One URL (as every profile before lists had) reads as a list of one.
    QList<QUrl> urls;
    const QStringList texts = value(ServerKey).toStringList();
    for (const QString& text : texts) {
        urls.append(QUrl(text));
    }
    return urls;
}

void Profile::setServerUrls(const QList<QUrl>& urls)
{
    QStringList texts;
    for (const QUrl& url : urls) {
        texts.append(url.toString());
    }
    if (texts.size() == 1) {
        setValue(ServerKey, texts.constFirst()); // readable by earlier versions
    } else {
        setValue(ServerKey, texts);
    }
    sync();
}

QList<QUrl> Profile::parseServers(QStringView text, QString* bad)
{
    QList<QUrl> urls;
    for (const QStringView part : text.tokenize(u',', Qt::SkipEmptyParts)) {
        const QString entry = part.trimmed().toString();
        if (entry.isEmpty()) {
            continue;
        }
        const QUrl url(entry, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (!url.isValid() || url.host().isEmpty()
            || (scheme != QLatin1StringView("ws") && scheme != QLatin1StringView("wss"))) {
            if (bad) {
                *bad = entry;
            }
            return {};
        }
        if (!urls.contains(url)) {
            urls.append(url);
        }
    }
    if (urls.size() > MaxServers) {
        if (bad) {
            *bad = text.toString();
        }
        return {};
    }
    return urls;
}

QString Profile::serversText(const QList<QUrl>& urls)
{
    QStringList texts;
    for (const QUrl& url : urls) {
        texts.append(url.toString());
    }
    return texts.join(QStringLiteral(", "));
}

QString Profile::caFile() const { return value(CaFileKey).toString(); }

void Profile::setCaFile(const QString& path)
{
    if (path.isEmpty()) {
        remove(CaFileKey);
    } else {
        setValue(CaFileKey, path);
    }
    sync();
}

QString Profile::address() const { return value(AddressKey).toString(); }

qint64 Profile::deviceId() const { return value(DeviceIdKey, 0).toLongLong(); }

QString Profile::deviceName() const { return value(DeviceNameKey).toString(); }

QString Profile::deviceKind() const { return value(DeviceKindKey).toString(); }

QByteArray Profile::sealedToken() const
{
    return QByteArray::fromBase64(value(TokenKey).toByteArray());
}

void Profile::setAccount(const QString& address, qint64 deviceId, const QString& name,
    const QString& kind, const QByteArray& sealedToken)
{
    setValue(AddressKey, address);
    setValue(DeviceIdKey, deviceId);
    setValue(DeviceNameKey, name);
    setValue(DeviceKindKey, kind);
    setValue(TokenKey, sealedToken.toBase64());
    sync();
}

void Profile::setDeviceName(const QString& name)
{
    setValue(DeviceNameKey, name);
    sync();
}

void Profile::clearAccount()
{
    // Whose device it was goes too (GST-4, DEV-2); the device's own name and kind stay,
    // to be offered when someone signs in on it again.
    remove(AddressKey);
    remove(DeviceIdKey);
    remove(TokenKey);
    sync();
}

QString Profile::keyStorage() const { return value(KeyStorageKey).toString(); }

void Profile::setKeyStorage(const QString& name)
{
    setValue(KeyStorageKey, name);
    sync();
}

} // namespace cpm
