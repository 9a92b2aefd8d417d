// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// File → My files… (MSG-1): the files the user uploaded into the network storage, with
// how much of the quota they use; a file that is no longer needed can be deleted there.

#include "model.h"

#include <QDialog>
#include <QHash>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace cpm {
class Client;
}

namespace cpm::ui {

class MyFilesDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MyFilesDialog)

public:
    explicit MyFilesDialog(Client* client, QWidget* parent = nullptr);
    ~MyFilesDialog() override;

    QTableWidget* table() const { return m_table; }
    //! Asks the server for the list again.
    void refresh();

Q_SIGNALS:
    //! The list (or an error) arrived.
    void refreshed();
    //! Save a copy… finished (\a ok: the file is there).
    void savedCopy(bool ok);

private:
    void deleteSelected();
    //! Save a copy…: downloads the selected file of one's own to a place chosen.
    void saveCopy();
    void updateButtons();
    static QString stateText(const QString& state);

    Client* m_client;
    QTableWidget* m_table;
    QLabel* m_usage;
    QProgressBar* m_usageBar;
    QLabel* m_error;
    QPushButton* m_refresh;
    QPushButton* m_delete;
    QPushButton* m_save;
    QHash<QString, protocol::Attachment> m_filesById;
};

} // namespace cpm::ui
