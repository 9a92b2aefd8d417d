<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>cpm::ui::Composer</name>
    <message numerus="yes">
        <source>At most %n files can go with one message.</source>
        <translation>
            <numerusform>At most %n file can go with one message.</numerusform>
            <numerusform>At most %n files can go with one message.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::MainWindow</name>
    <message numerus="yes">
        <source>↓ %n new</source>
        <translation>
            <numerusform>↓ %n new</numerusform>
            <numerusform>↓ %n new</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unread messages below</source>
        <translation>
            <numerusform>%n unread message below</numerusform>
            <numerusform>%n unread messages below</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Loading %Ln messages…</source>
        <translation>
            <numerusform>Loading %Ln message…</numerusform>
            <numerusform>Loading %Ln messages…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln messages here were only notified to this device.</source>
        <translation>
            <numerusform>%Ln message here was only notified to this device.</numerusform>
            <numerusform>%Ln messages here were only notified to this device.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::MessageDelegate</name>
    <message numerus="yes">
        <source>(%n attachment(s): %1)</source>
        <translation>
            <numerusform>(%n attachment: %1)</numerusform>
            <numerusform>(%n attachments: %1)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::MissedRequestBar</name>
    <message numerus="yes">
        <source>You missed %n chat session requests from %1, the last at %2</source>
        <translation>
            <numerusform>You missed a chat session request from %1 at %2</numerusform>
            <numerusform>You missed %n chat session requests from %1, the last at %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::MyFilesDialog</name>
    <message numerus="yes">
        <source>Delete %n files from your storage? Messages that carry them can no longer be downloaded by anyone who has not got them yet.</source>
        <translation>
            <numerusform>Delete this file from your storage? Messages that carry it can no longer be downloaded by anyone who has not got it yet.</numerusform>
            <numerusform>Delete %n files from your storage? Messages that carry them can no longer be downloaded by anyone who has not got them yet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::Notifier</name>
    <message numerus="yes">
        <source>%Ln new messages in %1 conversations</source>
        <translation>
            <numerusform>%Ln new message in %1 conversations</numerusform>
            <numerusform>%Ln new messages in %1 conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln new messages from %1</source>
        <translation>
            <numerusform>%Ln new message from %1</numerusform>
            <numerusform>%Ln new messages from %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::SessionBar</name>
    <message numerus="yes">
        <source>Loading the conversation… received so far: %n</source>
        <translation>
            <numerusform>Loading the conversation… received so far: %n</numerusform>
            <numerusform>Loading the conversation… received so far: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Loaded from before the move: %n</source>
        <translation>
            <numerusform>Loaded from before the move: %n</numerusform>
            <numerusform>Loaded from before the move: %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::SessionRequestBar</name>
    <message numerus="yes">
        <source>%1 (%n more waiting)</source>
        <translation>
            <numerusform>%1 (%n more waiting)</numerusform>
            <numerusform>%1 (%n more waiting)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cpm::ui::SignInDialog</name>
    <message numerus="yes">
        <source>Give at most %n server addresses.</source>
        <translation>
            <numerusform>Give at most %n server address.</numerusform>
            <numerusform>Give at most %n server addresses.</numerusform>
        </translation>
    </message>
</context>
</TS>
