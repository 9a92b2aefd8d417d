// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A profile directory's identity file (`profile.ini`): the instance id made once, the
// server URL, the registered address, device id and name, where the key is kept, and the
// device token sealed with the profile key (never in plain text). A guest profile keeps
// the same fields in memory only: nothing of a guest is written to a settings file.

#include <QString>
#include <QUrl>
#include <QVariant>

#include <memory>

class QSettings;

namespace cpm {

class Profile final {
public:
    static constexpr const char* FileName = "profile.ini";

    explicit Profile(const QString& dir);
    //! A profile held in memory only (a guest's, GST-4): open() creates no file, and
    //! everything it is told is gone with the object.
    Profile();
    ~Profile();
    Profile(const Profile&) = delete;
    Profile& operator=(const Profile&) = delete;

    //! Creates the directory (0700) and the instance id when missing.
    bool open(QString* error);
    bool isInMemory() const { return m_inMemory; }
    QString dir() const { return m_dir; }
    QString filePath(const QString& name) const;

    QString instanceId() const;
    //! The first of serverUrls().
    QUrl serverUrl() const;
    void setServerUrl(const QUrl& url);
    //! The nodes of the service, tried in this order (several behind one service: a
    //! device fails over to the next when its connection drops).
    QList<QUrl> serverUrls() const;
    void setServerUrls(const QList<QUrl>& urls);

    //! At most this many servers in a list.
    static constexpr int MaxServers = 16;
    /*!
     * The servers of a comma-separated list ("wss://a.example, wss://b.example"), as
     * typed in a sign-in form or given to `--server`: each a ws:// or wss:// URL with a
     * host; the same one twice counts once. Empty when the list is empty or wrong; then
     * \a bad (when given) gets the entry that is not a server URL, or the whole text
     * when there are more than MaxServers.
     */
    static QList<QUrl> parseServers(QStringView text, QString* bad = nullptr);
    //! \a urls as parseServers() reads them back.
    static QString serversText(const QList<QUrl>& urls);
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
    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    void setValue(const QString& key, const QVariant& value);
    void remove(const QString& key);
    void sync();

    QString m_dir;
    bool m_inMemory = false;
    std::unique_ptr<QSettings> m_settings;
    QVariantHash m_memory; //!< in place of the settings file for an in-memory profile
};

} // namespace cpm
