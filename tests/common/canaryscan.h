// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The canary scan of issue 9 (GST-4, GST-5): plant random, unique strings in a user's data,
// let a guest session hold them, then look for them on disk in the encodings a leak could
// take — the text itself (UTF-8), its bytes as hex (lower and upper case), base64 and
// base64url (at each of the three alignments a surrounding blob may give it), and UTF-16
// (LE and BE). Header-only, so the CLI and the desktop tests share it.
//
// A scan that cannot see what it looks for proves nothing: a test plants a canary in a
// control file first and requires the scan to find it in every encoding
// (writeControlFile() and encodings() help).

#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QRandomGenerator>
#include <QSet>
#include <QString>
#include <QStringList>

namespace cpm::test {

struct CanaryHit {
    QString file;
    QString canary;
    QString encoding;

    QString toString() const { return QStringLiteral("%1 (%2) in %3").arg(canary, encoding, file); }
};

//! One form a canary may take on disk: its name and the bytes to look for.
struct CanaryEncoding {
    QString name;
    QByteArray bytes;
};

class CanaryScan final {
public:
    //! \a count fresh canaries: `cnry` and 20 random lower-case hex digits, all distinct.
    static QStringList makeCanaries(int count)
    {
        QSet<QString> seen;
        QStringList out;
        while (out.size() < count) {
            QString canary = QStringLiteral("cnry");
            for (int i = 0; i < 20; ++i) {
                canary += QLatin1Char("0123456789abcdef"[QRandomGenerator::system()->bounded(16)]);
            }
            if (!seen.contains(canary)) {
                seen.insert(canary);
                out.append(canary);
            }
        }
        return out;
    }

    /*!
     * The forms of \a canary a scan looks for. base64 and base64url come three times each:
     * the canary may start at any byte of a 3-byte group, so each is the part of the
     * encoding that depends on the canary alone (whole groups, without the ones it shares
     * with the bytes around it).
     */
    static QList<CanaryEncoding> encodings(const QString& canary)
    {
        const QByteArray utf8 = canary.toUtf8();
        QList<CanaryEncoding> out {
            { QStringLiteral("raw"), utf8 },
            { QStringLiteral("hex"), utf8.toHex() },
            { QStringLiteral("HEX"), utf8.toHex().toUpper() },
        };
        QByteArray le;
        QByteArray be;
        for (const QChar c : canary) {
            const char16_t u = c.unicode();
            le.append(char(u & 0xff)).append(char(u >> 8));
            be.append(char(u >> 8)).append(char(u & 0xff));
        }
        out.append({ QStringLiteral("utf-16le"), le });
        out.append({ QStringLiteral("utf-16be"), be });
        for (const auto& [name, options] :
            { std::pair { QStringLiteral("base64"), QByteArray::Base64Encoding },
                std::pair { QStringLiteral("base64url"), QByteArray::Base64UrlEncoding } }) {
            for (int shift = 0; shift < 3; ++shift) {
                const QByteArray shifted = QByteArray(shift, '\0') + utf8;
                const QByteArray encoded
                    = shifted.toBase64(options | QByteArray::OmitTrailingEquals);
                // Whole groups only (a partial last group depends on what follows), and
                // without the characters that carry bits of the bytes before.
                const qsizetype whole = shifted.size() / 3 * 4;
                const qsizetype skip = shift == 0 ? 0 : shift + 1;
                out.append({ QStringLiteral("%1@%2").arg(name).arg(shift),
                    encoded.left(whole).mid(skip) });
            }
        }
        return out;
    }

    /*!
     * Writes \a canary into \a path in every form of encodings(), each between filler
     * bytes of a different length (so base64 sits at every alignment). For the control.
     */
    static bool writeControlFile(const QString& path, const QString& canary)
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            return false;
        }
        const QByteArray utf8 = canary.toUtf8();
        QByteArray content;
        for (int shift = 0; shift < 3; ++shift) {
            // The way a program would write it: encode the whole buffer it holds.
            const QByteArray blob = QByteArray(shift, 'x') + utf8 + QByteArray("tail");
            content += "\n" + blob.toBase64() + "\n" + blob.toBase64(QByteArray::Base64UrlEncoding);
        }
        for (const CanaryEncoding& e : encodings(canary)) {
            if (!e.name.startsWith(QLatin1StringView("base64"))) {
                content += "\n--" + e.bytes + "--";
            }
        }
        return file.write(content) == content.size();
    }

    explicit CanaryScan(const QStringList& canaries)
    {
        for (const QString& canary : canaries) {
            for (const CanaryEncoding& e : encodings(canary)) {
                m_needles.append({ canary, e.name, e.bytes });
            }
        }
    }

    /*!
     * Every hit under \a roots (files and directories, recursively, hidden ones included;
     * symbolic links are not followed). Regular files are read whole; a file that cannot
     * be read is a hit of its own (encoding "unreadable"): a scan must not pass by not
     * looking.
     */
    QList<CanaryHit> scan(const QStringList& roots)
    {
        QList<CanaryHit> hits;
        m_filesScanned = 0;
        QSet<QString> seen;
        for (const QString& root : roots) {
            const QFileInfo info(root);
            QStringList files;
            if (info.isFile() && !info.isSymLink()) {
                files.append(info.absoluteFilePath());
            } else if (info.isDir() && !info.isSymLink()) {
                QDirIterator it(
                    root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
                while (it.hasNext()) {
                    files.append(it.next());
                }
            }
            for (const QString& path : std::as_const(files)) {
                const QFileInfo file(path);
                if (file.isSymLink() || !file.isFile() || seen.contains(file.absoluteFilePath())) {
                    continue; // a link, a socket or a FIFO (reading one would block)
                }
                seen.insert(file.absoluteFilePath());
                scanFile(file.absoluteFilePath(), &hits);
            }
        }
        return hits;
    }

    //! How many files the last scan() read.
    int filesScanned() const { return m_filesScanned; }

    static QString describe(const QList<CanaryHit>& hits)
    {
        QStringList lines;
        for (const CanaryHit& hit : hits.mid(0, 20)) {
            lines.append(hit.toString());
        }
        if (hits.size() > 20) {
            lines.append(QStringLiteral("… and %1 more").arg(hits.size() - 20));
        }
        return lines.join(QLatin1Char('\n'));
    }

private:
    struct Needle {
        QString canary;
        QString encoding;
        QByteArray bytes;
    };

    void scanFile(const QString& path, QList<CanaryHit>* hits)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            hits->append({ path, QString(), QStringLiteral("unreadable") });
            return;
        }
        const QByteArray content = file.readAll();
        ++m_filesScanned;
        for (const Needle& needle : std::as_const(m_needles)) {
            if (content.contains(needle.bytes)) {
                hits->append({ path, needle.canary, needle.encoding });
            }
        }
    }

    QList<Needle> m_needles;
    int m_filesScanned = 0;
};

} // namespace cpm::test
