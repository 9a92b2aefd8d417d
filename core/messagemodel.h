// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The messages of one conversation, oldest first, loaded a page at a time: setPeer()
// loads the newest page and loadOlder() the next older one, so opening a conversation
// with years of history stays fast. Updated live from the Client's signals.

#include "types.h"

#include <QAbstractListModel>
#include <QPointer>

#include <functional>

namespace cpm {

class Client;

class MessageModel final : public QAbstractListModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageModel)

public:
    enum Role {
        IdRole = Qt::UserRole + 1, //!< qint64, negative while pending
        ClientIdRole,
        FromRole,
        ToRole,
        SubjectRole,
        BodyRole, //!< null QString when only notified (PartialRole)
        TimeRole, //!< QDateTime (local time): when written, for one written here, else sent
        OutgoingRole,
        StatusRole, //!< Message::Status as int
        StatusNameRole, //!< "pending", "sent", "delivered", "displayed", "expired", "failed"
        ReadRole,
        PartialRole,
        PendingRole,
        FailureRole, //!< why the server refused it for good (an error code name), else empty
        //! QVariantList of QVariantMap, one per attachment (MSG-1), in the sender's order:
        //! id (empty while not uploaded), name, type, size, image (bool), here (this device
        //! holds a copy), done (bytes of a transfer in progress, or -1 when none).
        AttachmentsRole,
        RouteRole, //!< "cpm", "deferred", "email", "sms" (MSG-7, MSG-8)
    };
    Q_ENUM(Role)

    static constexpr int DefaultPageSize = 50;

    explicit MessageModel(Client* client, QObject* parent = nullptr);
    ~MessageModel() override;

    //! Shows the conversation with \a peerAddress (empty: none), loading its newest page.
    void setPeer(const QString& peerAddress);
    QString peer() const { return m_peer; }
    void setPageSize(int pageSize);
    int pageSize() const { return m_pageSize; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    //! A message with its text is "editable" only so a view may open a read-only editor over
    //! it to select and copy part of the text; setData() changes nothing.
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    //! True while older messages than the first row may exist.
    bool canLoadOlder() const { return m_hasOlder; }
    //! Prepends the next older page. (Not Qt's loadOlder(): item views call that whenever
    //! their last row is in view, which here is always, and would load the whole history.)
    void loadOlder();

    //! Words for a message, in the person's language: what Qt::ToolTipRole (\a forToolTip)
    //! and Qt::AccessibleTextRole answer. The window provides it; the core has no texts.
    using Describer = std::function<QString(const Message& message, bool forToolTip)>;
    void setDescriber(Describer describer) { m_describer = std::move(describer); }

    Message messageAt(int row) const;
    //! The row of the message with \a messageId, or -1.
    int rowOf(qint64 messageId) const;

Q_SIGNALS:
    void peerChanged(const QString& peerAddress);

private:
    void onMessageAdded(qint64 messageId, const QString& peer);
    void onMessageChanged(qint64 messageId);
    void onMessageRemoved(qint64 messageId);
    void onMessageSent(qint64 pendingId, qint64 messageId);
    void reset();
    //! An attachment's copy or transfer moved on: its rows (all with attachments) change.
    void onAttachmentsChanged();
    QVariantList attachmentsData(const Message& m) const;

    QPointer<Client> m_client;
    QString m_peer;
    QList<Message> m_rows;
    int m_pageSize = DefaultPageSize;
    bool m_hasOlder = false;
    Describer m_describer;
    bool m_resetting = false; //!< inside a reset or insertion: no nested loadOlder()
};

} // namespace cpm
