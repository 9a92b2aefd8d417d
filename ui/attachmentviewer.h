// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Shows a picture attachment (MSG-1) at the size that fits the window, read from the
// device's sealed copy (never a plain file), with Save as…; Esc closes it.

#include <QDialog>
#include <QImage>

class QLabel;

namespace cpm {
class Client;
}

namespace cpm::ui {

class AttachmentViewer final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AttachmentViewer)

public:
    AttachmentViewer(Client* client, const QString& attachmentId, const QString& name,
        QWidget* parent = nullptr);
    ~AttachmentViewer() override;

    //! Whether the picture could be read.
    bool hasPicture() const { return !m_image.isNull(); }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rescale();
    void saveAs();

    Client* m_client;
    QString m_attachmentId;
    QString m_name;
    QImage m_image;
    QLabel* m_picture;
    QLabel* m_error;
};

} // namespace cpm::ui
