// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What every widget test shares (after KDDockWidgets): any qWarning fails the test that
// caused it, and so does a top-level window left open at its end.

#include <QApplication>
#include <QMutex>
#include <QStringList>
#include <QTest>
#include <QWidget>

namespace cpm::test {

class UiTestFixture {
public:
    UiTestFixture() = default;
    ~UiTestFixture()
    {
        if (s_installed) {
            qInstallMessageHandler(s_previous);
        }
    }

    //! Call from initTestCase(): QTest installs its own handler when it starts running,
    //! so ours has to go on top of it then, not in a constructor.
    void install()
    {
        s_previous = qInstallMessageHandler(&UiTestFixture::handler);
        s_installed = true;
    }

    //! A warning the current test provokes on purpose (e.g. a refused sign-in).
    static void expectWarning(const QString& fragment)
    {
        QMutexLocker lock(&s_mutex);
        s_expected.append(fragment);
    }

    //! Call from cleanup(): fails on warnings and on leaked top-level windows.
    static void verifyClean()
    {
        QStringList warnings;
        {
            QMutexLocker lock(&s_mutex);
            warnings.swap(s_warnings);
            s_expected.clear();
        }
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QStringList leaked;
        const auto windows = QApplication::topLevelWidgets();
        for (QWidget* w : windows) {
            if (w->isVisible()) {
                leaked.append(QString::fromLatin1(w->metaObject()->className()) + QLatin1Char(' ')
                    + w->windowTitle());
            }
        }
        QVERIFY2(leaked.isEmpty(),
            qPrintable(QStringLiteral("leaked windows: ") + leaked.join(QStringLiteral(", "))));
    }

private:
    static void handler(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        // The offscreen platform warns about a window-manager feature it lacks; that is
        // the test platform talking, not the application.
        const bool platformNoise
            = message.startsWith(QLatin1StringView("This plugin does not support"));
        const bool warning = type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg;
        if (warning && !platformNoise) {
            QMutexLocker lock(&s_mutex);
            for (const QString& fragment : std::as_const(s_expected)) {
                if (message.contains(fragment)) {
                    return forward(type, context, message);
                }
            }
            s_warnings.append(
                QString::fromLatin1(context.category) + QStringLiteral(": ") + message);
        }
        forward(type, context, message);
    }

    static void forward(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        if (s_previous) {
            s_previous(type, context, message);
        }
    }

    static inline QtMessageHandler s_previous = nullptr;
    static inline QMutex s_mutex;
    static inline QStringList s_warnings;
    static inline QStringList s_expected;
    static inline bool s_installed = false;
};

} // namespace cpm::test
