// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The gateway layer of the interworking function (issue 11, MSG-8): one attempt at handing
// a converted CPM message to an SMTP relay or to an HTTP SMS gateway. libcurl speaks SMTP,
// HTTP, TLS and MIME; these classes only fill in its options and classify what happened.
// Which message goes where, retries and their bookkeeping belong to the caller.
//
// How failures are classified (Outcome::transient):
//  - transient: nothing listening, timeouts, a connection that broke, SMTP 4xx, HTTP 5xx and
//    429, and any curl error not listed below (retrying is harmless when unsure).
//  - permanent: SMTP 5xx, HTTP 4xx other than 429 (and 3xx: the gateway URL is wrong), a
//    missing or unreadable attachment file, a URL curl cannot use, refused credentials, and
//    every TLS verification failure (untrusted or mismatching certificate, an unreadable
//    caFile, a server that does not offer STARTTLS when requireTls is set). A certificate
//    does not fix itself between retries: the operator must; `detail` says "certificate".

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>

namespace cpm::server::legacy {

//! An attachment file on disk (the server's attachment store).
struct MailPart {
    QString name;
    QString type;
    QString filePath;
};

struct MailMessage {
    QString from; //!< envelope and From: address (operator-configured sender)
    QString to; //!< recipient's e-mail address
    QString senderCpmAddress; //!< the CPM sender: From's display name and X-CPM-Sender
    QString subject; //!< empty: "Message from <senderCpmAddress>"
    QString text; //!< the body, sent as text/plain; charset=utf-8
    QString messageId; //!< the CPM message id: Message-ID <cpm-ID@host-of-from>
    qint64 timeMs = 0; //!< Date: header; 0 means now
    QList<MailPart> attachments;
};

struct SmtpConfig {
    //! smtp://host:port (STARTTLS when the server offers it) or smtps://host:port (implicit
    //! TLS).
    QUrl url;
    //! smtp:// only: fail unless the session is upgraded with STARTTLS.
    bool requireTls = false;
    QString user; //!< optional AUTH
    QString password;
    QString caFile; //!< optional CA bundle or certificate; verification is always on
    //! For each step (connect, each server reply, a stalled upload), not the whole attempt:
    //! a large attachment on a slow link is not cut off while bytes keep moving.
    int timeoutSeconds = 30;
};

struct SmsConfig {
    QUrl url; //!< http(s)://host:port/path of the gateway
    QString token; //!< optional: "Authorization: Bearer TOKEN"
    QString from; //!< sender id shown on the phone
    QString caFile;
    int timeoutSeconds = 30; //!< for each segment's request
};

//! The outcome of one attempt (see the top of this file for what is transient).
struct Outcome {
    bool ok = false;
    bool transient = false;
    QString detail; //!< human-readable: "SMTP 550 ...", "HTTP 503", curl's error text
};

//! Splits \a text into SMS segments in order: one if it fits in 160 GSM-7 characters (70 when
//! any character is outside the GSM-7 basic set; characters outside Latin-1 always count as
//! such, so the Greek letters of the set make a UCS-2 message too: never an overlong
//! segment), otherwise segments of 153 (GSM-7) or 67 (UCS-2, counted in UTF-16 units)
//! characters, never splitting a surrogate pair. Empty text: one empty segment.
QStringList splitSms(const QString& text);

//! Sends e-mail through an SMTP relay, one message per call, off the caller's thread.
//! Destroying the sender drops the callbacks of attempts still running (and asks them to
//! stop).
class SmtpSender : public QObject {
    Q_OBJECT

public:
    explicit SmtpSender(QObject* parent = nullptr);
    ~SmtpSender() override;

    //! \a done is called on this object's thread, unless the sender is gone by then.
    void sendMail(
        const SmtpConfig& config, const MailMessage& message, std::function<void(Outcome)> done);

private:
    std::shared_ptr<std::atomic_bool> m_cancelled;
};

//! Posts SMS segments to an HTTP gateway as JSON, off the caller's thread.
class SmsSender : public QObject {
    Q_OBJECT

public:
    explicit SmsSender(QObject* parent = nullptr);
    ~SmsSender() override;

    //! Posts `{"to","from","text","segment" (1-based),"segments","reference"}` for each of
    //! \a segments in order, each only after the previous one got 2xx; stops at the first
    //! failure (`detail` names the segment: those before it were delivered). \a done is
    //! called on this object's thread, unless the sender is gone by then.
    void sendSms(const SmsConfig& config, const QString& toNumber, const QStringList& segments,
        const QString& reference, std::function<void(Outcome)> done);

private:
    std::shared_ptr<std::atomic_bool> m_cancelled;
};

} // namespace cpm::server::legacy
