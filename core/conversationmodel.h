// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The list of conversations (one per peer), most recent first, kept current from the
// Client's signals. Knows no view.

#include "types.h"

#include <QAbstractListModel>
#include <QPointer>

class QTimer;

namespace cpm {

class Client;

class ConversationModel final : public QAbstractListModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationModel)

public:
    enum Role {
        PeerAddressRole = Qt::UserRole + 1,
        PeerNameRole, //!< the contact's name, or the address when there is none
        LastMessageTextRole,
        LastMessageTimeRole, //!< QDateTime (local time)
        UnreadCountRole,
        InitialsRole, //!< one or two letters for an avatar
        SearchTextRole, //!< what a search matches: the name, the address, the newest message
        LastMessagePartialRole, //!< bool: the newest message is known only by notification
        PeerStatusRole, //!< the peer's status name as they share it (Client::peerStatus), or ""
        PeerStatusTextRole, //!< its text
    };
    Q_ENUM(Role)

    explicit ConversationModel(Client* client, QObject* parent = nullptr);
    ~ConversationModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    //! The row of the conversation with \a peerAddress, or -1.
    int rowOf(const QString& peerAddress) const;
    Conversation conversationAt(int row) const;

    //! Reloads at once (normally it reloads itself shortly after a change).
    void reload();
    //! Keeps the conversation with \a peerAddress listed while it has no messages (the
    //! one open in the window: a new one, or one whose last message was deleted), where
    //! it was. Empty: none.
    void setKeptPeer(const QString& peerAddress);

private:
    void scheduleReload();

    QPointer<Client> m_client;
    QList<Conversation> m_rows;
    QString m_keptPeer;
    QTimer* m_reloadTimer = nullptr;
};

} // namespace cpm
