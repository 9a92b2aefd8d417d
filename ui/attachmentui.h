// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the attachment widgets share (MSG-1): sizes in words, the Save as… question (which
// a test answers without the modal file dialog), and saving or opening an attachment's
// copy through the core.

#include <QString>

#include <functional>

class QWidget;

namespace cpm {
class Client;
}

namespace cpm::ui::attachmentui {

//! "12 KB", "3.4 MB", in the person's locale.
QString sizeText(qint64 bytes);

//! Asks where to save a file suggested as \a name; empty when cancelled.
QString askSavePath(QWidget* parent, const QString& name);
//! Replaces the Save as… dialog (tests): it gets the suggested name and answers a path.
using SaveChooser = std::function<QString(const QString& name)>;
void setSaveChooser(SaveChooser chooser);

//! Save as…: asks where, then writes the decrypted copy of \a attachmentId there.
//! Returns an error text for the user, empty when saved or cancelled.
QString saveAs(QWidget* parent, Client* client, const QString& attachmentId, const QString& name);
//! Opens the copy with the desktop's default application, through a decrypted temporary
//! file (never for a guest: nothing of a guest is left in plain text on disk). Returns an
//! error text, empty when opened.
QString openExternally(Client* client, const QString& attachmentId, const QString& name);
/*!
 * Removes the decrypted copies openExternally() made that are older than \a maxAgeSeconds
 * (0: all of them). The application given a copy may still be reading it, so they are not
 * removed as soon as they are handed over: the desktop removes those a day old when it
 * starts, and all of them when a user signs out. Returns how many copies went.
 */
int removeOpenedCopies(qint64 maxAgeSeconds);

} // namespace cpm::ui::attachmentui
