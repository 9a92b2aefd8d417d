// SPDX-License-Identifier: GPL-3.0-or-later
#include "kindicon.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace cpm::ui {

namespace {
QPixmap canvas(int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    return pixmap;
}
} // namespace

QString kindName(const QString& kind)
{
    if (kind == QLatin1StringView("laptop")) {
        return QCoreApplication::translate("cpm::ui", "Laptop");
    }
    if (kind == QLatin1StringView("mobile")) {
        return QCoreApplication::translate("cpm::ui", "Mobile phone");
    }
    if (kind == QLatin1StringView("fixed")) {
        return QCoreApplication::translate("cpm::ui", "Fixed phone");
    }
    if (kind == QLatin1StringView("tablet")) {
        return QCoreApplication::translate("cpm::ui", "Tablet / PDA");
    }
    if (kind == QLatin1StringView("desktop")) {
        return QCoreApplication::translate("cpm::ui", "Desktop");
    }
    return kind;
}

QIcon kindIcon(const QString& kind, const QColor& color)
{
    QIcon icon;
    for (const int size : { 16, 24, 32, 48 }) {
        QPixmap pixmap = canvas(size);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 24.0, size / 24.0);
        QPen pen(color, 1.8);
        pen.setJoinStyle(Qt::RoundJoin);
        pen.setCapStyle(Qt::RoundCap);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        if (kind == QLatin1StringView("laptop")) {
            p.drawRoundedRect(QRectF(5, 5, 14, 10), 1.5, 1.5);
            p.drawLine(QPointF(2.5, 18.5), QPointF(21.5, 18.5));
        } else if (kind == QLatin1StringView("mobile")) {
            p.drawRoundedRect(QRectF(7.5, 2.5, 9, 19), 2, 2);
            p.drawLine(QPointF(11, 18.5), QPointF(13, 18.5));
        } else if (kind == QLatin1StringView("fixed")) {
            p.drawRoundedRect(QRectF(4, 10, 16, 10), 2, 2);
            QPainterPath handset;
            handset.moveTo(3, 8);
            handset.cubicTo(8, 3, 16, 3, 21, 8);
            p.drawPath(handset);
            p.drawEllipse(QPointF(12, 15), 2.2, 2.2);
        } else if (kind == QLatin1StringView("tablet")) {
            p.drawRoundedRect(QRectF(4.5, 3, 15, 18), 2, 2);
            p.drawLine(QPointF(11, 18), QPointF(13, 18));
        } else {
            p.drawRoundedRect(QRectF(2.5, 4, 19, 12), 1.5, 1.5);
            p.drawLine(QPointF(12, 16), QPointF(12, 20));
            p.drawLine(QPointF(8, 20.5), QPointF(16, 20.5));
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon appIcon(int unread, const QString& kind)
{
    const QIcon kindMark = kind.isEmpty() ? QIcon() : kindIcon(kind, QColor(0x1d, 0x3f, 0x7a));
    QIcon icon;
    for (const int size : { 16, 22, 32, 48, 64 }) {
        QPixmap pixmap = canvas(size);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 64.0, size / 64.0);
        QPainterPath bubble;
        bubble.addRoundedRect(QRectF(4, 8, 52, 38), 14, 14);
        QPainterPath tail;
        tail.moveTo(14, 42);
        tail.lineTo(10, 58);
        tail.lineTo(28, 44);
        bubble = bubble.united(tail);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0x2f, 0x6f, 0xd0));
        p.drawPath(bubble);
        p.setBrush(Qt::white);
        for (const int x : { 18, 30, 42 }) {
            p.drawEllipse(QPointF(x, 27), 4, 4);
        }
        if (!kindMark.isNull()) {
            const QRectF corner(34, 34, 30, 30);
            p.setPen(QPen(QColor(0x1d, 0x3f, 0x7a), 1.5));
            p.setBrush(Qt::white);
            p.drawRoundedRect(corner.adjusted(1, 1, -1, -1), 7, 7);
            kindMark.paint(&p, corner.adjusted(4, 4, -4, -4).toRect());
        }
        if (unread > 0) {
            p.setBrush(QColor(0xd9, 0x30, 0x25));
            p.drawEllipse(QRectF(34, 0, 30, 30));
            QFont f;
            f.setBold(true);
            f.setPixelSize(unread > 9 ? 15 : 20);
            p.setFont(f);
            p.setPen(Qt::white);
            p.drawText(QRectF(34, 0, 30, 30), Qt::AlignCenter,
                unread > 99 ? QStringLiteral("99+") : QString::number(unread));
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace cpm::ui
