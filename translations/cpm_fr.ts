<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>Attachments</name>
    <message>
        <source>Save attachment</source>
        <translation>Enregistrer la pièce jointe</translation>
    </message>
    <message>
        <source>A guest cannot open files with other applications. Use Save as… instead.</source>
        <translation>Un invité ne peut pas ouvrir de fichiers avec d’autres applications. Utilisez plutôt « Enregistrer sous… ».</translation>
    </message>
    <message>
        <source>Could not make a temporary copy to open.</source>
        <translation>Impossible de créer une copie temporaire à ouvrir.</translation>
    </message>
    <message>
        <source>No application is set up to open this kind of file.</source>
        <translation>Aucune application n’est configurée pour ouvrir ce type de fichier.</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>The address or the password is wrong. Check both and try again.</source>
        <translation>L’adresse ou le mot de passe est incorrect. Vérifiez les deux et réessayez.</translation>
    </message>
    <message>
        <source>This account has been disabled by the operator.</source>
        <translation>Ce compte a été désactivé par l’opérateur.</translation>
    </message>
    <message>
        <source>This device was signed out from another device. Sign in again.</source>
        <translation>Cet appareil a été déconnecté depuis un autre appareil. Reconnectez-vous.</translation>
    </message>
    <message>
        <source>The server at %1 speaks a protocol version this application does not support. Update the application or the server.</source>
        <translation>Le serveur à l’adresse %1 utilise une version du protocole que cette application ne prend pas en charge. Mettez à jour l’application ou le serveur.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1. Check the server address and that the server is running, then try again.</source>
        <translation>Impossible de joindre le serveur à l’adresse %1. Vérifiez l’adresse du serveur et que celui-ci est bien démarré, puis réessayez.</translation>
    </message>
    <message>
        <source>You have reached today&apos;s message limit set by your operator.</source>
        <translation>Vous avez atteint la limite quotidienne de messages fixée par votre opérateur.</translation>
    </message>
    <message>
        <source>There is no user with that address.</source>
        <translation>Aucun utilisateur ne correspond à cette adresse.</translation>
    </message>
    <message>
        <source>That item no longer exists.</source>
        <translation>Cet élément n’existe plus.</translation>
    </message>
    <message>
        <source>You are offline. The action will work once the connection is back.</source>
        <translation>Vous êtes hors ligne. L’action sera possible dès le retour de la connexion.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Try again.</source>
        <translation>Le serveur n’a pas répondu à temps. Réessayez.</translation>
    </message>
    <message>
        <source>Something went wrong (%1). Try again; if it keeps happening, copy the diagnostics and report it.</source>
        <translation>Une erreur s’est produite (%1). Réessayez&#xa0;; si le problème persiste, copiez les informations de diagnostic et signalez-le.</translation>
    </message>
    <message>
        <source>That cannot be done as entered. Check the address and the text.</source>
        <translation>Impossible de le faire tel quel. Vérifiez l’adresse et le texte.</translation>
    </message>
    <message>
        <source>This changed elsewhere at the same time. Try again.</source>
        <translation>Cela a été modifié ailleurs au même moment. Réessayez.</translation>
    </message>
    <message>
        <source>The server is busy right now. Try again in a moment.</source>
        <translation>Le serveur est occupé pour le moment. Réessayez dans un instant.</translation>
    </message>
    <message>
        <source>The server&apos;s storage is full. You can still read; new messages and changes wait until the operator makes room.</source>
        <translation>Le stockage du serveur est plein. La lecture reste possible ; les nouveaux messages et modifications attendent que l’opérateur libère de la place.</translation>
    </message>
    <message>
        <source>The disk of this computer is full. Free some space: until then new messages cannot be stored on this device.</source>
        <translation>Le disque de cet ordinateur est plein. Libérez de l’espace : d’ici là, aucun nouveau message ne peut être enregistré sur cet appareil.</translation>
    </message>
    <message>
        <source>The messages stored on this device are damaged. Restart the application: it sets the damaged copy aside and downloads your messages again.</source>
        <translation>Les messages enregistrés sur cet appareil sont endommagés. Redémarrez l’application : elle met la copie endommagée de côté et télécharge à nouveau vos messages.</translation>
    </message>
    <message>
        <source>The messages stored on this device cannot be changed: the profile folder or its disk is read-only.</source>
        <translation>Les messages enregistrés sur cet appareil ne peuvent pas être modifiés : le dossier du profil ou son disque est en lecture seule.</translation>
    </message>
    <message>
        <source>The messages stored on this device are busy. Try again in a moment.</source>
        <translation>Les messages enregistrés sur cet appareil sont occupés. Réessayez dans un instant.</translation>
    </message>
    <message>
        <source>The messages stored on this device could not be read or written. Check the disk; if it keeps happening, copy the diagnostics and report it.</source>
        <translation>Les messages enregistrés sur cet appareil n’ont pas pu être lus ou écrits. Vérifiez le disque ; si cela se reproduit, copiez les diagnostics et signalez-le.</translation>
    </message>
    <message>
        <source>This profile is already open in another window. Use that window, or close it first.</source>
        <translation>Ce profil est déjà ouvert dans une autre fenêtre. Utilisez cette fenêtre ou fermez-la d’abord.</translation>
    </message>
    <message>
        <source>The profile folder cannot be used. Check that it exists and can be written.</source>
        <translation>Le dossier du profil est inutilisable. Vérifiez qu’il existe et qu’il est accessible en écriture.</translation>
    </message>
    <message>
        <source>This device is not signed in.</source>
        <translation>Cet appareil n’est pas connecté.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <source>The profile in %1 cannot be opened. %2</source>
        <translation>Le profil dans %1 ne peut pas être ouvert. %2</translation>
    </message>
    <message>
        <source>The messages stored on this device were damaged and have been set aside. They are being downloaded again; messages not yet sent from this device are lost.</source>
        <translation>Les messages enregistrés sur cet appareil étaient endommagés et ont été mis de côté. Ils sont à nouveau téléchargés ; les messages pas encore envoyés depuis cet appareil sont perdus.</translation>
    </message>
    <message>
        <source>The server is busy with other sign-ins. Try again in a few seconds.</source>
        <translation>Le serveur vérifie de nombreuses autres connexions. Réessayez dans quelques secondes.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins for this address or from this network. Try again in %1 min.</source>
        <translation>Trop de connexions échouées pour cette adresse ou depuis ce réseau. Réessayez dans %1 min.</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate this computer does not trust. If your operator runs its own certificate authority, choose its certificate as the trusted CA file. Otherwise do not sign in: someone may be impersonating the server.</source>
        <translation>Le serveur %1 a présenté un certificat auquel cet ordinateur ne fait pas confiance. Si votre opérateur gère sa propre autorité de certification, choisissez son certificat comme fichier d&apos;AC de confiance. Sinon, ne vous connectez pas : quelqu&apos;un se fait peut-être passer pour le serveur.</translation>
    </message>
    <message>
        <source>The certificate of the server at %1 has expired or is not valid yet. Check this computer&apos;s date and time; if they are right, tell the operator.</source>
        <translation>Le certificat du serveur %1 a expiré ou n&apos;est pas encore valide. Vérifiez la date et l&apos;heure de cet ordinateur ; si elles sont justes, prévenez l&apos;opérateur.</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate for another name. Check the server address; if it is right, tell the operator.</source>
        <translation>Le serveur %1 a présenté un certificat établi pour un autre nom. Vérifiez l&apos;adresse du serveur ; si elle est juste, prévenez l&apos;opérateur.</translation>
    </message>
    <message>
        <source>A secure connection to %1 could not be set up. Check the trusted CA file and the server address.</source>
        <translation>Impossible d&apos;établir une connexion sécurisée avec %1. Vérifiez le fichier d&apos;AC de confiance et l&apos;adresse du serveur.</translation>
    </message>
    <message>
        <source>%1 is not encrypted: your password would cross the network in the clear. Use a wss:// address, or allow an unencrypted connection if you trust this network.</source>
        <translation>%1 n&apos;est pas chiffré : votre mot de passe traverserait le réseau en clair. Utilisez une adresse wss://, ou autorisez une connexion non chiffrée si vous faites confiance à ce réseau.</translation>
    </message>
    <message>
        <source>The server&apos;s identity could not be verified, so the connection was not made. Sign in again to see why.</source>
        <translation>L&apos;identité du serveur n&apos;a pas pu être vérifiée, la connexion n&apos;a donc pas été établie. Reconnectez-vous pour en voir la raison.</translation>
    </message>
    <message>
        <source>The connection is not encrypted, so the password was not sent.</source>
        <translation>La connexion n&apos;est pas chiffrée, le mot de passe n&apos;a donc pas été envoyé.</translation>
    </message>
    <message>
        <source>This account has the most devices signed in that the server allows. Sign out a device you no longer use (Devices), then try again.</source>
        <translation>Ce compte a déjà autant d&apos;appareils connectés que le serveur le permet. Déconnectez un appareil que vous n&apos;utilisez plus (Appareils), puis réessayez.</translation>
    </message>
    <message>
        <source>Your contacts and settings have reached the size your server allows. Remove contacts you no longer need, then try again.</source>
        <translation>Vos contacts et réglages ont atteint la taille permise par votre serveur. Supprimez les contacts dont vous n&apos;avez plus besoin, puis réessayez.</translation>
    </message>
    <message>
        <source>There is no computer named %1. Check the server address for a typing mistake, and that this computer is connected to the network.</source>
        <translation>Aucun ordinateur ne s&apos;appelle %1. Vérifiez l&apos;adresse du serveur (faute de frappe ?) et que cet ordinateur est connecté au réseau.</translation>
    </message>
    <message>
        <source>Nothing answers at %1, port %2: the CPM server is not running there, or the port is wrong. Check the port in the server address, and ask the operator whether the server is up.</source>
        <translation>Rien ne répond à %1, port %2 : le serveur CPM n&apos;y tourne pas, ou le port est faux. Vérifiez le port dans l&apos;adresse du serveur et demandez à l&apos;opérateur si le serveur fonctionne.</translation>
    </message>
    <message>
        <source>Something answers at %1, but it is not a CPM server. Check the server address and port: another program (a web server, for one) runs there.</source>
        <translation>Quelque chose répond à %1, mais ce n&apos;est pas un serveur CPM. Vérifiez l&apos;adresse et le port : un autre programme (un serveur web, par exemple) y tourne.</translation>
    </message>
    <message>
        <source>This chat session request was already answered on another of your devices.</source>
        <translation>Cette demande de session de discussion a déjà reçu une réponse sur un autre de vos appareils.</translation>
    </message>
    <message>
        <source>This chat session has ended. Start a new one to talk now.</source>
        <translation>Cette session de discussion est terminée. Démarrez-en une nouvelle pour discuter maintenant.</translation>
    </message>
    <message>
        <source>This chat session continues on another of your devices. Use “Continue here” to take it over.</source>
        <translation>Cette session de discussion se poursuit sur un autre de vos appareils. Utilisez « Continuer ici » pour la reprendre.</translation>
    </message>
    <message>
        <source>That device is not connected. A chat session can only move to a device that is online; open the app there and try again.</source>
        <translation>Cet appareil n’est pas connecté. Une session de discussion ne peut passer que sur un appareil en ligne ; ouvrez l’application sur celui-ci et réessayez.</translation>
    </message>
    <message>
        <source>This server does not allow signing in as a guest. Sign in normally, or ask the operator.</source>
        <translation>Ce serveur n’autorise pas la connexion en tant qu’invité. Connectez-vous normalement ou demandez à l’opérateur.</translation>
    </message>
    <message>
        <source>Your account does not allow guest sign-in. Allow it in the settings on one of your own devices, then try again.</source>
        <translation>Votre compte n’autorise pas la connexion en tant qu’invité. Autorisez-la dans les paramètres sur l’un de vos propres appareils, puis réessayez.</translation>
    </message>
    <message>
        <source>A guest sign-in cannot do that. Use one of your own devices.</source>
        <translation>Une connexion invité ne permet pas de faire cela. Utilisez l’un de vos propres appareils.</translation>
    </message>
    <message>
        <source>The message or file is larger than your server allows.</source>
        <translation>Le message ou le fichier dépasse la taille autorisée par votre serveur.</translation>
    </message>
    <message>
        <source>Your storage on the server is full. Delete files you no longer need in My files, then try again.</source>
        <translation>Votre espace sur le serveur est plein. Supprimez dans « Mes fichiers » ceux dont vous n’avez plus besoin, puis réessayez.</translation>
    </message>
    <message>
        <source>The file changed while it was being sent. Send it again.</source>
        <translation>Le fichier a changé pendant l’envoi. Envoyez-le à nouveau.</translation>
    </message>
</context>
<context>
    <name>SessionText</name>
    <message>
        <source>%1 wants to chat now</source>
        <translation>%1 veut discuter maintenant</translation>
    </message>
    <message>
        <source>%1 wants to chat now — %2</source>
        <translation>%1 veut discuter maintenant — %2</translation>
    </message>
    <message>
        <source>Session request declined</source>
        <translation>Demande de session refusée</translation>
    </message>
    <message>
        <source>Session declined by %1</source>
        <translation>Session refusée par %1</translation>
    </message>
    <message>
        <source>Session request cancelled</source>
        <translation>Demande de session annulée</translation>
    </message>
    <message>
        <source>Session request cancelled by %1</source>
        <translation>Demande de session annulée par %1</translation>
    </message>
    <message>
        <source>Session request timed out: nobody answered</source>
        <translation>Demande de session expirée : personne n’a répondu</translation>
    </message>
    <message>
        <source>Session ended: your device went away</source>
        <translation>Session terminée : votre appareil n’était plus joignable</translation>
    </message>
    <message>
        <source>Session ended: %1&apos;s device went away</source>
        <translation>Session terminée : l’appareil de %1 n’était plus joignable</translation>
    </message>
    <message>
        <source>Session ended by you</source>
        <translation>Session terminée par vous</translation>
    </message>
    <message>
        <source>Session ended by %1</source>
        <translation>Session terminée par %1</translation>
    </message>
</context>
<context>
    <name>cpm::ui</name>
    <message>
        <source>Laptop</source>
        <translation>Ordinateur portable</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Téléphone mobile</translation>
    </message>
    <message>
        <source>Fixed phone</source>
        <translation>Téléphone fixe</translation>
    </message>
    <message>
        <source>Tablet / PDA</source>
        <translation>Tablette / PDA</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Ordinateur de bureau</translation>
    </message>
</context>
<context>
    <name>cpm::ui::AttachmentViewer</name>
    <message>
        <source>Picture %1</source>
        <translation>Image %1</translation>
    </message>
    <message>
        <source>This picture cannot be shown: %1</source>
        <translation>Cette image ne peut pas être affichée : %1</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Enregistrer sous…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::Composer</name>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Subject (optional)</source>
        <translation>Objet (facultatif)</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Write a message — Enter sends, Shift+Enter adds a line</source>
        <translation>Écrivez un message — Entrée pour envoyer, Maj+Entrée pour aller à la ligne</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Texte du message</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Envoyer le message</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Envoyer (Entrée)</translation>
    </message>
    <message>
        <source>Say something in the chat session — Enter sends, Shift+Enter adds a line</source>
        <translation>Écrivez dans la session de discussion — Entrée envoie, Maj+Entrée ajoute une ligne</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Joindre</translation>
    </message>
    <message>
        <source>Attach files (Ctrl+Shift+A) — or drop or paste them here</source>
        <translation>Joindre des fichiers (Ctrl+Maj+A) — ou les déposer ou coller ici</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Joindre des fichiers</translation>
    </message>
    <message numerus="yes">
        <source>At most %n files can go with one message.</source>
        <translation>
            <numerusform>Au plus %n fichier peut accompagner un message.</numerusform>
            <numerusform>Au plus %n fichiers peuvent accompagner un message.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” cannot be read: it is not a file, or it is gone.</source>
        <translation>« %1 » ne peut pas être lu : ce n’est pas un fichier, ou il n’existe plus.</translation>
    </message>
    <message>
        <source>A guest cannot paste pictures. Save the picture to a file and attach that file instead.</source>
        <translation>Un invité ne peut pas coller d’images. Enregistrez l’image dans un fichier et joignez ce fichier.</translation>
    </message>
    <message>
        <source>The pasted picture could not be kept for sending.</source>
        <translation>L’image collée n’a pas pu être conservée pour l’envoi.</translation>
    </message>
    <message>
        <source>%1 (%2)  ✕</source>
        <translation>%1 (%2)  ✕</translation>
    </message>
    <message>
        <source>Remove %1 from the message</source>
        <translation>Retirer %1 du message</translation>
    </message>
    <message>
        <source>Attached: %1, %2. Press to remove.</source>
        <translation>Joint : %1, %2. Appuyez pour le retirer.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::ContactsDialog</name>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Ajouter</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>&amp;Write a message</source>
        <translation>É&amp;crire un message</translation>
    </message>
    <message>
        <source>Contacts — %1</source>
        <translation>Contacts — %1</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Contact address</source>
        <translation>Adresse du contact</translation>
    </message>
    <message>
        <source>Name (optional)</source>
        <translation>Nom (facultatif)</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Nom du contact</translation>
    </message>
    <message>
        <source>A&amp;ddress:</source>
        <translation>A&amp;dresse&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom&#xa0;:</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;</source>
        <translation>%1 &lt;%2&gt;</translation>
    </message>
    <message>
        <source>“%1” is not a CPM address. It looks like name@example.com.</source>
        <translation>«&#xa0;%1&#xa0;» n’est pas une adresse CPM. Une adresse CPM ressemble à name@example.com.</translation>
    </message>
    <message>
        <source>Add a contact</source>
        <translation>Ajouter un contact</translation>
    </message>
    <message>
        <source>No contacts yet. Type someone&apos;s address below and press Add; a name is optional.</source>
        <translation>Aucun contact pour l’instant. Saisissez une adresse ci-dessous et cliquez sur Ajouter ; le nom est facultatif.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::ConversationDelegate</name>
    <message>
        <source>Busy</source>
        <translation>Occupé</translation>
    </message>
    <message>
        <source>Busy: %1</source>
        <translation>Occupé : %1</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Absent</translation>
    </message>
    <message>
        <source>Away: %1</source>
        <translation>Absent : %1</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <source>Available: %1</source>
        <translation>Disponible : %1</translation>
    </message>
    <message>
        <source>New message, not loaded yet</source>
        <translation>Nouveau message, pas encore chargé</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DesktopApp</name>
    <message>
        <source>This device was signed out and its local data removed. Sign in again to use it.</source>
        <translation>Cet appareil a été déconnecté et ses données locales ont été supprimées. Reconnectez-vous pour l’utiliser.</translation>
    </message>
    <message>
        <source>Removing your data from this computer…</source>
        <translation>Suppression de vos données de cet ordinateur…</translation>
    </message>
    <message>
        <source>Signing out</source>
        <translation>Déconnexion en cours</translation>
    </message>
    <message>
        <source>You are signed out. Everything of yours was removed from this computer.</source>
        <translation>Vous êtes déconnecté. Tout ce qui vous appartient a été supprimé de cet ordinateur.</translation>
    </message>
    <message>
        <source>Your guest session ended: it was signed out from another device or its time was up. Everything of yours was removed from this computer.</source>
        <translation>Votre session invité est terminée : elle a été déconnectée depuis un autre appareil ou son temps est écoulé. Tout ce qui vous appartient a été supprimé de cet ordinateur.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DeviceDelegate</name>
    <message>
        <source>Online</source>
        <translation>En ligne</translation>
    </message>
    <message>
        <source>Never connected</source>
        <translation>Jamais connecté</translation>
    </message>
    <message>
        <source>Last seen today at %1</source>
        <translation>Vu pour la dernière fois aujourd’hui à %1</translation>
    </message>
    <message>
        <source>Last seen yesterday at %1</source>
        <translation>Vu pour la dernière fois hier à %1</translation>
    </message>
    <message>
        <source>Last seen %1</source>
        <translation>Vu pour la dernière fois le %1</translation>
    </message>
    <message>
        <source>Notification only</source>
        <translation>Notification seule</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>Rien</translation>
    </message>
    <message>
        <source>Whole message</source>
        <translation>Message complet</translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation>%1 (cet appareil)</translation>
    </message>
    <message>
        <source>%1 · %2 · receives: %3</source>
        <translation>%1 · %2 · reçoit&#xa0;: %3</translation>
    </message>
    <message>
        <source>This device — not connected</source>
        <translation>Cet appareil — non connecté</translation>
    </message>
    <message>
        <source>Not known while this device is not connected</source>
        <translation>Inconnu tant que cet appareil n’est pas connecté</translation>
    </message>
    <message>
        <source>%1 — guest until %2</source>
        <translation>%1 — invité jusqu’à %2</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DevicesDialog</name>
    <message>
        <source>&amp;Rename…</source>
        <translation>Re&amp;nommer…</translation>
    </message>
    <message>
        <source>&amp;Sign out…</source>
        <translation>&amp;Déconnecter…</translation>
    </message>
    <message>
        <source>Devices — %1</source>
        <translation>Appareils — %1</translation>
    </message>
    <message>
        <source>Every device signed in to your account. Choose what each one receives, rename it, or sign out one you no longer have.</source>
        <translation>Tous les appareils connectés à votre compte. Choisissez ce que chacun reçoit, renommez-le ou déconnectez celui que vous n’avez plus.</translation>
    </message>
    <message>
        <source>Your devices</source>
        <translation>Vos appareils</translation>
    </message>
    <message>
        <source>What the selected device receives</source>
        <translation>Ce que reçoit l’appareil sélectionné</translation>
    </message>
    <message>
        <source>&amp;Receives:</source>
        <translation>&amp;Reçoit&#xa0;:</translation>
    </message>
    <message>
        <source>Rename device</source>
        <translation>Renommer l’appareil</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Nouveau nom&#xa0;:</translation>
    </message>
    <message>
        <source>Sign out this device? Its local copy of your messages will be removed; your other devices and the network keep them.</source>
        <translation>Déconnecter cet appareil&#xa0;? Sa copie locale de vos messages sera supprimée&#xa0;; vos autres appareils et le réseau les conservent.</translation>
    </message>
    <message>
        <source>Sign out “%1”? It is disconnected at once and removes your messages from it. You can sign in on it again later with your password.</source>
        <translation>Déconnecter «&#xa0;%1&#xa0;»&#xa0;? L’appareil est immédiatement déconnecté et vos messages en sont supprimés. Vous pourrez vous y reconnecter plus tard avec votre mot de passe.</translation>
    </message>
    <message>
        <source>Sign out device</source>
        <translation>Déconnecter l’appareil</translation>
    </message>
    <message>
        <source>“%1” was signed out.</source>
        <translation>«&#xa0;%1&#xa0;» a été déconnecté.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::DiagnosticsDialog</name>
    <message>
        <source>disconnected (reconnecting)</source>
        <translation>déconnecté (reconnexion en cours)</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>connexion en cours</translation>
    </message>
    <message>
        <source>synchronizing</source>
        <translation>synchronisation en cours</translation>
    </message>
    <message>
        <source>online</source>
        <translation>en ligne</translation>
    </message>
    <message>
        <source>signed out</source>
        <translation>déconnecté du compte</translation>
    </message>
    <message>
        <source>Diagnostics — %1 — %2</source>
        <translation>Diagnostic — %1 — %2</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>Connexion&#xa0;:</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Serveur&#xa0;:</translation>
    </message>
    <message>
        <source>Server version:</source>
        <translation>Version du serveur&#xa0;:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse&#xa0;:</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Appareil&#xa0;:</translation>
    </message>
    <message>
        <source>Device id:</source>
        <translation>Identifiant de l’appareil&#xa0;:</translation>
    </message>
    <message>
        <source>Instance id:</source>
        <translation>Identifiant d’instance&#xa0;:</translation>
    </message>
    <message>
        <source>Sync position:</source>
        <translation>Position de synchronisation&#xa0;:</translation>
    </message>
    <message>
        <source>Outbox:</source>
        <translation>Boîte d’envoi&#xa0;:</translation>
    </message>
    <message>
        <source>Profile key:</source>
        <translation>Clé du profil&#xa0;:</translation>
    </message>
    <message>
        <source>Profile directory:</source>
        <translation>Répertoire du profil&#xa0;:</translation>
    </message>
    <message>
        <source>Last errors</source>
        <translation>Dernières erreurs</translation>
    </message>
    <message>
        <source>No errors.</source>
        <translation>Aucune erreur.</translation>
    </message>
    <message>
        <source>&amp;Copy as text</source>
        <translation>&amp;Copier en texte</translation>
    </message>
    <message>
        <source>Last errors:</source>
        <translation>Dernières erreurs&#xa0;:</translation>
    </message>
    <message>
        <source>not connected yet</source>
        <translation>pas encore connecté</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>%1 waiting</source>
        <translation>%1 en attente</translation>
    </message>
    <message>
        <source>desktop keyring</source>
        <translation>trousseau du bureau</translation>
    </message>
    <message>
        <source>key file in the profile (0600)</source>
        <translation>fichier de clé dans le profil (0600)</translation>
    </message>
    <message>
        <source>A damaged local database was set aside as %1</source>
        <translation>Une base de données locale endommagée a été mise de côté sous le nom %1</translation>
    </message>
    <message>
        <source>Deliveries by e-mail or SMS</source>
        <translation>Distributions par e-mail ou SMS</translation>
    </message>
    <message>
        <source>Deliveries by e-mail or SMS:</source>
        <translation>Distributions par e-mail ou SMS :</translation>
    </message>
    <message>
        <source>by SMS</source>
        <translation>par SMS</translation>
    </message>
    <message>
        <source>by e-mail</source>
        <translation>par e-mail</translation>
    </message>
    <message>
        <source>message %1 you sent, %2</source>
        <translation>message %1 que vous avez envoyé, %2</translation>
    </message>
    <message>
        <source>message %1 to you, %2 to %3</source>
        <translation>message %1 pour vous, %2 à %3</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>distribué</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échec</translation>
    </message>
    <message>
        <source>not needed: read on CPM</source>
        <translation>inutile : lu sur CPM</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>last error: %1</source>
        <translation>dernière erreur : %1</translation>
    </message>
    <message>
        <source>Shown when connected.</source>
        <translation>Affiché une fois connecté.</translation>
    </message>
    <message>
        <source>Cannot ask the server: %1</source>
        <translation>Impossible d’interroger le serveur : %1</translation>
    </message>
    <message>
        <source>None of your recent messages went by e-mail or SMS.</source>
        <translation>Aucun de vos messages récents n’est parti par e-mail ou SMS.</translation>
    </message>
    <message>
        <source>attempts: %1</source>
        <translation>tentatives : %1</translation>
    </message>
    <message>
        <source>%1 (server %2 of %3)</source>
        <translation>%1 (serveur %2 sur %3)</translation>
    </message>
</context>
<context>
    <name>cpm::ui::HistoryChoiceWidget</name>
    <message>
        <source>Bring along</source>
        <translation>Emporter</translation>
    </message>
    <message>
        <source>&amp;Nothing</source>
        <translation>&amp;Rien</translation>
    </message>
    <message>
        <source>This &amp;session&apos;s messages</source>
        <translation>Les messages de cette &amp;session</translation>
    </message>
    <message>
        <source>The &amp;last</source>
        <translation>Les &amp;derniers</translation>
    </message>
    <message>
        <source>The &amp;whole conversation</source>
        <translation>&amp;Toute la conversation</translation>
    </message>
    <message>
        <source> messages</source>
        <translation> messages</translation>
    </message>
    <message>
        <source>How many of the newest messages</source>
        <translation>Combien des messages les plus récents</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MainWindow</name>
    <message>
        <source>Search conversations</source>
        <translation>Rechercher des conversations</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>Start a conversation with a contact (Ctrl+N)</source>
        <translation>Démarrer une conversation avec un contact (Ctrl+N)</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Synchronization progress</source>
        <translation>Progression de la synchronisation</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;New conversation…</source>
        <translation>&amp;Nouvelle conversation…</translation>
    </message>
    <message>
        <source>&amp;Find conversation</source>
        <translation>&amp;Rechercher une conversation</translation>
    </message>
    <message>
        <source>Sign &amp;out this device…</source>
        <translation>&amp;Déconnecter cet appareil…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Déconnexion</translation>
    </message>
    <message>
        <source>Sign this device out? Its local copy of your messages will be removed; your other devices and the network keep them.</source>
        <translation>Déconnecter cet appareil&#xa0;? Sa copie locale de vos messages sera supprimée&#xa0;; vos autres appareils et le réseau les conservent.</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Message</source>
        <translation>&amp;Message</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;Diagnostics…</source>
        <translation>&amp;Diagnostics…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Offline — reconnecting…</source>
        <translation>Hors ligne — reconnexion…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>Synchronizing…</source>
        <translation>Synchronisation…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>En ligne</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Déconnecté</translation>
    </message>
    <message>
        <source>Choose a conversation, or start one with Ctrl+N</source>
        <translation>Choisissez une conversation ou démarrez-en une avec Ctrl+N</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;</source>
        <translation>%1 &lt;%2&gt;</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>Copier le texte</translation>
    </message>
    <message>
        <source>Delete on this device</source>
        <translation>Supprimer sur cet appareil</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>Aff&amp;ichage</translation>
    </message>
    <message>
        <source>&amp;Devices…</source>
        <translation>&amp;Appareils…</translation>
    </message>
    <message>
        <source>&amp;Contacts…</source>
        <translation>&amp;Contacts…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>Your status</source>
        <translation>Votre statut</translation>
    </message>
    <message>
        <source>Your status, as your contacts and your other devices see it</source>
        <translation>Votre statut, tel que le voient vos contacts et vos autres appareils</translation>
    </message>
    <message>
        <source>● Available</source>
        <translation>● Disponible</translation>
    </message>
    <message>
        <source>● Busy</source>
        <translation>● Occupé</translation>
    </message>
    <message>
        <source>● Away</source>
        <translation>● Absent</translation>
    </message>
    <message>
        <source>✎ Custom…</source>
        <translation>✎ Personnalisé…</translation>
    </message>
    <message>
        <source>✎ %1</source>
        <translation>✎ %1</translation>
    </message>
    <message>
        <source>Custom status</source>
        <translation>Statut personnalisé</translation>
    </message>
    <message>
        <source>What are you up to?</source>
        <translation>Que faites-vous en ce moment&#xa0;?</translation>
    </message>
    <message>
        <source>Jump to the newest message (Ctrl+End)</source>
        <translation>Aller au message le plus récent (Ctrl+Fin)</translation>
    </message>
    <message>
        <source>Jump to the newest message</source>
        <translation>Aller au message le plus récent</translation>
    </message>
    <message numerus="yes">
        <source>↓ %n new</source>
        <translation>
            <numerusform>↓ %n nouveau</numerusform>
            <numerusform>↓ %n nouveaux</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unread messages below</source>
        <translation>
            <numerusform>%n message non lu plus bas</numerusform>
            <numerusform>%n messages non lus plus bas</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Delete on this device…</source>
        <translation>&amp;Supprimer sur cet appareil…</translation>
    </message>
    <message>
        <source>Delete on &amp;all my devices…</source>
        <translation>Supprimer sur &amp;tous mes appareils…</translation>
    </message>
    <message>
        <source>Delete on all my devices</source>
        <translation>Supprimer sur tous mes appareils</translation>
    </message>
    <message>
        <source>Delete this message from your network storage and from all your devices? The other person keeps their copy. This cannot be undone.</source>
        <translation>Supprimer ce message de votre stockage réseau et de tous vos appareils ? Votre correspondant garde sa copie. Cette action est irréversible.</translation>
    </message>
    <message>
        <source>Delete this message on this device? Your other devices and your network storage keep it.</source>
        <translation>Supprimer ce message sur cet appareil ? Vos autres appareils et votre stockage réseau le gardent.</translation>
    </message>
    <message>
        <source>Delete on this device…</source>
        <translation>Supprimer sur cet appareil…</translation>
    </message>
    <message>
        <source>Delete on all my devices…</source>
        <translation>Supprimer sur tous mes appareils…</translation>
    </message>
    <message>
        <source>Search names, addresses and messages</source>
        <translation>Rechercher noms, adresses et messages</translation>
    </message>
    <message>
        <source>No conversation matches “%1”. Press Ctrl+N to start one.</source>
        <translation>Aucune conversation ne correspond à « %1 ». Ctrl+N en commence une.</translation>
    </message>
    <message>
        <source>Send &amp;again</source>
        <translation>&amp;Renvoyer</translation>
    </message>
    <message>
        <source>Pick a conversation on the left to read it here.</source>
        <translation>Choisissez une conversation à gauche pour la lire ici.</translation>
    </message>
    <message>
        <source>%1 — ● %2</source>
        <translation>%1 — ● %2</translation>
    </message>
    <message>
        <source>Nothing written with %1 yet. Type a message below and press Enter to send it.</source>
        <translation>Rien d’écrit avec %1 pour l’instant. Saisissez un message ci-dessous et appuyez sur Entrée pour l’envoyer.</translation>
    </message>
    <message>
        <source>No conversations yet.

Start one with “New conversation” (Ctrl+N). Messages sent to you appear here on all your devices.</source>
        <translation>Aucune conversation pour l’instant.

Commencez-en une avec « Nouvelle conversation » (Ctrl+N). Les messages qui vous sont envoyés apparaissent ici sur tous vos appareils.</translation>
    </message>
    <message numerus="yes">
        <source>Loading %Ln messages…</source>
        <translation>
            <numerusform>Chargement de %Ln message…</numerusform>
            <numerusform>Chargement de %Ln messages…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln messages here were only notified to this device.</source>
        <translation>
            <numerusform>%Ln message ici n’a été que signalé à cet appareil.</numerusform>
            <numerusform>%Ln messages ici n’ont été que signalés à cet appareil.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Load them</source>
        <translation>&amp;Les charger</translation>
    </message>
    <message>
        <source>Only a message that could not be sent can be sent again.</source>
        <translation>Seul un message qui n’a pas pu être envoyé peut être renvoyé.</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Renvoyer</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Session</translation>
    </message>
    <message>
        <source>&amp;Start chat session…</source>
        <translation>&amp;Démarrer une session de discussion…</translation>
    </message>
    <message>
        <source>Chat now</source>
        <translation>Discuter maintenant</translation>
    </message>
    <message>
        <source>&amp;Move session to…</source>
        <translation>Dé&amp;placer la session vers…</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>&amp;Terminer la session</translation>
    </message>
    <message>
        <source>Sessions on my &amp;other devices…</source>
        <translation>Sessions sur mes &amp;autres appareils…</translation>
    </message>
    <message>
        <source>Chat sessions need a connection to the server</source>
        <translation>Les sessions de discussion nécessitent une connexion au serveur</translation>
    </message>
    <message>
        <source>A chat session with this person is already open</source>
        <translation>Une session de discussion avec cette personne est déjà ouverte</translation>
    </message>
    <message>
        <source>Ask to chat now, each on one device (Ctrl+Shift+S)</source>
        <translation>Proposer de discuter maintenant, chacun sur un appareil (Ctrl+Maj+S)</translation>
    </message>
    <message>
        <source>Start chat session</source>
        <translation>Démarrer une session de discussion</translation>
    </message>
    <message>
        <source>Ask %1 to chat now. What about? (optional)</source>
        <translation>Proposer à %1 de discuter maintenant. À quel sujet ? (facultatif)</translation>
    </message>
    <message>
        <source>Let a &amp;guest sign in…</source>
        <translation>Laisser un &amp;invité se connecter…</translation>
    </message>
    <message>
        <source>Opens a separate window where someone else signs in for a visit; nothing of theirs stays on this computer</source>
        <translation>Ouvre une fenêtre séparée où quelqu’un d’autre se connecte le temps d’une visite ; rien de ses données ne reste sur cet ordinateur</translation>
    </message>
    <message>
        <source>Guest — %1</source>
        <translation>Invité — %1</translation>
    </message>
    <message>
        <source>Guest on this device — everything is removed when you sign out.</source>
        <translation>Invité sur cet appareil — tout est supprimé à la déconnexion.</translation>
    </message>
    <message>
        <source>Sign out and remove everything of yours from this computer?</source>
        <translation>Se déconnecter et supprimer de cet ordinateur tout ce qui vous appartient ?</translation>
    </message>
    <message>
        <source>The guest sign-in window could not be started.</source>
        <translation>La fenêtre de connexion invité n’a pas pu être lancée.</translation>
    </message>
    <message>
        <source>My &amp;files…</source>
        <translation>Mes &amp;fichiers…</translation>
    </message>
    <message>
        <source>Files cannot go into a chat session. End the session to send them as a message.</source>
        <translation>Les fichiers ne peuvent pas être envoyés dans une session de discussion. Terminez la session pour les envoyer dans un message.</translation>
    </message>
    <message>
        <source>A file cannot be read any more. Remove it and attach it again.</source>
        <translation>Un fichier ne peut plus être lu. Retirez-le et joignez-le à nouveau.</translation>
    </message>
    <message>
        <source>A file is larger than your server allows. Remove it, or send a smaller one.</source>
        <translation>Un fichier dépasse la taille permise par votre serveur. Retirez-le ou envoyez-en un plus petit.</translation>
    </message>
    <message>
        <source>Download “%1”</source>
        <translation>Télécharger « %1 »</translation>
    </message>
    <message>
        <source>View “%1”</source>
        <translation>Afficher « %1 »</translation>
    </message>
    <message>
        <source>Open “%1”</source>
        <translation>Ouvrir « %1 »</translation>
    </message>
    <message>
        <source>Save “%1” as…</source>
        <translation>Enregistrer « %1 » sous…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>Aujourd’hui</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Hier</translation>
    </message>
    <message>
        <source>Notification only — click to load the message</source>
        <translation>Notification seule — cliquez pour charger le message</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>En attente d’envoi</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Distribué</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Lu</translation>
    </message>
    <message>
        <source>Expired before it could be delivered</source>
        <translation>Expiré avant d’avoir pu être distribué</translation>
    </message>
    <message>
        <source>Could not be sent</source>
        <translation>Échec de l’envoi</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>Nouveaux messages</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expiré</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Non envoyé</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Non lu</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>You, %1: %2. %3</source>
        <translation>Vous, %1 : %2. %3</translation>
    </message>
    <message>
        <source>%1, %2: %3. %4</source>
        <translation>%1, %2 : %3. %4</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Non envoyé : %1</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Renvoyer</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>Non envoyé.</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Texte du message</translation>
    </message>
    <message numerus="yes">
        <source>(%n attachment(s): %1)</source>
        <translation>
            <numerusform>(%n pièce jointe : %1)</numerusform>
            <numerusform>(%n pièces jointes : %1)</numerusform>
        </translation>
    </message>
    <message>
        <source>Uploading… %1 %</source>
        <translation>Envoi… %1 %</translation>
    </message>
    <message>
        <source>Downloading… %1 %</source>
        <translation>Téléchargement… %1 %</translation>
    </message>
    <message>
        <source>Waiting to upload</source>
        <translation>En attente d’envoi</translation>
    </message>
    <message>
        <source>Click to load</source>
        <translation>Cliquer pour charger</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Télécharger</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Enregistrer sous…</translation>
    </message>
    <message>
        <source>Delivered by e-mail</source>
        <translation>Distribué par e-mail</translation>
    </message>
    <message>
        <source>Delivered by SMS</source>
        <translation>Distribué par SMS</translation>
    </message>
    <message>
        <source>Kept until they are online</source>
        <translation>Conservé jusqu’à ce que le destinataire soit en ligne</translation>
    </message>
    <message>
        <source>%1 — also delivered to you by e-mail</source>
        <translation>%1 — vous a aussi été distribué par e-mail</translation>
    </message>
    <message>
        <source>%1 — also delivered to you by SMS</source>
        <translation>%1 — vous a aussi été distribué par SMS</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MissedRequestBar</name>
    <message>
        <source>Missed chat session request</source>
        <translation>Demande de session de discussion manquée</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Masquer</translation>
    </message>
    <message>
        <source>Forget this missed request</source>
        <translation>Oublier cette demande manquée</translation>
    </message>
    <message>
        <source>You missed a chat session request from %1 at %2</source>
        <translation>Vous avez manqué une demande de session de discussion de %1 à %2</translation>
    </message>
    <message numerus="yes">
        <source>You missed %n chat session requests from %1, the last at %2</source>
        <translation>
            <numerusform>Vous avez manqué %n demande de session de discussion de %1, la dernière à %2</numerusform>
            <numerusform>Vous avez manqué %n demandes de session de discussion de %1, la dernière à %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Invite %1</source>
        <translation>Inviter %1</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MoveSessionDialog</name>
    <message>
        <source>Move the chat session with %1</source>
        <translation>Déplacer la session de discussion avec %1</translation>
    </message>
    <message>
        <source>Carry on the chat session with %1 on another of your devices. It stops here and opens there at once.</source>
        <translation>Poursuivez la session de discussion avec %1 sur un autre de vos appareils. Elle s’arrête ici et s’ouvre là-bas aussitôt.</translation>
    </message>
    <message>
        <source>&amp;Move to:</source>
        <translation>&amp;Déplacer vers :</translation>
    </message>
    <message>
        <source>Your other devices</source>
        <translation>Vos autres appareils</translation>
    </message>
    <message>
        <source>&amp;Move</source>
        <translation>&amp;Déplacer</translation>
    </message>
    <message>
        <source>%1
%2 · %3</source>
        <translation>%1
%2 · %3</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>En ligne</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <source>%1 is not connected. A chat session can only move to a device where CPM is running and online.</source>
        <translation>%1 n’est pas connecté. Une session de discussion ne peut passer que sur un appareil où CPM est ouvert et en ligne.</translation>
    </message>
    <message>
        <source>You have no other device signed in. Sign in on another device first, then move the session there.</source>
        <translation>Vous n’avez aucun autre appareil connecté. Connectez-vous d’abord sur un autre appareil, puis déplacez-y la session.</translation>
    </message>
    <message>
        <source>None of your other devices is online right now.</source>
        <translation>Aucun de vos autres appareils n’est en ligne pour le moment.</translation>
    </message>
    <message>
        <source>Moving the session to %1…</source>
        <translation>Déplacement de la session vers %1…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::MyFilesDialog</name>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message>
        <source>My files</source>
        <translation>Mes fichiers</translation>
    </message>
    <message>
        <source>Files in your storage on the server</source>
        <translation>Fichiers de votre espace sur le serveur</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Uploaded</source>
        <translation>Envoyé le</translation>
    </message>
    <message>
        <source>Storage used</source>
        <translation>Espace utilisé</translation>
    </message>
    <message>
        <source>Delete the selected files from your storage (Del)</source>
        <translation>Supprimer les fichiers sélectionnés de votre espace (Suppr)</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Envoi en cours</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Complet</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>Supprimé</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>%1 of %2 used</source>
        <translation>%1 sur %2 utilisés</translation>
    </message>
    <message>
        <source>%1 used</source>
        <translation>%1 utilisés</translation>
    </message>
    <message>
        <source>Delete “%1” from your storage? Messages that carry it can no longer be downloaded by anyone who has not got it yet.</source>
        <translation>Supprimer « %1 » de votre espace ? Les personnes qui ne l’ont pas encore ne pourront plus le télécharger depuis les messages qui le contiennent.</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n files from your storage? Messages that carry them can no longer be downloaded by anyone who has not got them yet.</source>
        <translation>
            <numerusform>Supprimer %n fichier de votre espace ? Les personnes qui ne l’ont pas encore ne pourront plus le télécharger depuis les messages qui le contiennent.</numerusform>
            <numerusform>Supprimer %n fichiers de votre espace ? Les personnes qui ne les ont pas encore ne pourront plus les télécharger depuis les messages qui les contiennent.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete files</source>
        <translation>Supprimer des fichiers</translation>
    </message>
    <message>
        <source>&amp;Save a copy…</source>
        <translation>&amp;Enregistrer une copie…</translation>
    </message>
    <message>
        <source>Download the selected file from your storage to this computer</source>
        <translation>Télécharger le fichier sélectionné de votre espace sur cet ordinateur</translation>
    </message>
</context>
<context>
    <name>cpm::ui::NewConversationDialog</name>
    <message>
        <source>New conversation</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;À :</translation>
    </message>
    <message>
        <source>A name, or an address like bob@cpm.example</source>
        <translation>Un nom, ou une adresse comme bob@cpm.example</translation>
    </message>
    <message>
        <source>Contacts and people you wrote with</source>
        <translation>Contacts et personnes avec qui vous avez échangé</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>You have no contacts yet. Type the full address of the person you want to write to.</source>
        <translation>Vous n’avez pas encore de contacts. Saisissez l’adresse complète de la personne à qui écrire.</translation>
    </message>
    <message>
        <source>Opens the conversation with %1.</source>
        <translation>Ouvre la conversation avec %1.</translation>
    </message>
    <message>
        <source>Nobody here matches “%1”. Type a full address like name@example.com.</source>
        <translation>Personne ici ne correspond à « %1 ». Saisissez une adresse complète comme name@example.com.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::NoticeBar</name>
    <message>
        <source>Notice</source>
        <translation>Avis</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Masquer</translation>
    </message>
    <message>
        <source>Hide this notice (Esc)</source>
        <translation>Masquer cet avis (Échap)</translation>
    </message>
</context>
<context>
    <name>cpm::ui::Notifier</name>
    <message>
        <source>Show CPM</source>
        <translation>Afficher CPM</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
    <message>
        <source>New message from %1</source>
        <translation>Nouveau message de %1</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>CPM — %1 — unread: %2</source>
        <translation>CPM — %1 — non lus : %2</translation>
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
        <translation>Nouveau message</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message numerus="yes">
        <source>%Ln new messages in %1 conversations</source>
        <translation>
            <numerusform>%Ln nouveau message dans %1 conversations</numerusform>
            <numerusform>%Ln nouveaux messages dans %1 conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln new messages from %1</source>
        <translation>
            <numerusform>%Ln nouveau message de %1</numerusform>
            <numerusform>%Ln nouveaux messages de %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Chat session request
%1</source>
        <translation>Demande de session de discussion
%1</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Accepter</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Refuser</translation>
    </message>
</context>
<context>
    <name>cpm::ui::OtherSessionsDialog</name>
    <message>
        <source>&amp;Continue here</source>
        <translation>&amp;Continuer ici</translation>
    </message>
    <message>
        <source>Sessions on my other devices</source>
        <translation>Sessions sur mes autres appareils</translation>
    </message>
    <message>
        <source>Chat sessions you are holding on another of your devices. Continue one here and it stops there.</source>
        <translation>Les sessions de discussion que vous menez sur un autre de vos appareils. Continuez-en une ici et elle s’arrête là-bas.</translation>
    </message>
    <message>
        <source>Sessions on your other devices</source>
        <translation>Sessions sur vos autres appareils</translation>
    </message>
    <message>
        <source>%1 — since %2 — on %3</source>
        <translation>%1 — depuis %2 — sur %3</translation>
    </message>
    <message>
        <source>No chat session is going on on your other devices.</source>
        <translation>Aucune session de discussion n’est en cours sur vos autres appareils.</translation>
    </message>
    <message>
        <source>Taking the session over…</source>
        <translation>Reprise de la session…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SessionBar</name>
    <message>
        <source>E&amp;nd</source>
        <translation>&amp;Terminer</translation>
    </message>
    <message>
        <source>Chat session</source>
        <translation>Session de discussion</translation>
    </message>
    <message>
        <source>Loading the conversation</source>
        <translation>Chargement de la conversation</translation>
    </message>
    <message>
        <source>Carry on this chat session on another of your devices (Ctrl+Shift+M)</source>
        <translation>Poursuivre cette session de discussion sur un autre de vos appareils (Ctrl+Maj+M)</translation>
    </message>
    <message>
        <source>Take this chat session over on this device</source>
        <translation>Reprendre cette session de discussion sur cet appareil</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Masquer</translation>
    </message>
    <message>
        <source>Hide this line; the messages stay in the conversation</source>
        <translation>Masquer cette ligne ; les messages restent dans la conversation</translation>
    </message>
    <message>
        <source>No earlier messages came with the session</source>
        <translation>Aucun message antérieur n’est venu avec la session</translation>
    </message>
    <message>
        <source>Earlier messages could not be loaded: %1</source>
        <translation>Les messages antérieurs n’ont pas pu être chargés : %1</translation>
    </message>
    <message>
        <source>Its messages stay in the conversation.</source>
        <translation>Ses messages restent dans la conversation.</translation>
    </message>
    <message>
        <source>Waiting for %1 to answer your chat session request…</source>
        <translation>En attente de la réponse de %1 à votre demande de session de discussion…</translation>
    </message>
    <message>
        <source>Chat session request sent to %1 from %2</source>
        <translation>Demande de session de discussion envoyée à %1 depuis %2</translation>
    </message>
    <message>
        <source>&amp;Cancel request</source>
        <translation>&amp;Annuler la demande</translation>
    </message>
    <message>
        <source>Withdraw the request</source>
        <translation>Retirer la demande</translation>
    </message>
    <message>
        <source>Chat session with %1 since %2</source>
        <translation>Session de discussion avec %1 depuis %2</translation>
    </message>
    <message>
        <source>Chat session with %1 since %2 — %3</source>
        <translation>Session de discussion avec %1 depuis %2 — %3</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 écrit…</translation>
    </message>
    <message>
        <source>End the chat session for both of you; its messages stay</source>
        <translation>Terminer la session de discussion pour vous deux ; ses messages restent</translation>
    </message>
    <message>
        <source>Continued on %1</source>
        <translation>Poursuivie sur %1</translation>
    </message>
    <message>
        <source>The chat session with %1 since %2 went on there; messages you write here are ordinary messages.</source>
        <translation>La session de discussion avec %1 depuis %2 se poursuit là-bas ; ce que vous écrivez ici sont des messages ordinaires.</translation>
    </message>
    <message>
        <source>Chat session with %1 on %2 since %3</source>
        <translation>Session de discussion avec %1 sur %2 depuis %3</translation>
    </message>
    <message>
        <source>Messages you write here are ordinary messages.</source>
        <translation>Ce que vous écrivez ici sont des messages ordinaires.</translation>
    </message>
    <message numerus="yes">
        <source>Loading the conversation… received so far: %n</source>
        <translation>
            <numerusform>Chargement de la conversation… %n message reçu jusqu’ici</numerusform>
            <numerusform>Chargement de la conversation… %n messages reçus jusqu’ici</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Loaded from before the move: %n</source>
        <translation>
            <numerusform>%n message d’avant chargé</numerusform>
            <numerusform>%n messages d’avant chargés</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Continue here…</source>
        <translation>&amp;Continuer ici…</translation>
    </message>
    <message>
        <source>Move &amp;to…</source>
        <translation>&amp;Déplacer vers…</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SessionRequestBar</name>
    <message>
        <source>&amp;Accept</source>
        <translation>A&amp;ccepter</translation>
    </message>
    <message>
        <source>D&amp;ecline</source>
        <translation>&amp;Refuser</translation>
    </message>
    <message>
        <source>Chat session request</source>
        <translation>Demande de session de discussion</translation>
    </message>
    <message>
        <source>Chat now on this device</source>
        <translation>Discuter maintenant sur cet appareil</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n more waiting)</source>
        <translation>
            <numerusform>%1 (%n autre en attente)</numerusform>
            <numerusform>%1 (%n autres en attente)</numerusform>
        </translation>
    </message>
    <message>
        <source>Answered on %1</source>
        <translation>Répondu sur %1</translation>
    </message>
    <message>
        <source>Declined on another of your devices</source>
        <translation>Refusée sur un autre de vos appareils</translation>
    </message>
    <message>
        <source>Missed session request from %1</source>
        <translation>Demande de session manquée de %1</translation>
    </message>
    <message>
        <source>Say no to this request on all your devices</source>
        <translation>Refuser cette demande sur tous vos appareils</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SettingsDialog</name>
    <message>
        <source>Show a desktop &amp;notification for new messages</source>
        <translation>Afficher une &amp;notification sur le bureau pour les nouveaux messages</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Suivre le système</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Thème&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Langue&#xa0;:</translation>
    </message>
    <message>
        <source>This device (%1)</source>
        <translation>Cet appareil (%1)</translation>
    </message>
    <message>
        <source>Only here. A new language is used the next time CPM starts.</source>
        <translation>Ici seulement. Une nouvelle langue s’applique au prochain démarrage de CPM.</translation>
    </message>
    <message>
        <source>All your devices</source>
        <translation>Tous vos appareils</translation>
    </message>
    <message>
        <source>Kept with your account: your other devices follow a change made here.</source>
        <translation>Conservé avec votre compte : vos autres appareils suivent un changement fait ici.</translation>
    </message>
    <message>
        <source>Keep them until a device is back</source>
        <translation>Les conserver jusqu’au retour d’un appareil</translation>
    </message>
    <message>
        <source>Also send them by e-mail or SMS</source>
        <translation>Les envoyer aussi par e-mail ou SMS</translation>
    </message>
    <message>
        <source>Also send them by e-mail or SMS, and notify them here again</source>
        <translation>Les envoyer aussi par e-mail ou SMS, et les signaler à nouveau ici</translation>
    </message>
    <message>
        <source>Messages while you are away</source>
        <translation>Messages pendant votre absence</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>nom@exemple.fr</translation>
    </message>
    <message>
        <source>+4915112345678</source>
        <translation>+33612345678</translation>
    </message>
    <message>
        <source>&amp;When away:</source>
        <translation>&amp;En absence :</translation>
    </message>
    <message>
        <source>&amp;E-mail address:</source>
        <translation>Adresse &amp;e-mail :</translation>
    </message>
    <message>
        <source>&amp;Phone for SMS:</source>
        <translation>&amp;Téléphone pour les SMS :</translation>
    </message>
    <message>
        <source>Away means no device of yours is connected. E-mail and SMS are used only where your operator offers them and your phone is registered in that network.</source>
        <translation>Absent signifie qu’aucun de vos appareils n’est connecté. L’e-mail et le SMS ne sont utilisés que si votre opérateur les propose et que votre téléphone est inscrit sur ce réseau.</translation>
    </message>
</context>
<context>
    <name>cpm::ui::SignInDialog</name>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Se connecter</translation>
    </message>
    <message>
        <source>Sign in — CPM</source>
        <translation>Connexion — CPM</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Sign in to CPM&lt;/h2&gt;&lt;p&gt;This device will be registered with your account so messages reach it like your other devices.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Connexion à CPM&lt;/h2&gt;&lt;p&gt;Cet appareil sera enregistré sur votre compte afin que les messages lui parviennent comme à vos autres appareils.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>alice@cpm.example</source>
        <translation>alice@cpm.example</translation>
    </message>
    <message>
        <source>%1&apos;s computer</source>
        <translation>Ordinateur de %1</translation>
    </message>
    <message>
        <source>Laptop</source>
        <translation>Ordinateur portable</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Ordinateur de bureau</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Téléphone mobile</translation>
    </message>
    <message>
        <source>Fixed phone</source>
        <translation>Téléphone fixe</translation>
    </message>
    <message>
        <source>Tablet / PDA</source>
        <translation>Tablette / PDA</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <source>CPM address</source>
        <translation>Adresse CPM</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <source>Device name</source>
        <translation>Nom de l’appareil</translation>
    </message>
    <message>
        <source>Device kind</source>
        <translation>Type d’appareil</translation>
    </message>
    <message>
        <source>Se&amp;rver:</source>
        <translation>Se&amp;rveur&#xa0;:</translation>
    </message>
    <message>
        <source>CPM &amp;address:</source>
        <translation>&amp;Adresse CPM&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>Mot de &amp;passe&#xa0;:</translation>
    </message>
    <message>
        <source>Device &amp;name:</source>
        <translation>&amp;Nom de l’appareil&#xa0;:</translation>
    </message>
    <message>
        <source>Device &amp;kind:</source>
        <translation>&amp;Type d’appareil&#xa0;:</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>Connexion en cours</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Parcourir…</translation>
    </message>
    <message>
        <source>Allow an &amp;unencrypted connection</source>
        <translation>Autoriser une connexion &amp;non chiffrée</translation>
    </message>
    <message>
        <source>A certificate authority (PEM file) to trust for wss:// servers, e.g. your organisation&apos;s own.</source>
        <translation>Une autorité de certification (fichier PEM) à laquelle faire confiance pour les serveurs wss://, par exemple celle de votre organisation.</translation>
    </message>
    <message>
        <source>This address is not encrypted (ws://): your password and messages would cross the network in the clear. Prefer a wss:// address.</source>
        <translation>Cette adresse n&apos;est pas chiffrée (ws://) : votre mot de passe et vos messages traverseraient le réseau en clair. Préférez une adresse wss://.</translation>
    </message>
    <message>
        <source>Trusted certificate authority file</source>
        <translation>Fichier de l&apos;autorité de certification de confiance</translation>
    </message>
    <message>
        <source>Trusted &amp;CA:</source>
        <translation>&amp;AC de confiance :</translation>
    </message>
    <message>
        <source>Trusted certificate authority</source>
        <translation>Autorité de certification de confiance</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificats (*.pem *.crt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>System certificates only</source>
        <translation>Certificats du système uniquement</translation>
    </message>
    <message>
        <source>&amp;Diagnostics…</source>
        <translation>&amp;Diagnostics…</translation>
    </message>
    <message>
        <source>What this device tried and what the server answered</source>
        <translation>Ce que cet appareil a tenté et ce que le serveur a répondu</translation>
    </message>
    <message>
        <source>No account yet? Accounts are made by whoever runs your CPM server: ask them for your address and a password.</source>
        <translation>Pas encore de compte ? Les comptes sont créés par qui gère votre serveur CPM : demandez-lui votre adresse et un mot de passe.</translation>
    </message>
    <message>
        <source>The server address starts with ws:// or wss://, like ws://127.0.0.1:7878/.</source>
        <translation>L’adresse du serveur commence par ws:// ou wss://, comme ws://127.0.0.1:7878/.</translation>
    </message>
    <message>
        <source>Enter your CPM address.</source>
        <translation>Saisissez votre adresse CPM.</translation>
    </message>
    <message>
        <source>“%1” is not a CPM address: it looks like name@example.com.</source>
        <translation>« %1 » n’est pas une adresse CPM : elle ressemble à name@example.com.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Saisissez votre mot de passe.</translation>
    </message>
    <message>
        <source>Give this device a name, so you can tell it from your others.</source>
        <translation>Donnez un nom à cet appareil pour le distinguer de vos autres appareils.</translation>
    </message>
    <message>
        <source>For someone else&apos;s computer: your messages are loaded for this visit and removed completely when you sign out.</source>
        <translation>Pour l’ordinateur de quelqu’un d’autre : vos messages sont chargés le temps de cette visite et entièrement supprimés à la déconnexion.</translation>
    </message>
    <message>
        <source>Guest on %1</source>
        <translation>Invité sur %1</translation>
    </message>
    <message>
        <source>Guest sign-in — CPM</source>
        <translation>Connexion invité — CPM</translation>
    </message>
    <message>
        <source>&amp;Back to signing in this device</source>
        <translation>Revenir à la &amp;connexion de cet appareil</translation>
    </message>
    <message>
        <source>Sign in as &amp;guest on this device…</source>
        <translation>Se connecter en tant qu’&amp;invité sur cet appareil…</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Sign in as a guest&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Se connecter en tant qu’invité&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Available once you have tried to sign in</source>
        <translation>Disponible après une première tentative de connexion</translation>
    </message>
    <message>
        <source>A server address, or several of one service separated by commas: when one cannot be reached, this device uses the next.</source>
        <translation>Une adresse de serveur, ou plusieurs d’un même service séparées par des virgules : si l’un est injoignable, cet appareil utilise le suivant.</translation>
    </message>
    <message numerus="yes">
        <source>Give at most %n server addresses.</source>
        <translation>
            <numerusform>Indiquez au plus %n adresse de serveur.</numerusform>
            <numerusform>Indiquez au plus %n adresses de serveur.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” is not a server address: it starts with ws:// or wss://, like ws://127.0.0.1:7878/.</source>
        <translation>« %1 » n’est pas une adresse de serveur : elle commence par ws:// ou wss://, comme ws://127.0.0.1:7878/.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Converged IP Messaging on this device. Run several with a profile each.</source>
        <translation>Converged IP Messaging sur cet appareil. Pour en lancer plusieurs, utilisez un profil distinct pour chacun.</translation>
    </message>
    <message>
        <source>Profile directory of this device.</source>
        <translation>Répertoire du profil de cet appareil.</translation>
    </message>
    <message>
        <source>dir</source>
        <translation>répertoire</translation>
    </message>
    <message>
        <source>CPM</source>
        <translation>CPM</translation>
    </message>
    <message>
        <source>Sign in as a guest on this computer: nothing of the guest stays once signed out. No profile of this computer is opened.</source>
        <translation>Se connecter en tant qu’invité sur cet ordinateur : rien de l’invité ne reste après la déconnexion. Aucun profil de cet ordinateur n’est ouvert.</translation>
    </message>
    <message>
        <source>Server URL, e.g. ws://127.0.0.1:7878/; several nodes of one service separated by commas.</source>
        <translation>URL du serveur, p. ex. ws://127.0.0.1:7878/ ; plusieurs nœuds d’un même service séparés par des virgules.</translation>
    </message>
    <message>
        <source>urls</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>--server: “%1” is not a ws:// or wss:// URL (at most %2, separated by commas).
</source>
        <translation>--server : « %1 » n’est pas une URL ws:// ou wss:// (%2 au plus, séparées par des virgules).
</translation>
    </message>
</context>
</TS>
