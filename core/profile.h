// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A profile directory's identity file (`profile.ini`): the instance id made once, the
// server URL, the registered address, device id and name, where the key is kept, and the
// device token sealed with the profile key (never in plain text).

#include <QString>
#include <QUrl>

#include <memory>

class QSettings;

namespace cpm {

class Profile final {
public:
    static constexpr const char* FileName = "profile.ini";

    explicit Profile(const QString& dir);
    ~Profile();
    Profile(const Profile&) = delete;
    Profile& operator=(const Profile&) = delete;

    //! Creates the directory (0700) and the instance id when missing.
    bool open(QString* error);
    QString dir() const { return m_dir; }
    QString filePath(const QString& name) const;

    QString instanceId() const;
    QUrl serverUrl() const;
    void setServerUrl(const QUrl& url);
    //! A PEM file of certificate authorities trusted for wss:// besides the system's.
    QString caFile() const;
    void setCaFile(const QString& path);
    QString address() const;
    qint64 deviceId() const;
    QString deviceName() const;
    QString deviceKind() const;
    //! The token sealed with the profile key (empty when not registered).
    QByteArray sealedToken() const;
    void setAccount(const QString& address, qint64 deviceId, const QString& name,
        const QString& kind, const QByteArray& sealedToken);
    void setDeviceName(const QString& name);
    //! Forgets the account (after a sign-out): its address, device id and token. Keeps the
    //! instance id, the server URL, and the device's name and kind.
    void clearAccount();
    QString keyStorage() const;
    void setKeyStorage(const QString& name);

private:
    void sync();

    QString m_dir;
    std::unique_ptr<QSettings> m_settings;
};

} // namespace cpm
