// SPDX-License-Identifier: GPL-3.0-or-later
#include "legacygateways.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent>

#include <algorithm>
#include <curl/curl.h>
#include <mutex>

namespace cpm::server::legacy {

namespace {

// GSM 03.38 segment sizes: a lone message, and each part of a concatenated one (the user
// data header takes the rest).
constexpr int GsmSingle = 160;
constexpr int GsmPart = 153;
constexpr int Ucs2Single = 70;
constexpr int Ucs2Part = 67;
// Of a gateway's answer, this much goes into Outcome::detail.
constexpr qsizetype MaxDetailBody = 200;
// RFC 2047: an encoded-word is at most 75 characters; 45 bytes are 60 base64 characters,
// plus the 12 of "=?UTF-8?B?" and "?=".
constexpr qsizetype MaxEncodedWordBytes = 45;

//! The GSM-7 basic set's characters within Latin-1 (its Greek capitals are left out on
//! purpose, see splitSms).
bool isGsmBasic(QChar c)
{
    static const QString others = QStringLiteral(
        "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5_"
        "\u00c6\u00e6\u00df\u00c9 !\"#\u00a4%&'()*+,-./:;<=>?\u00a1\u00c4\u00d6\u00d1\u00dc"
        "\u00a7\u00bf\u00e4\u00f6\u00f1\u00fc\u00e0");
    const char16_t u = c.unicode();
    if ((u >= u'0' && u <= u'9') || (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z')) {
        return true;
    }
    return u <= 0xff && others.contains(c);
}

void initCurlOnce()
{
    // curl_global_init is not thread-safe; every attempt may start on another pool thread.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct MimeDeleter {
    void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using Mime = std::unique_ptr<curl_mime, MimeDeleter>;

void append(Slist& list, const QByteArray& line)
{
    // curl_slist_append returns the new head, or null (keeping the old list) without memory.
    if (curl_slist* head = curl_slist_append(list.get(), line.constData())) {
        (void)list.release();
        list.reset(head);
    }
}

//! A header value on one line: a CR or LF from a subject or a file name must not start a
//! header of its own.
QString oneLine(QString value)
{
    for (QChar& c : value) {
        if (c == u'\r' || c == u'\n' || c == u'\0') {
            c = u' ';
        }
    }
    return value;
}

bool isAscii(const QString& s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() < 0x80; });
}

//! RFC 2047 encoded-words for a non-ASCII header value, folded; each holds whole characters.
QByteArray encodedWords(const QString& value)
{
    QList<QByteArray> words;
    QByteArray chunk;
    for (qsizetype i = 0; i < value.size();) {
        const qsizetype width = value.at(i).isHighSurrogate() && i + 1 < value.size() ? 2 : 1;
        const QByteArray bytes = value.mid(i, width).toUtf8();
        if (chunk.size() + bytes.size() > MaxEncodedWordBytes) {
            words.append(QByteArrayLiteral("=?UTF-8?B?") + chunk.toBase64() + "?=");
            chunk.clear();
        }
        chunk += bytes;
        i += width;
    }
    if (!chunk.isEmpty()) {
        words.append(QByteArrayLiteral("=?UTF-8?B?") + chunk.toBase64() + "?=");
    }
    return words.join("\r\n ");
}

QByteArray headerText(const QString& value)
{
    const QString line = oneLine(value);
    return isAscii(line) ? line.toLatin1() : encodedWords(line);
}

//! A From: display name: a quoted string, or encoded-words when it is not ASCII.
QByteArray displayName(const QString& name)
{
    const QString line = oneLine(name);
    if (!isAscii(line)) {
        return encodedWords(line);
    }
    QByteArray quoted = line.toLatin1();
    quoted.replace('\\', "\\\\").replace('"', "\\\"");
    return '"' + quoted + '"';
}

//! The message id as a dot-atom-text: the same CPM id always gives the same Message-ID.
QByteArray messageIdLocalPart(const QString& id)
{
    static const QByteArray allowed = QByteArrayLiteral("!#$%&'*+-/=?^_`{|}~.");
    QByteArray out = id.toUtf8();
    for (char& c : out) {
        const bool alnum
            = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && !allowed.contains(c)) {
            c = '_';
        }
    }
    return out;
}

//! Text with CRLF line ends, which SMTP and the quoted-printable encoder expect.
QByteArray crlfText(const QString& text)
{
    QByteArray bytes = text.toUtf8();
    bytes.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
    return bytes;
}

bool isPermanentCurlError(CURLcode code)
{
    switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_READ_ERROR:
    case CURLE_LOGIN_DENIED:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

bool isCertificateError(CURLcode code)
{
    return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE
        || code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR
        || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

QString curlText(CURLcode code, const char* errorBuffer)
{
    const QString text = errorBuffer[0] != '\0' ? QString::fromUtf8(errorBuffer)
                                                : QString::fromUtf8(curl_easy_strerror(code));
    return isCertificateError(code) ? QStringLiteral("TLS certificate not accepted: %1").arg(text)
                                    : text;
}

Outcome failure(bool transient, const QString& detail) { return { false, transient, detail }; }

//! Stops a transfer once the sender is gone (libcurl calls this while it works).
int abortWhenCancelled(void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return static_cast<std::atomic_bool*>(flag)->load() ? 1 : 0;
}

size_t collect(char* data, size_t size, size_t count, void* userdata)
{
    auto* out = static_cast<QByteArray*>(userdata);
    const size_t bytes = size * count;
    // Only what a detail shows is kept; the rest is read and dropped.
    if (out->size() < MaxDetailBody) {
        out->append(data, qsizetype(std::min<size_t>(bytes, size_t(MaxDetailBody))));
    }
    return bytes;
}

//! The options both senders share: protocols, TLS verification, timeouts, cancellation.
void setCommonOptions(CURL* curl, const QUrl& url, const char* protocols, const QString& caFile,
    int timeoutSeconds, std::atomic_bool* cancelled, char* errorBuffer, QByteArray& urlBytes,
    QByteArray& caBytes)
{
    urlBytes = url.toString(QUrl::FullyEncoded).toUtf8();
    curl_easy_setopt(curl, CURLOPT_URL, urlBytes.constData());
    // A misconfigured URL must not make the server read file:// or speak another protocol.
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    // Signals (for DNS timeouts) are not safe in a thread pool.
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!caFile.isEmpty()) {
        caBytes = QFile::encodeName(caFile);
        curl_easy_setopt(curl, CURLOPT_CAINFO, caBytes.constData());
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, long(timeoutSeconds));
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abortWhenCancelled);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancelled);
}

//! The last reply line of an SMTP server (libcurl hands every reply line to the header
//! callback), for a detail that says what the server said.
size_t lastReplyLine(char* data, size_t size, size_t count, void* userdata)
{
    const size_t bytes = size * count;
    const QByteArray line = QByteArray(data, qsizetype(bytes)).trimmed();
    if (!line.isEmpty()) {
        *static_cast<QByteArray*>(userdata) = line.left(MaxDetailBody);
    }
    return bytes;
}

Outcome sendMailNow(
    const SmtpConfig& config, const MailMessage& message, std::atomic_bool* cancelled)
{
    for (const MailPart& part : message.attachments) {
        const QFileInfo file(part.filePath);
        if (!file.isFile() || !file.isReadable()) {
            return failure(false,
                QStringLiteral("attachment %1 is missing: %2").arg(part.name, part.filePath));
        }
    }
    // Declared before the handle: curl_easy_cleanup may still talk to the server (QUIT)
    // and write to the error buffer and reply line.
    char errorBuffer[CURL_ERROR_SIZE] = {};
    QByteArray reply;
    Slist recipients;
    Slist headers;
    initCurlOnce();
    const Easy curl(curl_easy_init());
    if (!curl) {
        return failure(true, QStringLiteral("curl_easy_init failed"));
    }
    QByteArray url, ca;
    setCommonOptions(curl.get(), config.url, "smtp,smtps", config.caFile, config.timeoutSeconds,
        cancelled, errorBuffer, url, ca);
    curl_easy_setopt(curl.get(), CURLOPT_SERVER_RESPONSE_TIMEOUT, long(config.timeoutSeconds));
    // Stalled (under a byte a second for the timeout), not merely slow.
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, long(config.timeoutSeconds));
    // STARTTLS whenever offered; with verification on, a bad certificate fails rather than
    // falling back to plain text.
    curl_easy_setopt(
        curl.get(), CURLOPT_USE_SSL, long(config.requireTls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    const QByteArray user = config.user.toUtf8();
    const QByteArray password = config.password.toUtf8();
    if (!config.user.isEmpty()) {
        curl_easy_setopt(curl.get(), CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password.constData());
    }

    const QByteArray mailFrom = '<' + oneLine(message.from).toUtf8() + '>';
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, mailFrom.constData());
    append(recipients, '<' + oneLine(message.to).toUtf8() + '>');
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());

    const QString subject = message.subject.isEmpty()
        ? QStringLiteral("Message from %1").arg(message.senderCpmAddress)
        : message.subject;
    const QDateTime date = message.timeMs != 0
        ? QDateTime::fromMSecsSinceEpoch(message.timeMs, Qt::UTC)
        : QDateTime::currentDateTimeUtc();
    const QString fromHost = message.from.section(u'@', -1);
    append(headers, "Date: " + date.toString(Qt::RFC2822Date).toLatin1());
    append(headers,
        "From: " + displayName(message.senderCpmAddress) + " <" + oneLine(message.from).toUtf8()
            + '>');
    append(headers, "To: <" + oneLine(message.to).toUtf8() + '>');
    append(headers, "Subject: " + headerText(subject));
    if (!message.messageId.isEmpty()) {
        append(headers,
            "Message-ID: <cpm-" + messageIdLocalPart(message.messageId) + '@'
                + oneLine(fromHost).toUtf8() + '>');
    }
    append(headers, "X-CPM-Sender: " + headerText(message.senderCpmAddress));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());

    const Mime mime(curl_mime_init(curl.get()));
    curl_mimepart* body = curl_mime_addpart(mime.get());
    const QByteArray text = crlfText(message.text);
    curl_mime_data(body, text.constData(), size_t(text.size()));
    curl_mime_type(body, "text/plain; charset=utf-8");
    // Readable for ASCII, safe for 8-bit text and long lines on any relay.
    curl_mime_encoder(body, "quoted-printable");
    for (const MailPart& attachment : message.attachments) {
        curl_mimepart* part = curl_mime_addpart(mime.get());
        if (curl_mime_filedata(part, QFile::encodeName(attachment.filePath).constData())
            != CURLE_OK) {
            return failure(
                false, QStringLiteral("attachment %1 is unreadable").arg(attachment.name));
        }
        curl_mime_filename(part, oneLine(attachment.name).toUtf8().constData());
        const QString type = oneLine(attachment.type);
        curl_mime_type(
            part, type.isEmpty() ? "application/octet-stream" : type.toUtf8().constData());
        curl_mime_encoder(part, "base64");
    }
    curl_easy_setopt(curl.get(), CURLOPT_MIMEPOST, mime.get());
    curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);

    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, lastReplyLine);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &reply);

    const CURLcode code = curl_easy_perform(curl.get());
    if (code == CURLE_OK) {
        return { true, false, QStringLiteral("SMTP %1").arg(QString::fromUtf8(reply)) };
    }
    long smtpCode = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &smtpCode);
    if (smtpCode >= 400 && smtpCode < 600) {
        const QString said = reply.startsWith(QByteArray::number(smtpCode))
            ? QString::fromUtf8(reply)
            : QString::number(smtpCode);
        return failure(smtpCode < 500, QStringLiteral("SMTP %1").arg(said));
    }
    return failure(!isPermanentCurlError(code), curlText(code, errorBuffer));
}

Outcome sendSmsNow(const SmsConfig& config, const QString& toNumber, const QStringList& segments,
    const QString& reference, std::atomic_bool* cancelled)
{
    // Declared before the handle, which may still use them while it is cleaned up.
    char errorBuffer[CURL_ERROR_SIZE] = {};
    QByteArray answer;
    Slist headers;
    initCurlOnce();
    const Easy curl(curl_easy_init());
    if (!curl) {
        return failure(true, QStringLiteral("curl_easy_init failed"));
    }
    QByteArray url, ca;
    setCommonOptions(curl.get(), config.url, "http,https", config.caFile, config.timeoutSeconds,
        cancelled, errorBuffer, url, ca);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, long(config.timeoutSeconds));
    append(headers, "Content-Type: application/json");
    // No 100-continue round trip: the bodies are small.
    append(headers, "Expect:");
    if (!config.token.isEmpty()) {
        append(headers, "Authorization: Bearer " + oneLine(config.token).toUtf8());
    }
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);

    const qsizetype count = segments.size();
    for (qsizetype i = 0; i < count; ++i) {
        const QByteArray json = QJsonDocument(QJsonObject {
                                                  { QStringLiteral("to"), toNumber },
                                                  { QStringLiteral("from"), config.from },
                                                  { QStringLiteral("text"), segments.at(i) },
                                                  { QStringLiteral("segment"), i + 1 },
                                                  { QStringLiteral("segments"), count },
                                                  { QStringLiteral("reference"), reference },
                                              })
                                    .toJson(QJsonDocument::Compact);
        // The handle (and its connection) is reused; the body changes per segment.
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, long(json.size()));
        curl_easy_setopt(curl.get(), CURLOPT_COPYPOSTFIELDS, json.constData());
        answer.clear();
        errorBuffer[0] = '\0';
        const QString which = QStringLiteral("segment %1/%2").arg(i + 1).arg(count);
        const CURLcode code = curl_easy_perform(curl.get());
        if (code != CURLE_OK) {
            return failure(!isPermanentCurlError(code),
                QStringLiteral("%1: %2").arg(which, curlText(code, errorBuffer)));
        }
        long status = 0;
        curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300) {
            const bool transient = status == 429 || status >= 500;
            const QString body = QString::fromUtf8(answer).simplified();
            return failure(transient,
                QStringLiteral("%1: HTTP %2%3")
                    .arg(which)
                    .arg(status)
                    .arg(body.isEmpty() ? QString() : QStringLiteral(" ") + body));
        }
    }
    return { true, false, QStringLiteral("%1 segment(s) accepted").arg(count) };
}

//! Runs \a work on the global pool and hands its outcome to \a done on \a context's thread;
//! the watcher is the context's child, so a context gone first means no call.
void runAsync(QObject* context, std::function<Outcome()> work, std::function<void(Outcome)> done)
{
    auto* watcher = new QFutureWatcher<Outcome>(context);
    QObject::connect(
        watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)] {
            const Outcome outcome = watcher->result();
            watcher->deleteLater();
            if (done) {
                done(outcome);
            }
        });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

} // namespace

QStringList splitSms(const QString& text)
{
    const bool gsm = std::all_of(text.begin(), text.end(), isGsmBasic);
    const qsizetype single = gsm ? GsmSingle : Ucs2Single;
    const qsizetype part = gsm ? GsmPart : Ucs2Part;
    if (text.size() <= single) {
        return { text };
    }
    QStringList segments;
    for (qsizetype at = 0; at < text.size();) {
        qsizetype length = std::min(part, text.size() - at);
        // A pair split across two messages shows as two broken characters.
        if (at + length < text.size() && text.at(at + length - 1).isHighSurrogate()) {
            --length;
        }
        segments.append(text.mid(at, length));
        at += length;
    }
    return segments;
}

SmtpSender::SmtpSender(QObject* parent)
    : QObject(parent)
    , m_cancelled(std::make_shared<std::atomic_bool>(false))
{
}

SmtpSender::~SmtpSender() { m_cancelled->store(true); }

void SmtpSender::sendMail(
    const SmtpConfig& config, const MailMessage& message, std::function<void(Outcome)> done)
{
    runAsync(
        this,
        [config, message, cancelled = m_cancelled] {
            return sendMailNow(config, message, cancelled.get());
        },
        std::move(done));
}

SmsSender::SmsSender(QObject* parent)
    : QObject(parent)
    , m_cancelled(std::make_shared<std::atomic_bool>(false))
{
}

SmsSender::~SmsSender() { m_cancelled->store(true); }

void SmsSender::sendSms(const SmsConfig& config, const QString& toNumber,
    const QStringList& segments, const QString& reference, std::function<void(Outcome)> done)
{
    runAsync(
        this,
        [config, toNumber, segments, reference, cancelled = m_cancelled] {
            return sendSmsNow(config, toNumber, segments, reference, cancelled.get());
        },
        std::move(done));
}

} // namespace cpm::server::legacy
