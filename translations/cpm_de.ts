<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Attachments</name>
    <message>
        <source>Save attachment</source>
        <translation>Anhang speichern</translation>
    </message>
    <message>
        <source>A guest cannot open files with other applications. Use Save as… instead.</source>
        <translation>Ein Gast kann Dateien nicht mit anderen Anwendungen öffnen. Verwenden Sie stattdessen „Speichern unter…“.</translation>
    </message>
    <message>
        <source>Could not make a temporary copy to open.</source>
        <translation>Es konnte keine temporäre Kopie zum Öffnen angelegt werden.</translation>
    </message>
    <message>
        <source>No application is set up to open this kind of file.</source>
        <translation>Für diese Art von Datei ist keine Anwendung eingerichtet.</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>The address or the password is wrong. Check both and try again.</source>
        <translation>Die Adresse oder das Passwort ist falsch. Überprüfen Sie beides und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>This account has been disabled by the operator.</source>
        <translation>Dieses Konto wurde vom Betreiber deaktiviert.</translation>
    </message>
    <message>
        <source>This device was signed out from another device. Sign in again.</source>
        <translation>Dieses Gerät wurde von einem anderen Gerät aus abgemeldet. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>The server at %1 speaks a protocol version this application does not support. Update the application or the server.</source>
        <translation>Der Server unter %1 verwendet eine Protokollversion, die diese Anwendung nicht unterstützt. Aktualisieren Sie die Anwendung oder den Server.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1. Check the server address and that the server is running, then try again.</source>
        <translation>Der Server unter %1 ist nicht erreichbar. Überprüfen Sie die Serveradresse und ob der Server läuft, und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>You have reached today&apos;s message limit set by your operator.</source>
        <translation>Sie haben das von Ihrem Betreiber festgelegte Tageslimit für Nachrichten erreicht.</translation>
    </message>
    <message>
        <source>There is no user with that address.</source>
        <translation>Es gibt keinen Benutzer mit dieser Adresse.</translation>
    </message>
    <message>
        <source>That item no longer exists.</source>
        <translation>Dieses Element existiert nicht mehr.</translation>
    </message>
    <message>
        <source>You are offline. The action will work once the connection is back.</source>
        <translation>Sie sind offline. Die Aktion ist wieder möglich, sobald die Verbindung wiederhergestellt ist.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Try again.</source>
        <translation>Der Server hat nicht rechtzeitig geantwortet. Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Something went wrong (%1). Try again; if it keeps happening, copy the diagnostics and report it.</source>
        <translation>Etwas ist schiefgelaufen (%1). Versuchen Sie es erneut; wenn der Fehler weiterhin auftritt, kopieren Sie die Diagnosedaten und melden Sie den Fehler.</translation>
    </message>
    <message>
        <source>That cannot be done as entered. Check the address and the text.</source>
        <translation>So lässt sich das nicht ausführen. Prüfen Sie die Adresse und den Text.</translation>
    </message>
    <message>
        <source>This changed elsewhere at the same time. Try again.</source>
        <translation>Das wurde gleichzeitig anderswo geändert. Versuchen Sie es noch einmal.</translation>
    </message>
    <message>
        <source>The server is busy right now. Try again in a moment.</source>
        <translation>Der Server ist gerade ausgelastet. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The server&apos;s storage is full. You can still read; new messages and changes wait until the operator makes room.</source>
        <translation>Der Speicher des Servers ist voll. Lesen geht weiter; neue Nachrichten und Änderungen warten, bis der Betreiber Platz geschaffen hat.</translation>
    </message>
    <message>
        <source>The disk of this computer is full. Free some space: until then new messages cannot be stored on this device.</source>
        <translation>Die Festplatte dieses Computers ist voll. Geben Sie Speicherplatz frei: bis dahin können auf diesem Gerät keine neuen Nachrichten gespeichert werden.</translation>
    </message>
    <message>
        <source>The messages stored on this device are damaged. Restart the application: it sets the damaged copy aside and downloads your messages again.</source>
        <translation>Die auf diesem Gerät gespeicherten Nachrichten sind beschädigt. Starten Sie die Anwendung neu: Sie legt die beschädigte Kopie beiseite und lädt Ihre Nachrichten erneut herunter.</translation>
    </message>
    <message>
        <source>The messages stored on this device cannot be changed: the profile folder or its disk is read-only.</source>
        <translation>Die auf diesem Gerät gespeicherten Nachrichten können nicht geändert werden: Der Profilordner oder sein Datenträger ist schreibgeschützt.</translation>
    </message>
    <message>
        <source>The messages stored on this device are busy. Try again in a moment.</source>
        <translation>Die auf diesem Gerät gespeicherten Nachrichten sind gerade belegt. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The messages stored on this device could not be read or written. Check the disk; if it keeps happening, copy the diagnostics and report it.</source>
        <translation>Die auf diesem Gerät gespeicherten Nachrichten konnten nicht gelesen oder geschrieben werden. Prüfen Sie den Datenträger; wenn es wieder passiert, kopieren Sie die Diagnose und melden Sie den Fehler.</translation>
    </message>
    <message>
        <source>This profile is already open in another window. Use that window, or close it first.</source>
        <translation>Dieses Profil ist bereits in einem anderen Fenster geöffnet. Verwenden Sie jenes Fenster oder schließen Sie es zuerst.</translation>
    </message>
    <message>
        <source>The profile folder cannot be used. Check that it exists and can be written.</source>
        <translation>Der Profilordner kann nicht verwendet werden. Prüfen Sie, ob er existiert und beschreibbar ist.</translation>
    </message>
    <message>
        <source>This device is not signed in.</source>
        <translation>Dieses Gerät ist nicht angemeldet.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>The profile in %1 cannot be opened. %2</source>
        <translation>Das Profil in %1 kann nicht geöffnet werden. %2</translation>
    </message>
    <message>
        <source>The messages stored on this device were damaged and have been set aside. They are being downloaded again; messages not yet sent from this device are lost.</source>
        <translation>Die auf diesem Gerät gespeicherten Nachrichten waren beschädigt und wurden beiseitegelegt. Sie werden erneut heruntergeladen; noch nicht gesendete Nachrichten dieses Geräts sind verloren.</translation>
    </message>
    <message>
        <source>The server is busy with other sign-ins. Try again in a few seconds.</source>
        <translation>Der Server prüft gerade viele andere Anmeldungen. Versuchen Sie es in einigen Sekunden erneut.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins for this address or from this network. Try again in %1 min.</source>
        <translation>Zu viele fehlgeschlagene Anmeldungen für diese Adresse oder aus diesem Netzwerk. Versuchen Sie es in %1 Min. erneut.</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate this computer does not trust. If your operator runs its own certificate authority, choose its certificate as the trusted CA file. Otherwise do not sign in: someone may be impersonating the server.</source>
        <translation>Der Server unter %1 hat ein Zertifikat vorgelegt, dem dieser Computer nicht vertraut. Wenn Ihr Betreiber eine eigene Zertifizierungsstelle betreibt, wählen Sie deren Zertifikat als vertrauenswürdige CA-Datei. Andernfalls melden Sie sich nicht an: Jemand könnte sich als der Server ausgeben.</translation>
    </message>
    <message>
        <source>The certificate of the server at %1 has expired or is not valid yet. Check this computer&apos;s date and time; if they are right, tell the operator.</source>
        <translation>Das Zertifikat des Servers unter %1 ist abgelaufen oder noch nicht gültig. Prüfen Sie Datum und Uhrzeit dieses Computers; stimmen sie, informieren Sie den Betreiber.</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate for another name. Check the server address; if it is right, tell the operator.</source>
        <translation>Der Server unter %1 hat ein Zertifikat für einen anderen Namen vorgelegt. Prüfen Sie die Serveradresse; stimmt sie, informieren Sie den Betreiber.</translation>
    </message>
    <message>
        <source>A secure connection to %1 could not be set up. Check the trusted CA file and the server address.</source>
        <translation>Eine sichere Verbindung zu %1 konnte nicht aufgebaut werden. Prüfen Sie die vertrauenswürdige CA-Datei und die Serveradresse.</translation>
    </message>
    <message>
        <source>%1 is not encrypted: your password would cross the network in the clear. Use a wss:// address, or allow an unencrypted connection if you trust this network.</source>
        <translation>%1 ist nicht verschlüsselt: Ihr Passwort würde im Klartext durch das Netz gehen. Verwenden Sie eine wss://-Adresse oder erlauben Sie eine unverschlüsselte Verbindung, wenn Sie diesem Netzwerk vertrauen.</translation>
    </message>
    <message>
        <source>The server&apos;s identity could not be verified, so the connection was not made. Sign in again to see why.</source>
        <translation>Die Identität des Servers konnte nicht geprüft werden, daher wurde keine Verbindung hergestellt. Melden Sie sich erneut an, um den Grund zu sehen.</translation>
    </message>
    <message>
        <source>The connection is not encrypted, so the password was not sent.</source>
        <translation>Die Verbindung ist nicht verschlüsselt, daher wurde das Passwort nicht gesendet.</translation>
    </message>
    <message>
        <source>This account has the most devices signed in that the server allows. Sign out a device you no longer use (Devices), then try again.</source>
        <translation>Für dieses Konto sind bereits so viele Geräte angemeldet, wie der Server erlaubt. Melden Sie ein Gerät ab, das Sie nicht mehr verwenden (Geräte), und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>Your contacts and settings have reached the size your server allows. Remove contacts you no longer need, then try again.</source>
        <translation>Ihre Kontakte und Einstellungen haben die Größe erreicht, die Ihr Server erlaubt. Entfernen Sie Kontakte, die Sie nicht mehr brauchen, und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>There is no computer named %1. Check the server address for a typing mistake, and that this computer is connected to the network.</source>
        <translation>Es gibt keinen Rechner namens %1. Prüfen Sie die Serveradresse auf Tippfehler und ob dieser Computer mit dem Netzwerk verbunden ist.</translation>
    </message>
    <message>
        <source>Nothing answers at %1, port %2: the CPM server is not running there, or the port is wrong. Check the port in the server address, and ask the operator whether the server is up.</source>
        <translation>Unter %1, Port %2 antwortet nichts: Dort läuft kein CPM-Server, oder der Port ist falsch. Prüfen Sie den Port in der Serveradresse und fragen Sie den Betreiber, ob der Server läuft.</translation>
    </message>
    <message>
        <source>Something answers at %1, but it is not a CPM server. Check the server address and port: another program (a web server, for one) runs there.</source>
        <translation>Unter %1 antwortet etwas, aber kein CPM-Server. Prüfen Sie Serveradresse und Port: Dort läuft ein anderes Programm (etwa ein Webserver).</translation>
    </message>
    <message>
        <source>This chat session request was already answered on another of your devices.</source>
        <translation>Diese Anfrage für eine Chat-Sitzung wurde schon auf einem anderen Ihrer Geräte beantwortet.</translation>
    </message>
    <message>
        <source>This chat session has ended. Start a new one to talk now.</source>
        <translation>Diese Chat-Sitzung ist beendet. Starten Sie eine neue, um jetzt zu chatten.</translation>
    </message>
    <message>
        <source>This chat session continues on another of your devices. Use “Continue here” to take it over.</source>
        <translation>Diese Chat-Sitzung läuft auf einem anderen Ihrer Geräte weiter. Mit „Hier fortsetzen“ übernehmen Sie sie.</translation>
    </message>
    <message>
        <source>That device is not connected. A chat session can only move to a device that is online; open the app there and try again.</source>
        <translation>Dieses Gerät ist nicht verbunden. Eine Chat-Sitzung kann nur auf ein Gerät wechseln, das online ist; öffnen Sie die App dort und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>This server does not allow signing in as a guest. Sign in normally, or ask the operator.</source>
        <translation>Dieser Server erlaubt keine Anmeldung als Gast. Melden Sie sich normal an oder fragen Sie den Betreiber.</translation>
    </message>
    <message>
        <source>Your account does not allow guest sign-in. Allow it in the settings on one of your own devices, then try again.</source>
        <translation>Ihr Konto erlaubt keine Gast-Anmeldung. Erlauben Sie sie in den Einstellungen auf einem Ihrer eigenen Geräte und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>A guest sign-in cannot do that. Use one of your own devices.</source>
        <translation>Als Gast angemeldet ist das nicht möglich. Verwenden Sie eines Ihrer eigenen Geräte.</translation>
    </message>
    <message>
        <source>The message or file is larger than your server allows.</source>
        <translation>Die Nachricht oder Datei ist größer, als Ihr Server erlaubt.</translation>
    </message>
    <message>
        <source>Your storage on the server is full. Delete files you no longer need in My files, then try again.</source>
        <translation>Ihr Speicher auf dem Server ist voll. Löschen Sie unter „Meine Dateien“ Dateien, die Sie nicht mehr brauchen, und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The file changed while it was being sent. Send it again.</source>
        <translation>Die Datei hat sich beim Senden geändert. Senden Sie sie erneut.</translation>
    </message>
</context>
<context>
    <name>SessionText</name>
    <message>
        <source>%1 wants to chat now</source>
        <translation>%1 möchte jetzt chatten</translation>
    </message>
    <message>
        <source>%1 wants to chat now — %2</source>
        <translation>%1 möchte jetzt chatten — %2</translation>
    </message>
    <message>
        <source>Session request declined</source>
        <translation>Sitzungsanfrage abgelehnt</translation>
    </message>
    <message>
        <source>Session declined by %1</source>
        <translation>Sitzung von %1 abgelehnt</translation>
    </message>
    <message>
        <source>Session request cancelled</source>
        <translation>Sitzungsanfrage zurückgezogen</translation>
    </message>
    <message>
        <source>Session request cancelled by %1</source>
        <translation>Sitzungsanfrage von %1 zurückgezogen</translation>
    </message>
    <message>
        <source>Session request timed out: nobody answered</source>
        <translation>Sitzungsanfrage abgelaufen: niemand hat geantwortet</translation>
    </message>
    <message>
        <source>Session ended: your device went away</source>
        <translation>Sitzung beendet: Ihr Gerät war nicht mehr erreichbar</translation>
    </message>
    <message>
        <source>Session ended: %1&apos;s device went away</source>
        <translation>Sitzung beendet: das Gerät von %1 war nicht mehr erreichbar</translation>
    </message>
    <message>
        <source>Session ended by you</source>
        <translation>Sitzung von Ihnen beendet</translation>
    </message>
    <message>
        <source>Session ended by %1</source>
        <translation>Sitzung von %1 beendet</translation>
    </message>
</context>
<context>
    <name>cpm::ui</name>
    <message>
        <source>Laptop</source>
        <translation>Laptop</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Mobiltelefon</translation>
    </message>
    <message>
        <source>Fixed phone</source>
        <translation>Festnetztelefon</translation>
    </message>
    <message>
        <source>Tablet / PDA</source>
        <translation>Tablet / PDA</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop-PC</translation>
    </message>
</context>
<context>
    <name>cpm::ui::AttachmentViewer</name>
    <message>
        <source>Picture %1</source>
        <translation>Bild %1</translation>
    </message>
    <message>
        <source>This picture cannot be shown: %1</source>
        <translation>Dieses Bild kann nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Speichern unter…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::Composer</name>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Subject (optional)</source>
        <translation>Betreff (optional)</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Betreff</translation>
    </message>
    <message>
        <source>Write a message — Enter sends, Shift+Enter adds a line</source>
        <translation>Nachricht schreiben – Enter sendet, Umschalt+Enter fügt eine Zeile ein</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Nachrichtentext</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Senden (Enter)</translation>
    </message>
    <message>
        <source>Say something in the chat session — Enter sends, Shift+Enter adds a line</source>
        <translation>In der Chat-Sitzung schreiben — Eingabe sendet, Umschalt+Eingabe fügt eine Zeile hinzu</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Anhängen</translation>
    </message>
    <message>
        <source>Attach files (Ctrl+Shift+A) — or drop or paste them here</source>
        <translation>Dateien anhängen (Strg+Umschalt+A) – oder hier ablegen oder einfügen</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Dateien anhängen</translation>
    </message>
    <message numerus="yes">
        <source>At most %n files can go with one message.</source>
        <translation>
            <numerusform>Höchstens %n Datei kann mit einer Nachricht gesendet werden.</numerusform>
            <numerusform>Höchstens %n Dateien können mit einer Nachricht gesendet werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” cannot be read: it is not a file, or it is gone.</source>
        <translation>„%1“ kann nicht gelesen werden: Es ist keine Datei oder existiert nicht mehr.</translation>
    </message>
    <message>
        <source>A guest cannot paste pictures. Save the picture to a file and attach that file instead.</source>
        <translation>Ein Gast kann keine Bilder einfügen. Speichern Sie das Bild als Datei und hängen Sie diese Datei an.</translation>
    </message>
    <message>
        <source>The pasted picture could not be kept for sending.</source>
        <translation>Das eingefügte Bild konnte nicht zum Senden aufbewahrt werden.</translation>
    </message>
    <message>
        <source>%1 (%2)  ✕</source>
        <translation>%1 (%2)  ✕</translation>
    </message>
    <message>
        <source>Remove %1 from the message</source>
        <translation>%1 aus der Nachricht entfernen</translation>
    </message>
    <message>
        <source>Attached: %1, %2. Press to remove.</source>
        <translation>Angehängt: %1, %2. Drücken zum Entfernen.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::ContactsDialog</name>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>&amp;Write a message</source>
        <translation>Nachricht &amp;schreiben</translation>
    </message>
    <message>
        <source>Contacts — %1</source>
        <translation>Kontakte – %1</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Kontakte</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Contact address</source>
        <translation>Adresse des Kontakts</translation>
    </message>
    <message>
        <source>Name (optional)</source>
        <translation>Name (optional)</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Name des Kontakts</translation>
    </message>
    <message>
        <source>A&amp;ddress:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;</source>
        <translation>%1 &lt;%2&gt;</translation>
    </message>
    <message>
        <source>“%1” is not a CPM address. It looks like name@example.com.</source>
        <translation>„%1“ ist keine CPM-Adresse. Eine CPM-Adresse sieht so aus: name@example.com.</translation>
    </message>
    <message>
        <source>Add a contact</source>
        <translation>Kontakt hinzufügen</translation>
    </message>
    <message>
        <source>No contacts yet. Type someone&apos;s address below and press Add; a name is optional.</source>
        <translation>Noch keine Kontakte. Geben Sie unten eine Adresse ein und klicken Sie auf Hinzufügen; ein Name ist optional.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::ConversationDelegate</name>
    <message>
        <source>Busy</source>
        <translation>Beschäftigt</translation>
    </message>
    <message>
        <source>Busy: %1</source>
        <translation>Beschäftigt: %1</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Abwesend</translation>
    </message>
    <message>
        <source>Away: %1</source>
        <translation>Abwesend: %1</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Verfügbar</translation>
    </message>
    <message>
        <source>Available: %1</source>
        <translation>Verfügbar: %1</translation>
    </message>
    <message>
        <source>New message, not loaded yet</source>
        <translation>Neue Nachricht, noch nicht geladen</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DesktopApp</name>
    <message>
        <source>This device was signed out and its local data removed. Sign in again to use it.</source>
        <translation>Dieses Gerät wurde abgemeldet und seine lokalen Daten wurden entfernt. Melden Sie sich erneut an, um es zu verwenden.</translation>
    </message>
    <message>
        <source>Removing your data from this computer…</source>
        <translation>Ihre Daten werden von diesem Computer entfernt…</translation>
    </message>
    <message>
        <source>Signing out</source>
        <translation>Abmeldung läuft</translation>
    </message>
    <message>
        <source>You are signed out. Everything of yours was removed from this computer.</source>
        <translation>Sie sind abgemeldet. Alles von Ihnen wurde von diesem Computer entfernt.</translation>
    </message>
    <message>
        <source>Your guest session ended: it was signed out from another device or its time was up. Everything of yours was removed from this computer.</source>
        <translation>Ihre Gastsitzung ist beendet: Sie wurde von einem anderen Gerät abgemeldet oder ihre Zeit ist abgelaufen. Alles von Ihnen wurde von diesem Computer entfernt.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DeviceDelegate</name>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Never connected</source>
        <translation>Nie verbunden</translation>
    </message>
    <message>
        <source>Last seen today at %1</source>
        <translation>Zuletzt online heute um %1</translation>
    </message>
    <message>
        <source>Last seen yesterday at %1</source>
        <translation>Zuletzt online gestern um %1</translation>
    </message>
    <message>
        <source>Last seen %1</source>
        <translation>Zuletzt online am %1</translation>
    </message>
    <message>
        <source>Notification only</source>
        <translation>Nur Benachrichtigung</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>Nichts</translation>
    </message>
    <message>
        <source>Whole message</source>
        <translation>Ganze Nachricht</translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation>%1 (dieses Gerät)</translation>
    </message>
    <message>
        <source>%1 · %2 · receives: %3</source>
        <translation>%1 · %2 · empfängt: %3</translation>
    </message>
    <message>
        <source>This device — not connected</source>
        <translation>Dieses Gerät – nicht verbunden</translation>
    </message>
    <message>
        <source>Not known while this device is not connected</source>
        <translation>Unbekannt, solange dieses Gerät nicht verbunden ist</translation>
    </message>
    <message>
        <source>%1 — guest until %2</source>
        <translation>%1 — Gast bis %2</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DevicesDialog</name>
    <message>
        <source>&amp;Rename…</source>
        <translation>&amp;Umbenennen…</translation>
    </message>
    <message>
        <source>&amp;Sign out…</source>
        <translation>&amp;Abmelden…</translation>
    </message>
    <message>
        <source>Devices — %1</source>
        <translation>Geräte – %1</translation>
    </message>
    <message>
        <source>Every device signed in to your account. Choose what each one receives, rename it, or sign out one you no longer have.</source>
        <translation>Alle Geräte, die bei Ihrem Konto angemeldet sind. Legen Sie fest, was jedes Gerät empfängt, benennen Sie es um oder melden Sie ein Gerät ab, das Sie nicht mehr besitzen.</translation>
    </message>
    <message>
        <source>Your devices</source>
        <translation>Ihre Geräte</translation>
    </message>
    <message>
        <source>What the selected device receives</source>
        <translation>Was das ausgewählte Gerät empfängt</translation>
    </message>
    <message>
        <source>&amp;Receives:</source>
        <translation>&amp;Empfängt:</translation>
    </message>
    <message>
        <source>Rename device</source>
        <translation>Gerät umbenennen</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Neuer Name:</translation>
    </message>
    <message>
        <source>Sign out this device? Its local copy of your messages will be removed; your other devices and the network keep them.</source>
        <translation>Dieses Gerät abmelden? Die lokale Kopie Ihrer Nachrichten wird entfernt; Ihre anderen Geräte und das Netzwerk behalten sie.</translation>
    </message>
    <message>
        <source>Sign out “%1”? It is disconnected at once and removes your messages from it. You can sign in on it again later with your password.</source>
        <translation>„%1“ abmelden? Die Verbindung des Geräts wird sofort getrennt und Ihre Nachrichten werden von ihm entfernt. Sie können sich später mit Ihrem Passwort erneut darauf anmelden.</translation>
    </message>
    <message>
        <source>Sign out device</source>
        <translation>Gerät abmelden</translation>
    </message>
    <message>
        <source>“%1” was signed out.</source>
        <translation>„%1“ wurde abgemeldet.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DiagnosticsDialog</name>
    <message>
        <source>disconnected (reconnecting)</source>
        <translation>getrennt (verbindet erneut)</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>synchronizing</source>
        <translation>synchronisiert</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>signed out</source>
        <translation>abgemeldet</translation>
    </message>
    <message>
        <source>Diagnostics — %1 — %2</source>
        <translation>Diagnose – %1 – %2</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>Verbindung:</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Server:</translation>
    </message>
    <message>
        <source>Server version:</source>
        <translation>Serverversion:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>Device id:</source>
        <translation>Geräte-ID:</translation>
    </message>
    <message>
        <source>Instance id:</source>
        <translation>Instanz-ID:</translation>
    </message>
    <message>
        <source>Sync position:</source>
        <translation>Sync-Position:</translation>
    </message>
    <message>
        <source>Outbox:</source>
        <translation>Postausgang:</translation>
    </message>
    <message>
        <source>Profile key:</source>
        <translation>Profilschlüssel:</translation>
    </message>
    <message>
        <source>Profile directory:</source>
        <translation>Profilverzeichnis:</translation>
    </message>
    <message>
        <source>Last errors</source>
        <translation>Letzte Fehler</translation>
    </message>
    <message>
        <source>No errors.</source>
        <translation>Keine Fehler.</translation>
    </message>
    <message>
        <source>&amp;Copy as text</source>
        <translation>Als Text &amp;kopieren</translation>
    </message>
    <message>
        <source>Last errors:</source>
        <translation>Letzte Fehler:</translation>
    </message>
    <message>
        <source>not connected yet</source>
        <translation>noch nicht verbunden</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1 waiting</source>
        <translation>%1 wartend</translation>
    </message>
    <message>
        <source>desktop keyring</source>
        <translation>Schlüsselbund des Desktops</translation>
    </message>
    <message>
        <source>key file in the profile (0600)</source>
        <translation>Schlüsseldatei im Profil (0600)</translation>
    </message>
    <message>
        <source>A damaged local database was set aside as %1</source>
        <translation>Eine beschädigte lokale Datenbank wurde als %1 beiseitegelegt</translation>
    </message>
    <message>
        <source>Deliveries by e-mail or SMS</source>
        <translation>Zustellungen per E-Mail oder SMS</translation>
    </message>
    <message>
        <source>Deliveries by e-mail or SMS:</source>
        <translation>Zustellungen per E-Mail oder SMS:</translation>
    </message>
    <message>
        <source>by SMS</source>
        <translation>per SMS</translation>
    </message>
    <message>
        <source>by e-mail</source>
        <translation>per E-Mail</translation>
    </message>
    <message>
        <source>message %1 you sent, %2</source>
        <translation>Nachricht %1, von Ihnen gesendet, %2</translation>
    </message>
    <message>
        <source>message %1 to you, %2 to %3</source>
        <translation>Nachricht %1 an Sie, %2 an %3</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>zugestellt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>not needed: read on CPM</source>
        <translation>nicht nötig: über CPM gelesen</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>last error: %1</source>
        <translation>letzter Fehler: %1</translation>
    </message>
    <message>
        <source>Shown when connected.</source>
        <translation>Wird angezeigt, sobald eine Verbindung besteht.</translation>
    </message>
    <message>
        <source>Cannot ask the server: %1</source>
        <translation>Der Server kann nicht gefragt werden: %1</translation>
    </message>
    <message>
        <source>None of your recent messages went by e-mail or SMS.</source>
        <translation>Keine Ihrer letzten Nachrichten ging per E-Mail oder SMS.</translation>
    </message>
    <message>
        <source>attempts: %1</source>
        <translation>Versuche: %1</translation>
    </message>
    <message>
        <source>%1 (server %2 of %3)</source>
        <translation>%1 (Server %2 von %3)</translation>
    </message>
</context>
<context>
    <name>cpm::ui::HistoryChoiceWidget</name>
    <message>
        <source>Bring along</source>
        <translation>Mitnehmen</translation>
    </message>
    <message>
        <source>&amp;Nothing</source>
        <translation>&amp;Nichts</translation>
    </message>
    <message>
        <source>This &amp;session&apos;s messages</source>
        <translation>Die Nachrichten dieser &amp;Sitzung</translation>
    </message>
    <message>
        <source>The &amp;last</source>
        <translation>Die &amp;letzten</translation>
    </message>
    <message>
        <source>The &amp;whole conversation</source>
        <translation>Die &amp;ganze Unterhaltung</translation>
    </message>
    <message>
        <source> messages</source>
        <translation> Nachrichten</translation>
    </message>
    <message>
        <source>How many of the newest messages</source>
        <translation>Wie viele der neuesten Nachrichten</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MainWindow</name>
    <message>
        <source>Search conversations</source>
        <translation>Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Start a conversation with a contact (Ctrl+N)</source>
        <translation>Eine Unterhaltung mit einem Kontakt beginnen (Strg+N)</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>Synchronization progress</source>
        <translation>Synchronisierungsfortschritt</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New conversation…</source>
        <translation>&amp;Neue Unterhaltung…</translation>
    </message>
    <message>
        <source>&amp;Find conversation</source>
        <translation>Unterhaltung &amp;suchen</translation>
    </message>
    <message>
        <source>Sign &amp;out this device…</source>
        <translation>Dieses Gerät &amp;abmelden…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>Sign this device out? Its local copy of your messages will be removed; your other devices and the network keep them.</source>
        <translation>Dieses Gerät abmelden? Die lokale Kopie Ihrer Nachrichten wird entfernt; Ihre anderen Geräte und das Netzwerk behalten sie.</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Message</source>
        <translation>&amp;Nachricht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Diagnostics…</source>
        <translation>&amp;Diagnose…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Offline — reconnecting…</source>
        <translation>Offline – Verbindung wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Synchronizing…</source>
        <translation>Wird synchronisiert…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Choose a conversation, or start one with Ctrl+N</source>
        <translation>Wählen Sie eine Unterhaltung aus oder beginnen Sie mit Strg+N eine neue</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;</source>
        <translation>%1 &lt;%2&gt;</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>Text kopieren</translation>
    </message>
    <message>
        <source>Delete on this device</source>
        <translation>Auf diesem Gerät löschen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Devices…</source>
        <translation>&amp;Geräte…</translation>
    </message>
    <message>
        <source>&amp;Contacts…</source>
        <translation>&amp;Kontakte…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Your status</source>
        <translation>Ihr Status</translation>
    </message>
    <message>
        <source>Your status, as your contacts and your other devices see it</source>
        <translation>Ihr Status, wie ihn Ihre Kontakte und Ihre anderen Geräte sehen</translation>
    </message>
    <message>
        <source>● Available</source>
        <translation>● Verfügbar</translation>
    </message>
    <message>
        <source>● Busy</source>
        <translation>● Beschäftigt</translation>
    </message>
    <message>
        <source>● Away</source>
        <translation>● Abwesend</translation>
    </message>
    <message>
        <source>✎ Custom…</source>
        <translation>✎ Benutzerdefiniert…</translation>
    </message>
    <message>
        <source>✎ %1</source>
        <translation>✎ %1</translation>
    </message>
    <message>
        <source>Custom status</source>
        <translation>Benutzerdefinierter Status</translation>
    </message>
    <message>
        <source>What are you up to?</source>
        <translation>Was machen Sie gerade?</translation>
    </message>
    <message>
        <source>Jump to the newest message (Ctrl+End)</source>
        <translation>Zur neuesten Nachricht springen (Strg+Ende)</translation>
    </message>
    <message>
        <source>Jump to the newest message</source>
        <translation>Zur neuesten Nachricht springen</translation>
    </message>
    <message numerus="yes">
        <source>↓ %n new</source>
        <translation>
            <numerusform>↓ %n neue</numerusform>
            <numerusform>↓ %n neue</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unread messages below</source>
        <translation>
            <numerusform>%n ungelesene Nachricht weiter unten</numerusform>
            <numerusform>%n ungelesene Nachrichten weiter unten</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Delete on this device…</source>
        <translation>Auf diesem Gerät &amp;löschen…</translation>
    </message>
    <message>
        <source>Delete on &amp;all my devices…</source>
        <translation>Auf &amp;allen meinen Geräten löschen…</translation>
    </message>
    <message>
        <source>Delete on all my devices</source>
        <translation>Auf allen meinen Geräten löschen</translation>
    </message>
    <message>
        <source>Delete this message from your network storage and from all your devices? The other person keeps their copy. This cannot be undone.</source>
        <translation>Diese Nachricht aus Ihrem Netzwerkspeicher und von allen Ihren Geräten löschen? Ihr Gegenüber behält seine Kopie. Das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Delete this message on this device? Your other devices and your network storage keep it.</source>
        <translation>Diese Nachricht auf diesem Gerät löschen? Ihre anderen Geräte und Ihr Netzwerkspeicher behalten sie.</translation>
    </message>
    <message>
        <source>Delete on this device…</source>
        <translation>Auf diesem Gerät löschen…</translation>
    </message>
    <message>
        <source>Delete on all my devices…</source>
        <translation>Auf allen meinen Geräten löschen…</translation>
    </message>
    <message>
        <source>Search names, addresses and messages</source>
        <translation>Namen, Adressen und Nachrichten durchsuchen</translation>
    </message>
    <message>
        <source>No conversation matches “%1”. Press Ctrl+N to start one.</source>
        <translation>Keine Unterhaltung passt zu „%1“. Mit Strg+N beginnen Sie eine.</translation>
    </message>
    <message>
        <source>Send &amp;again</source>
        <translation>&amp;Erneut senden</translation>
    </message>
    <message>
        <source>Pick a conversation on the left to read it here.</source>
        <translation>Wählen Sie links eine Unterhaltung, um sie hier zu lesen.</translation>
    </message>
    <message>
        <source>%1 — ● %2</source>
        <translation>%1 — ● %2</translation>
    </message>
    <message>
        <source>Nothing written with %1 yet. Type a message below and press Enter to send it.</source>
        <translation>Mit %1 wurde noch nichts geschrieben. Geben Sie unten eine Nachricht ein und drücken Sie Enter, um sie zu senden.</translation>
    </message>
    <message>
        <source>No conversations yet.

Start one with “New conversation” (Ctrl+N). Messages sent to you appear here on all your devices.</source>
        <translation>Noch keine Unterhaltungen.

Beginnen Sie eine mit „Neue Unterhaltung“ (Strg+N). Nachrichten an Sie erscheinen hier auf allen Ihren Geräten.</translation>
    </message>
    <message numerus="yes">
        <source>Loading %Ln messages…</source>
        <translation>
            <numerusform>Lade %Ln Nachricht…</numerusform>
            <numerusform>Lade %Ln Nachrichten…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln messages here were only notified to this device.</source>
        <translation>
            <numerusform>%Ln Nachricht hier wurde diesem Gerät nur angekündigt.</numerusform>
            <numerusform>%Ln Nachrichten hier wurden diesem Gerät nur angekündigt.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Load them</source>
        <translation>&amp;Laden</translation>
    </message>
    <message>
        <source>Only a message that could not be sent can be sent again.</source>
        <translation>Nur eine Nachricht, die nicht gesendet werden konnte, kann erneut gesendet werden.</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Sitzung</translation>
    </message>
    <message>
        <source>&amp;Start chat session…</source>
        <translation>Chat-Sitzung &amp;starten…</translation>
    </message>
    <message>
        <source>Chat now</source>
        <translation>Jetzt chatten</translation>
    </message>
    <message>
        <source>&amp;Move session to…</source>
        <translation>Sitzung &amp;verschieben nach…</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>Sitzung &amp;beenden</translation>
    </message>
    <message>
        <source>Sessions on my &amp;other devices…</source>
        <translation>Sitzungen auf meinen &amp;anderen Geräten…</translation>
    </message>
    <message>
        <source>Chat sessions need a connection to the server</source>
        <translation>Chat-Sitzungen brauchen eine Verbindung zum Server</translation>
    </message>
    <message>
        <source>A chat session with this person is already open</source>
        <translation>Mit dieser Person ist bereits eine Chat-Sitzung offen</translation>
    </message>
    <message>
        <source>Ask to chat now, each on one device (Ctrl+Shift+S)</source>
        <translation>Fragen, ob jetzt gechattet wird, jeder auf einem Gerät (Strg+Umschalt+S)</translation>
    </message>
    <message>
        <source>Start chat session</source>
        <translation>Chat-Sitzung starten</translation>
    </message>
    <message>
        <source>Ask %1 to chat now. What about? (optional)</source>
        <translation>%1 fragen, ob jetzt gechattet wird. Worum geht es? (optional)</translation>
    </message>
    <message>
        <source>Let a &amp;guest sign in…</source>
        <translation>Einen &amp;Gast anmelden lassen…</translation>
    </message>
    <message>
        <source>Opens a separate window where someone else signs in for a visit; nothing of theirs stays on this computer</source>
        <translation>Öffnet ein eigenes Fenster, in dem sich jemand anderes für einen Besuch anmeldet; nichts davon bleibt auf diesem Computer</translation>
    </message>
    <message>
        <source>Guest — %1</source>
        <translation>Gast – %1</translation>
    </message>
    <message>
        <source>Guest on this device — everything is removed when you sign out.</source>
        <translation>Gast auf diesem Gerät – beim Abmelden wird alles entfernt.</translation>
    </message>
    <message>
        <source>Sign out and remove everything of yours from this computer?</source>
        <translation>Abmelden und alles von Ihnen von diesem Computer entfernen?</translation>
    </message>
    <message>
        <source>The guest sign-in window could not be started.</source>
        <translation>Das Fenster für die Gast-Anmeldung konnte nicht gestartet werden.</translation>
    </message>
    <message>
        <source>My &amp;files…</source>
        <translation>Meine &amp;Dateien…</translation>
    </message>
    <message>
        <source>Files cannot go into a chat session. End the session to send them as a message.</source>
        <translation>Dateien können nicht in einer Chat-Sitzung gesendet werden. Beenden Sie die Sitzung, um sie als Nachricht zu senden.</translation>
    </message>
    <message>
        <source>A file cannot be read any more. Remove it and attach it again.</source>
        <translation>Eine Datei kann nicht mehr gelesen werden. Entfernen Sie sie und hängen Sie sie erneut an.</translation>
    </message>
    <message>
        <source>A file is larger than your server allows. Remove it, or send a smaller one.</source>
        <translation>Eine Datei ist größer, als Ihr Server erlaubt. Entfernen Sie sie oder senden Sie eine kleinere.</translation>
    </message>
    <message>
        <source>Download “%1”</source>
        <translation>„%1“ herunterladen</translation>
    </message>
    <message>
        <source>View “%1”</source>
        <translation>„%1“ ansehen</translation>
    </message>
    <message>
        <source>Open “%1”</source>
        <translation>„%1“ öffnen</translation>
    </message>
    <message>
        <source>Save “%1” as…</source>
        <translation>„%1“ speichern unter…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Notification only — click to load the message</source>
        <translation>Nur Benachrichtigung – klicken, um die Nachricht zu laden</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Wartet auf Versand</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Expired before it could be delivered</source>
        <translation>Abgelaufen, bevor sie zugestellt werden konnte</translation>
    </message>
    <message>
        <source>Could not be sent</source>
        <translation>Konnte nicht gesendet werden</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>Neue Nachrichten</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Ungelesen</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>You, %1: %2. %3</source>
        <translation>Sie, %1: %2. %3</translation>
    </message>
    <message>
        <source>%1, %2: %3. %4</source>
        <translation>%1, %2: %3. %4</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Nicht gesendet: %1</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>Nicht gesendet.</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Nachrichtentext</translation>
    </message>
    <message numerus="yes">
        <source>(%n attachment(s): %1)</source>
        <translation>
            <numerusform>(%n Anhang: %1)</numerusform>
            <numerusform>(%n Anhänge: %1)</numerusform>
        </translation>
    </message>
    <message>
        <source>Uploading… %1 %</source>
        <translation>Wird hochgeladen… %1 %</translation>
    </message>
    <message>
        <source>Downloading… %1 %</source>
        <translation>Wird heruntergeladen… %1 %</translation>
    </message>
    <message>
        <source>Waiting to upload</source>
        <translation>Wartet auf das Hochladen</translation>
    </message>
    <message>
        <source>Click to load</source>
        <translation>Zum Laden klicken</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Speichern unter…</translation>
    </message>
    <message>
        <source>Delivered by e-mail</source>
        <translation>Per E-Mail zugestellt</translation>
    </message>
    <message>
        <source>Delivered by SMS</source>
        <translation>Per SMS zugestellt</translation>
    </message>
    <message>
        <source>Kept until they are online</source>
        <translation>Wird aufbewahrt, bis der Empfänger online ist</translation>
    </message>
    <message>
        <source>%1 — also delivered to you by e-mail</source>
        <translation>%1 — auch per E-Mail an Sie zugestellt</translation>
    </message>
    <message>
        <source>%1 — also delivered to you by SMS</source>
        <translation>%1 — auch per SMS an Sie zugestellt</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MissedRequestBar</name>
    <message>
        <source>Missed chat session request</source>
        <translation>Verpasste Anfrage für eine Chat-Sitzung</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <source>Forget this missed request</source>
        <translation>Diese verpasste Anfrage vergessen</translation>
    </message>
    <message>
        <source>You missed a chat session request from %1 at %2</source>
        <translation>Sie haben um %2 eine Anfrage für eine Chat-Sitzung von %1 verpasst</translation>
    </message>
    <message numerus="yes">
        <source>You missed %n chat session requests from %1, the last at %2</source>
        <translation>
            <numerusform>Sie haben %n Anfrage für eine Chat-Sitzung von %1 verpasst, zuletzt um %2</numerusform>
            <numerusform>Sie haben %n Anfragen für eine Chat-Sitzung von %1 verpasst, die letzte um %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Invite %1</source>
        <translation>%1 einladen</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MoveSessionDialog</name>
    <message>
        <source>Move the chat session with %1</source>
        <translation>Chat-Sitzung mit %1 verschieben</translation>
    </message>
    <message>
        <source>Carry on the chat session with %1 on another of your devices. It stops here and opens there at once.</source>
        <translation>Die Chat-Sitzung mit %1 auf einem anderen Ihrer Geräte fortsetzen. Sie endet hier und öffnet sich sofort dort.</translation>
    </message>
    <message>
        <source>&amp;Move to:</source>
        <translation>&amp;Verschieben nach:</translation>
    </message>
    <message>
        <source>Your other devices</source>
        <translation>Ihre anderen Geräte</translation>
    </message>
    <message>
        <source>&amp;Move</source>
        <translation>&amp;Verschieben</translation>
    </message>
    <message>
        <source>%1
%2 · %3</source>
        <translation>%1
%2 · %3</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>%1 is not connected. A chat session can only move to a device where CPM is running and online.</source>
        <translation>%1 ist nicht verbunden. Eine Chat-Sitzung kann nur auf ein Gerät wechseln, auf dem CPM läuft und online ist.</translation>
    </message>
    <message>
        <source>You have no other device signed in. Sign in on another device first, then move the session there.</source>
        <translation>Sie haben kein anderes Gerät angemeldet. Melden Sie sich zuerst auf einem anderen Gerät an und verschieben Sie die Sitzung dann dorthin.</translation>
    </message>
    <message>
        <source>None of your other devices is online right now.</source>
        <translation>Keines Ihrer anderen Geräte ist gerade online.</translation>
    </message>
    <message>
        <source>Moving the session to %1…</source>
        <translation>Sitzung wird nach %1 verschoben…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MyFilesDialog</name>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>My files</source>
        <translation>Meine Dateien</translation>
    </message>
    <message>
        <source>Files in your storage on the server</source>
        <translation>Dateien in Ihrem Speicher auf dem Server</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Uploaded</source>
        <translation>Hochgeladen</translation>
    </message>
    <message>
        <source>Storage used</source>
        <translation>Belegter Speicher</translation>
    </message>
    <message>
        <source>Delete the selected files from your storage (Del)</source>
        <translation>Die ausgewählten Dateien aus Ihrem Speicher löschen (Entf)</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Wird hochgeladen</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Vollständig</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>Gelöscht</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>%1 of %2 used</source>
        <translation>%1 von %2 belegt</translation>
    </message>
    <message>
        <source>%1 used</source>
        <translation>%1 belegt</translation>
    </message>
    <message>
        <source>Delete “%1” from your storage? Messages that carry it can no longer be downloaded by anyone who has not got it yet.</source>
        <translation>„%1“ aus Ihrem Speicher löschen? Wer sie noch nicht hat, kann sie aus Nachrichten, die sie enthalten, nicht mehr herunterladen.</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n files from your storage? Messages that carry them can no longer be downloaded by anyone who has not got them yet.</source>
        <translation>
            <numerusform>%n Datei aus Ihrem Speicher löschen? Wer sie noch nicht hat, kann sie aus Nachrichten, die sie enthalten, nicht mehr herunterladen.</numerusform>
            <numerusform>%n Dateien aus Ihrem Speicher löschen? Wer sie noch nicht hat, kann sie aus Nachrichten, die sie enthalten, nicht mehr herunterladen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete files</source>
        <translation>Dateien löschen</translation>
    </message>
    <message>
        <source>&amp;Save a copy…</source>
        <translation>&amp;Kopie speichern…</translation>
    </message>
    <message>
        <source>Download the selected file from your storage to this computer</source>
        <translation>Die ausgewählte Datei aus Ihrem Speicher auf diesen Computer herunterladen</translation>
    </message>
</context>
<context>
    <name>cpm::ui::NewConversationDialog</name>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;An:</translation>
    </message>
    <message>
        <source>A name, or an address like bob@cpm.example</source>
        <translation>Ein Name oder eine Adresse wie bob@cpm.example</translation>
    </message>
    <message>
        <source>Contacts and people you wrote with</source>
        <translation>Kontakte und Personen, mit denen Sie geschrieben haben</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>Ö&amp;ffnen</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>You have no contacts yet. Type the full address of the person you want to write to.</source>
        <translation>Sie haben noch keine Kontakte. Geben Sie die vollständige Adresse der Person ein, der Sie schreiben möchten.</translation>
    </message>
    <message>
        <source>Opens the conversation with %1.</source>
        <translation>Öffnet die Unterhaltung mit %1.</translation>
    </message>
    <message>
        <source>Nobody here matches “%1”. Type a full address like name@example.com.</source>
        <translation>Niemand hier passt zu „%1“. Geben Sie eine vollständige Adresse wie name@example.com ein.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::NoticeBar</name>
    <message>
        <source>Notice</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <source>Hide this notice (Esc)</source>
        <translation>Diesen Hinweis ausblenden (Esc)</translation>
    </message>
</context>
<context>
    <name>cpm::ui::Notifier</name>
    <message>
        <source>Show CPM</source>
        <translation>CPM anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>New message from %1</source>
        <translation>Neue Nachricht von %1</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <source>CPM — %1 — unread: %2</source>
        <translation>CPM — %1 — ungelesen: %2</translation>
    </message>
    <message>
        <source>CPM — %1</source>
        <translation>CPM — %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Neue Nachricht</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message numerus="yes">
        <source>%Ln new messages in %1 conversations</source>
        <translation>
            <numerusform>%Ln neue Nachricht in %1 Unterhaltungen</numerusform>
            <numerusform>%Ln neue Nachrichten in %1 Unterhaltungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln new messages from %1</source>
        <translation>
            <numerusform>%Ln neue Nachricht von %1</numerusform>
            <numerusform>%Ln neue Nachrichten von %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Chat session request
%1</source>
        <translation>Anfrage für eine Chat-Sitzung
%1</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Ablehnen</translation>
    </message>
</context>
<context>
    <name>cpm::ui::OtherSessionsDialog</name>
    <message>
        <source>&amp;Continue here</source>
        <translation>Hier &amp;fortsetzen</translation>
    </message>
    <message>
        <source>Sessions on my other devices</source>
        <translation>Sitzungen auf meinen anderen Geräten</translation>
    </message>
    <message>
        <source>Chat sessions you are holding on another of your devices. Continue one here and it stops there.</source>
        <translation>Chat-Sitzungen, die Sie auf einem anderen Ihrer Geräte führen. Setzen Sie eine hier fort, endet sie dort.</translation>
    </message>
    <message>
        <source>Sessions on your other devices</source>
        <translation>Sitzungen auf Ihren anderen Geräten</translation>
    </message>
    <message>
        <source>%1 — since %2 — on %3</source>
        <translation>%1 — seit %2 — auf %3</translation>
    </message>
    <message>
        <source>No chat session is going on on your other devices.</source>
        <translation>Auf Ihren anderen Geräten läuft keine Chat-Sitzung.</translation>
    </message>
    <message>
        <source>Taking the session over…</source>
        <translation>Sitzung wird übernommen…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SessionBar</name>
    <message>
        <source>E&amp;nd</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Chat session</source>
        <translation>Chat-Sitzung</translation>
    </message>
    <message>
        <source>Loading the conversation</source>
        <translation>Die Unterhaltung wird geladen</translation>
    </message>
    <message>
        <source>Carry on this chat session on another of your devices (Ctrl+Shift+M)</source>
        <translation>Diese Chat-Sitzung auf einem anderen Ihrer Geräte fortsetzen (Strg+Umschalt+M)</translation>
    </message>
    <message>
        <source>Take this chat session over on this device</source>
        <translation>Diese Chat-Sitzung auf diesem Gerät übernehmen</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <source>Hide this line; the messages stay in the conversation</source>
        <translation>Diese Zeile ausblenden; die Nachrichten bleiben in der Unterhaltung</translation>
    </message>
    <message>
        <source>No earlier messages came with the session</source>
        <translation>Mit der Sitzung kamen keine früheren Nachrichten</translation>
    </message>
    <message>
        <source>Earlier messages could not be loaded: %1</source>
        <translation>Frühere Nachrichten konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>Its messages stay in the conversation.</source>
        <translation>Ihre Nachrichten bleiben in der Unterhaltung.</translation>
    </message>
    <message>
        <source>Waiting for %1 to answer your chat session request…</source>
        <translation>Warten, bis %1 Ihre Anfrage für eine Chat-Sitzung beantwortet…</translation>
    </message>
    <message>
        <source>Chat session request sent to %1 from %2</source>
        <translation>Anfrage für eine Chat-Sitzung an %1 gesendet, von %2</translation>
    </message>
    <message>
        <source>&amp;Cancel request</source>
        <translation>Anfrage &amp;zurückziehen</translation>
    </message>
    <message>
        <source>Withdraw the request</source>
        <translation>Die Anfrage zurückziehen</translation>
    </message>
    <message>
        <source>Chat session with %1 since %2</source>
        <translation>Chat-Sitzung mit %1 seit %2</translation>
    </message>
    <message>
        <source>Chat session with %1 since %2 — %3</source>
        <translation>Chat-Sitzung mit %1 seit %2 — %3</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 schreibt…</translation>
    </message>
    <message>
        <source>End the chat session for both of you; its messages stay</source>
        <translation>Die Chat-Sitzung für Sie beide beenden; ihre Nachrichten bleiben</translation>
    </message>
    <message>
        <source>Continued on %1</source>
        <translation>Fortgesetzt auf %1</translation>
    </message>
    <message>
        <source>The chat session with %1 since %2 went on there; messages you write here are ordinary messages.</source>
        <translation>Die Chat-Sitzung mit %1 seit %2 läuft dort weiter; was Sie hier schreiben, sind normale Nachrichten.</translation>
    </message>
    <message>
        <source>Chat session with %1 on %2 since %3</source>
        <translation>Chat-Sitzung mit %1 auf %2 seit %3</translation>
    </message>
    <message>
        <source>Messages you write here are ordinary messages.</source>
        <translation>Was Sie hier schreiben, sind normale Nachrichten.</translation>
    </message>
    <message numerus="yes">
        <source>Loading the conversation… received so far: %n</source>
        <translation>
            <numerusform>Die Unterhaltung wird geladen… bisher %n Nachricht</numerusform>
            <numerusform>Die Unterhaltung wird geladen… bisher %n Nachrichten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Loaded from before the move: %n</source>
        <translation>
            <numerusform>%n Nachricht von vorher geladen</numerusform>
            <numerusform>%n Nachrichten von vorher geladen</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Continue here…</source>
        <translation>Hier &amp;fortsetzen…</translation>
    </message>
    <message>
        <source>Move &amp;to…</source>
        <translation>&amp;Verschieben nach…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SessionRequestBar</name>
    <message>
        <source>&amp;Accept</source>
        <translation>Anneh&amp;men</translation>
    </message>
    <message>
        <source>D&amp;ecline</source>
        <translation>A&amp;blehnen</translation>
    </message>
    <message>
        <source>Chat session request</source>
        <translation>Anfrage für eine Chat-Sitzung</translation>
    </message>
    <message>
        <source>Chat now on this device</source>
        <translation>Jetzt auf diesem Gerät chatten</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n more waiting)</source>
        <translation>
            <numerusform>%1 (%n weitere wartet)</numerusform>
            <numerusform>%1 (%n weitere warten)</numerusform>
        </translation>
    </message>
    <message>
        <source>Answered on %1</source>
        <translation>Beantwortet auf %1</translation>
    </message>
    <message>
        <source>Declined on another of your devices</source>
        <translation>Auf einem anderen Ihrer Geräte abgelehnt</translation>
    </message>
    <message>
        <source>Missed session request from %1</source>
        <translation>Verpasste Sitzungsanfrage von %1</translation>
    </message>
    <message>
        <source>Say no to this request on all your devices</source>
        <translation>Diese Anfrage auf allen Ihren Geräten ablehnen</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SettingsDialog</name>
    <message>
        <source>Show a desktop &amp;notification for new messages</source>
        <translation>Desktop-&amp;Benachrichtigung für neue Nachrichten anzeigen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Systemeinstellung übernehmen</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Design:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>This device (%1)</source>
        <translation>Dieses Gerät (%1)</translation>
    </message>
    <message>
        <source>Only here. A new language is used the next time CPM starts.</source>
        <translation>Nur hier. Eine neue Sprache gilt ab dem nächsten Start von CPM.</translation>
    </message>
    <message>
        <source>All your devices</source>
        <translation>Alle Ihre Geräte</translation>
    </message>
    <message>
        <source>Kept with your account: your other devices follow a change made here.</source>
        <translation>Wird mit Ihrem Konto gespeichert: Ihre anderen Geräte übernehmen eine Änderung von hier.</translation>
    </message>
    <message>
        <source>Keep them until a device is back</source>
        <translation>Aufbewahren, bis ein Gerät wieder da ist</translation>
    </message>
    <message>
        <source>Also send them by e-mail or SMS</source>
        <translation>Zusätzlich per E-Mail oder SMS senden</translation>
    </message>
    <message>
        <source>Also send them by e-mail or SMS, and notify them here again</source>
        <translation>Zusätzlich per E-Mail oder SMS senden und hier erneut melden</translation>
    </message>
    <message>
        <source>Messages while you are away</source>
        <translation>Nachrichten während Ihrer Abwesenheit</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>+4915112345678</source>
        <translation>+4915112345678</translation>
    </message>
    <message>
        <source>&amp;When away:</source>
        <translation>&amp;Wenn abwesend:</translation>
    </message>
    <message>
        <source>&amp;E-mail address:</source>
        <translation>&amp;E-Mail-Adresse:</translation>
    </message>
    <message>
        <source>&amp;Phone for SMS:</source>
        <translation>&amp;Telefon für SMS:</translation>
    </message>
    <message>
        <source>Away means no device of yours is connected. E-mail and SMS are used only where your operator offers them and your phone is registered in that network.</source>
        <translation>Abwesend heißt: keines Ihrer Geräte ist verbunden. E-Mail und SMS werden nur genutzt, wo Ihr Betreiber sie anbietet und Ihr Telefon in diesem Netz angemeldet ist.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SignInDialog</name>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <source>Sign in — CPM</source>
        <translation>Anmelden – CPM</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Sign in to CPM&lt;/h2&gt;&lt;p&gt;This device will be registered with your account so messages reach it like your other devices.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Bei CPM anmelden&lt;/h2&gt;&lt;p&gt;Dieses Gerät wird bei Ihrem Konto registriert, damit Nachrichten es genauso erreichen wie Ihre anderen Geräte.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>alice@cpm.example</source>
        <translation>alice@cpm.example</translation>
    </message>
    <message>
        <source>%1&apos;s computer</source>
        <translation>Computer von %1</translation>
    </message>
    <message>
        <source>Laptop</source>
        <translation>Laptop</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop-PC</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Mobiltelefon</translation>
    </message>
    <message>
        <source>Fixed phone</source>
        <translation>Festnetztelefon</translation>
    </message>
    <message>
        <source>Tablet / PDA</source>
        <translation>Tablet / PDA</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>CPM address</source>
        <translation>CPM-Adresse</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Device name</source>
        <translation>Gerätename</translation>
    </message>
    <message>
        <source>Device kind</source>
        <translation>Gerätetyp</translation>
    </message>
    <message>
        <source>Se&amp;rver:</source>
        <translation>Se&amp;rver:</translation>
    </message>
    <message>
        <source>CPM &amp;address:</source>
        <translation>CPM-A&amp;dresse:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Device &amp;name:</source>
        <translation>Geräte&amp;name:</translation>
    </message>
    <message>
        <source>Device &amp;kind:</source>
        <translation>Geräte&amp;typ:</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>Anmeldung läuft</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Allow an &amp;unencrypted connection</source>
        <translation>&amp;Unverschlüsselte Verbindung erlauben</translation>
    </message>
    <message>
        <source>A certificate authority (PEM file) to trust for wss:// servers, e.g. your organisation&apos;s own.</source>
        <translation>Eine Zertifizierungsstelle (PEM-Datei), der für wss://-Server vertraut wird, z. B. die Ihrer Organisation.</translation>
    </message>
    <message>
        <source>This address is not encrypted (ws://): your password and messages would cross the network in the clear. Prefer a wss:// address.</source>
        <translation>Diese Adresse ist nicht verschlüsselt (ws://): Ihr Passwort und Ihre Nachrichten würden im Klartext durch das Netz gehen. Verwenden Sie besser eine wss://-Adresse.</translation>
    </message>
    <message>
        <source>Trusted certificate authority file</source>
        <translation>Datei der vertrauenswürdigen Zertifizierungsstelle</translation>
    </message>
    <message>
        <source>Trusted &amp;CA:</source>
        <translation>Vertrauenswürdige &amp;CA:</translation>
    </message>
    <message>
        <source>Trusted certificate authority</source>
        <translation>Vertrauenswürdige Zertifizierungsstelle</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All files (*)</source>
        <translation>Zertifikate (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>System certificates only</source>
        <translation>Nur Systemzertifikate</translation>
    </message>
    <message>
        <source>&amp;Diagnostics…</source>
        <translation>&amp;Diagnose…</translation>
    </message>
    <message>
        <source>What this device tried and what the server answered</source>
        <translation>Was dieses Gerät versucht hat und was der Server geantwortet hat</translation>
    </message>
    <message>
        <source>No account yet? Accounts are made by whoever runs your CPM server: ask them for your address and a password.</source>
        <translation>Noch kein Konto? Konten legt an, wer Ihren CPM-Server betreibt: Fragen Sie dort nach Ihrer Adresse und einem Passwort.</translation>
    </message>
    <message>
        <source>The server address starts with ws:// or wss://, like ws://127.0.0.1:7878/.</source>
        <translation>Die Serveradresse beginnt mit ws:// oder wss://, etwa ws://127.0.0.1:7878/.</translation>
    </message>
    <message>
        <source>Enter your CPM address.</source>
        <translation>Geben Sie Ihre CPM-Adresse ein.</translation>
    </message>
    <message>
        <source>“%1” is not a CPM address: it looks like name@example.com.</source>
        <translation>„%1“ ist keine CPM-Adresse: Sie sieht so aus: name@example.com.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Geben Sie Ihr Passwort ein.</translation>
    </message>
    <message>
        <source>Give this device a name, so you can tell it from your others.</source>
        <translation>Geben Sie diesem Gerät einen Namen, damit Sie es von Ihren anderen unterscheiden können.</translation>
    </message>
    <message>
        <source>For someone else&apos;s computer: your messages are loaded for this visit and removed completely when you sign out.</source>
        <translation>Für den Computer eines anderen: Ihre Nachrichten werden für diesen Besuch geladen und beim Abmelden vollständig entfernt.</translation>
    </message>
    <message>
        <source>Guest on %1</source>
        <translation>Gast auf %1</translation>
    </message>
    <message>
        <source>Guest sign-in — CPM</source>
        <translation>Gast-Anmeldung – CPM</translation>
    </message>
    <message>
        <source>&amp;Back to signing in this device</source>
        <translation>&amp;Zurück zur Anmeldung dieses Geräts</translation>
    </message>
    <message>
        <source>Sign in as &amp;guest on this device…</source>
        <translation>Als &amp;Gast auf diesem Gerät anmelden…</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Sign in as a guest&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Als Gast anmelden&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Available once you have tried to sign in</source>
        <translation>Verfügbar, sobald Sie eine Anmeldung versucht haben</translation>
    </message>
    <message>
        <source>A server address, or several of one service separated by commas: when one cannot be reached, this device uses the next.</source>
        <translation>Eine Serveradresse oder mehrere desselben Dienstes, durch Kommas getrennt: Ist einer nicht erreichbar, verwendet dieses Gerät den nächsten.</translation>
    </message>
    <message numerus="yes">
        <source>Give at most %n server addresses.</source>
        <translation>
            <numerusform>Geben Sie höchstens %n Serveradresse an.</numerusform>
            <numerusform>Geben Sie höchstens %n Serveradressen an.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” is not a server address: it starts with ws:// or wss://, like ws://127.0.0.1:7878/.</source>
        <translation>„%1“ ist keine Serveradresse: Sie beginnt mit ws:// oder wss://, etwa ws://127.0.0.1:7878/.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Converged IP Messaging on this device. Run several with a profile each.</source>
        <translation>Converged IP Messaging auf diesem Gerät. Starten Sie mehrere Instanzen mit jeweils eigenem Profil.</translation>
    </message>
    <message>
        <source>Profile directory of this device.</source>
        <translation>Profilverzeichnis dieses Geräts.</translation>
    </message>
    <message>
        <source>dir</source>
        <translation>Verzeichnis</translation>
    </message>
    <message>
        <source>CPM</source>
        <translation>CPM</translation>
    </message>
    <message>
        <source>Sign in as a guest on this computer: nothing of the guest stays once signed out. No profile of this computer is opened.</source>
        <translation>Als Gast auf diesem Computer anmelden: Nach dem Abmelden bleibt nichts vom Gast zurück. Kein Profil dieses Computers wird geöffnet.</translation>
    </message>
    <message>
        <source>Server URL, e.g. ws://127.0.0.1:7878/; several nodes of one service separated by commas.</source>
        <translation>Server-URL, z. B. ws://127.0.0.1:7878/; mehrere Knoten eines Dienstes durch Kommas getrennt.</translation>
    </message>
    <message>
        <source>urls</source>
        <translation>URLs</translation>
    </message>
    <message>
        <source>--server: “%1” is not a ws:// or wss:// URL (at most %2, separated by commas).
</source>
        <translation>--server: „%1“ ist keine ws://- oder wss://-URL (höchstens %2, durch Kommas getrennt).
</translation>
    </message>
</context>
</TS>
