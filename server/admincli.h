// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The operator's command line (QA-3): `cpm-server --data DIR <command>` (or `--store
// postgresql://...`). It opens the same store as a running server: SQLite in WAL mode, like
// PostgreSQL, lets both work at once.

#include "openstore.h"

#include <QString>
#include <QStringList>

class QTextStream;

namespace cpm::server {

class AdminCli final {
    Q_DISABLE_COPY_MOVE(AdminCli)

public:
    //! Exit codes: success, a failed command, a malformed command line.
    enum ExitCode { Ok = 0, Failed = 1, Usage = 2 };

    AdminCli(const StoreLocation& where, QTextStream& out, QTextStream& err);

    //! Runs the command in \a args (the positional arguments) and returns the exit code.
    int run(const QStringList& args, const QString& passwordFile, const QString& network = {});
    //! The list of commands, for --help.
    static QString commandsHelp();

private:
    int userAdd(const QString& address, const QString& passwordFile);
    int userEnable(const QString& address, bool enabled);
    int userList();
    int deviceList(const QString& address);
    int settingsSet(const QString& key, const QString& value);
    int settingsGet(const QString& key);
    int settingsList();
    int legacyRegister(const QString& address, const QString& network, bool registered);
    int legacyList(const QString& address);
    int demo();
    int usageError(const QString& message);

    StoreLocation m_where;
    QTextStream& m_out;
    QTextStream& m_err;
};

} // namespace cpm::server
