// SPDX-License-Identifier: GPL-3.0-or-later
// cpm-cli: a scriptable headless CPM device (QA-4). See docs/cli.md.
#include "cli.h"
#include "streamingheap.h"

#include <QCoreApplication>
#include <QTimer>

int main(int argc, char* argv[])
{
    cpm::protocol::setUpHeapForStreaming();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("cpm-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CPM_VERSION));
    cpm::cli::Cli cli;
    const QStringList arguments = QCoreApplication::arguments().mid(1);
    QTimer::singleShot(0, &cli, [&cli, arguments] { cli.start(arguments); });
    return QCoreApplication::exec();
}
