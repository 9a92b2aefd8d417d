// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The devices panel (DEV-2, DEV-3): every device of the user with its kind, whether it is
// online or when it was last seen, and its delivery preference; rename a device, choose
// what it receives, or sign it out remotely.

#include <QDialog>
#include <QStyledItemDelegate>

class QComboBox;
class QLabel;
class QListView;
class QPushButton;

namespace cpm {
class Client;
class DeviceModel;
} // namespace cpm

namespace cpm::ui {

class DeviceDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeviceDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    //! "Online", "Last seen today at 14:05", … for a device row.
    static QString presenceText(const QModelIndex& index);
    //! The human name of a delivery preference.
    static QString deliveryText(const QString& delivery);
};

class DevicesDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DevicesDialog)

public:
    explicit DevicesDialog(Client* client, QWidget* parent = nullptr);
    ~DevicesDialog() override;

    DeviceModel* model() const { return m_model; }
    QListView* view() const { return m_view; }

private:
    void updateActions();
    void rename();
    void signOut();
    void applyDelivery(int comboIndex);
    void report(const QString& text);

    Client* m_client;
    DeviceModel* m_model;
    QListView* m_view;
    QPushButton* m_rename;
    QPushButton* m_signOut;
    QComboBox* m_delivery;
    QLabel* m_status;
    qint64 m_selectedId = 0;
    QString m_signedOutName; //!< said "was signed out" of it; unsaid when it is back
};

} // namespace cpm::ui
