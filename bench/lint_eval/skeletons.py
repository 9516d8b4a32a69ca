"""Clean message skeletons per locale and kind, written for this evaluation set.

Each skeleton is (subject, opening, core, closing): every one carries the order id and its
kind's required content (items, carrier + tracking, delivery date, reason, amount, refund
date) so that, alone, it must pass. A violation or a hard negative is spliced in between the
parts. Slots: {name} {oid} {qty} {item} {carrier} {trk} {date} {amount} {when}.
"""

from __future__ import annotations

Skeleton = tuple[str, str, str, str]

# locale -> kind -> skeletons
SKELETONS: dict[str, dict[str, list[Skeleton]]] = {
    "en-US": {
        "shipment_confirmation": [
            ("Your order {oid} has shipped", "Hi {name}, good news about order {oid}.",
             "{qty} x {item} left our warehouse today with {carrier}, tracking number {trk}. Expected delivery: {date}.",
             "Thanks for shopping with us."),
            ("Order {oid} is on the way", "Hello {name},",
             "your package for order {oid} ({qty} x {item}) was handed to {carrier} and should arrive by {date}. Tracking: {trk}.",
             "Have a great week."),
        ],
        "unavailability_notice": [
            ("Update on order {oid}", "Hi {name}, we're sorry.",
             "The {item} in order {oid} is out of stock at our supplier, so we cancelled it and refunded {amount} to your card.",
             "We apologize for the inconvenience."),
            ("Delay on order {oid}", "Hello {name},",
             "order {oid} is delayed because the {item} is back-ordered until {date}. If you prefer to cancel, we will give you a full refund of {amount}.",
             "Thank you for your patience."),
        ],
        "return_confirmation": [
            ("Refund for order {oid}", "Hi {name},",
             "we received your return of {qty} x {item} from order {oid} and refunded {amount} on {date}.",
             "Thank you."),
        ],
        "product_info": [
            ("About your {item}", "Hi {name}, thanks for order {oid}.",
             "Before first use, rinse the {item} in warm water and let it dry completely. It is covered by a 12-month warranty.",
             "Enjoy it."),
            ("Re: question about order {oid}", "Hello {name},",
             "to answer your question about order {oid}: the {item} fits the standard 2-inch mount, and the spare screws are in the small bag under the foam.",
             "Best regards."),
        ],
        "review_request": [
            ("Your order {oid}", "Hi {name},",
             "we hope the {item} from order {oid} is working well. If you have a moment, an honest review on Amazon helps other customers.",
             "Thank you."),
        ],
    },
    "en-GB": {
        "shipment_confirmation": [
            ("Order {oid} dispatched", "Hello {name},",
             "your order {oid} is on its way: {qty} x {item}. Courier: {carrier}, tracking {trk}. Estimated delivery {date}.",
             "Kind regards."),
            ("Your parcel for order {oid}", "Hi {name}, thanks for your order {oid}.",
             "We've sent {qty} x {item} with {carrier} today; your tracking number is {trk} and it is due on {date}.",
             "Cheers."),
        ],
        "unavailability_notice": [
            ("Order {oid}: item unavailable", "Dear {name},",
             "unfortunately the {item} from order {oid} is no longer available because the manufacturer discontinued it. We have refunded {amount} to your card.",
             "Apologies for the trouble."),
        ],
        "return_confirmation": [
            ("Your refund for order {oid}", "Hello {name},",
             "your return ({qty} x {item}, order {oid}) arrived and we refunded {amount} on {date}.",
             "Many thanks."),
        ],
        "product_info": [
            ("Care tips for your {item}", "Hello {name}, thank you for order {oid}.",
             "Please charge the {item} fully, around 3 hours, before first use, and keep it away from radiators.",
             "Kind regards."),
            ("Re: your question on order {oid}", "Hi {name},",
             "regarding order {oid}: yes, the {item} works with the 240 V UK plug supplied, no adapter is needed.",
             "All the best."),
        ],
        "review_request": [
            ("Order {oid}", "Hello {name},",
             "we'd be grateful for your honest opinion on the {item} from order {oid}. You can leave a review from your Amazon orders page.",
             "Thank you."),
        ],
    },
    "fr-FR": {
        "shipment_confirmation": [
            ("Commande {oid} expédiée", "Bonjour {name},",
             "votre commande {oid} est en route : {qty} x {item}. Transporteur : {carrier}, numéro de suivi {trk}. Livraison prévue le {date}.",
             "Bonne journée."),
            ("Votre colis {oid}", "Bonjour {name}, merci pour votre commande {oid}.",
             "Nous avons confié {qty} x {item} à {carrier} ; suivi : {trk}. Vous devriez le recevoir le {date}.",
             "Cordialement."),
        ],
        "unavailability_notice": [
            ("Commande {oid} : article indisponible", "Bonjour {name},",
             "l'article {item} de votre commande {oid} est en rupture de stock chez notre fournisseur. Nous l'avons annulé et vous avons remboursé {amount}.",
             "Toutes nos excuses."),
            ("Retard de la commande {oid}", "Bonjour {name},",
             "votre commande {oid} aura du retard car le {item} n'arrivera chez nous que le {date}. Si vous préférez annuler, nous vous rembourserons {amount}.",
             "Merci de votre patience."),
        ],
        "return_confirmation": [
            ("Remboursement de la commande {oid}", "Bonjour {name},",
             "nous avons bien reçu votre retour ({qty} x {item}, commande {oid}). Le remboursement de {amount} a été effectué le {date}.",
             "Cordialement."),
        ],
        "product_info": [
            ("Conseils pour votre {item}", "Bonjour {name}, merci pour la commande {oid}.",
             "Avant la première utilisation, lavez le {item} à la main et séchez-le bien. Il est garanti 2 ans.",
             "Bonne utilisation."),
            ("Re : votre question (commande {oid})", "Bonjour {name},",
             "pour répondre à votre question sur la commande {oid} : le {item} est compatible avec les plaques à induction.",
             "Bien à vous."),
        ],
        "review_request": [
            ("Votre commande {oid}", "Bonjour {name},",
             "avez-vous pu essayer votre {item} (commande {oid}) ? Un avis sincère sur Amazon aide beaucoup les autres clients.",
             "Merci."),
        ],
    },
    "de-DE": {
        "shipment_confirmation": [
            ("Versandbestätigung {oid}", "Hallo {name},",
             "Ihre Bestellung {oid} ist unterwegs: {qty} x {item}. Versand mit {carrier}, Sendungsnummer {trk}. Voraussichtliche Lieferung am {date}.",
             "Viele Grüße."),
            ("Ihre Bestellung {oid} wurde versendet", "Guten Tag {name}, danke für Ihre Bestellung {oid}.",
             "Wir haben {qty} x {item} heute an {carrier} übergeben, Sendungsnummer: {trk}. Die Zustellung ist für den {date} geplant.",
             "Mit freundlichen Grüßen."),
        ],
        "unavailability_notice": [
            ("Bestellung {oid}: Artikel nicht lieferbar", "Guten Tag {name},",
             "leider ist der Artikel {item} aus Ihrer Bestellung {oid} nicht mehr lieferbar, da der Hersteller die Produktion eingestellt hat. Wir haben Ihnen {amount} erstattet.",
             "Wir bitten um Entschuldigung."),
            ("Verzögerung bei Bestellung {oid}", "Hallo {name},",
             "Ihre Bestellung {oid} verzögert sich, weil {item} erst am {date} bei uns eintrifft. Wenn Sie stornieren möchten, erstatten wir Ihnen den vollen Betrag von {amount}.",
             "Danke für Ihre Geduld."),
        ],
        "return_confirmation": [
            ("Erstattung zu Bestellung {oid}", "Guten Tag {name},",
             "Ihre Rücksendung ({qty} x {item}, Bestellung {oid}) ist bei uns eingegangen. Die Erstattung über {amount} wurde am {date} veranlasst.",
             "Viele Grüße."),
        ],
        "product_info": [
            ("Hinweise zu Ihrem {item}", "Hallo {name}, vielen Dank für Bestellung {oid}.",
             "Bitte reinigen Sie {item} vor dem ersten Gebrauch mit warmem Wasser. Die Garantie beträgt 2 Jahre.",
             "Viel Freude damit."),
            ("Re: Ihre Frage zu Bestellung {oid}", "Guten Tag {name},",
             "zu Ihrer Frage zur Bestellung {oid}: {item} passt auf alle Standardhalterungen, die Schrauben liegen im Karton unter dem Schaumstoff.",
             "Mit freundlichen Grüßen."),
        ],
        "review_request": [
            ("Ihre Bestellung {oid}", "Hallo {name},",
             "wir hoffen, {item} aus Bestellung {oid} gefällt Ihnen. Über eine ehrliche Rezension auf Amazon würden wir uns freuen.",
             "Vielen Dank."),
        ],
    },
    "es-ES": {
        "shipment_confirmation": [
            ("Pedido {oid} enviado", "Hola {name},",
             "su pedido {oid} ya está en camino: {qty} x {item}. Transportista: {carrier}, seguimiento {trk}. Entrega prevista: {date}.",
             "Un saludo."),
            ("Su paquete del pedido {oid}", "Hola {name}, gracias por su pedido {oid}.",
             "Hemos entregado {qty} x {item} a {carrier}; número de seguimiento {trk}. Llegará el {date}.",
             "Saludos cordiales."),
        ],
        "unavailability_notice": [
            ("Pedido {oid}: artículo no disponible", "Hola {name},",
             "no podemos enviar el {item} de su pedido {oid} porque se ha agotado en nuestro proveedor. Le hemos reembolsado {amount}.",
             "Disculpe las molestias."),
            ("Retraso en el pedido {oid}", "Hola {name},",
             "su pedido {oid} se retrasa porque el {item} no llegará a nuestro almacén hasta el {date}. Si prefiere cancelar, le devolveremos {amount}.",
             "Gracias por su paciencia."),
        ],
        "return_confirmation": [
            ("Reembolso del pedido {oid}", "Hola {name},",
             "hemos recibido su devolución ({qty} x {item}, pedido {oid}) y le reembolsamos {amount} el {date}.",
             "Un saludo."),
        ],
        "product_info": [
            ("Consejos para su {item}", "Hola {name}, gracias por el pedido {oid}.",
             "Antes del primer uso, lave el {item} a mano y séquelo bien. Tiene 3 años de garantía.",
             "Que lo disfrute."),
            ("Re: su consulta sobre el pedido {oid}", "Hola {name},",
             "respecto a su consulta del pedido {oid}: el {item} funciona con placas de inducción y vitrocerámica.",
             "Atentamente."),
        ],
        "review_request": [
            ("Su pedido {oid}", "Hola {name},",
             "¿qué tal su {item} del pedido {oid}? Si le apetece, deje una reseña sincera en Amazon.",
             "Gracias."),
        ],
    },
    "it-IT": {
        "shipment_confirmation": [
            ("Ordine {oid} spedito", "Ciao {name},",
             "il tuo ordine {oid} è in viaggio: {qty} x {item}. Corriere: {carrier}, numero di tracciamento {trk}. Consegna prevista il {date}.",
             "A presto."),
            ("Il pacco dell'ordine {oid}", "Gentile {name}, grazie per l'ordine {oid}.",
             "Abbiamo affidato {qty} x {item} al corriere {carrier}; codice di tracciamento {trk}. La consegna è prevista per il {date}.",
             "Cordiali saluti."),
        ],
        "unavailability_notice": [
            ("Ordine {oid}: articolo non disponibile", "Gentile {name},",
             "purtroppo il {item} dell'ordine {oid} è esaurito presso il nostro fornitore. Lo abbiamo annullato e ti abbiamo rimborsato {amount}.",
             "Ci scusiamo per il disagio."),
            ("Ritardo dell'ordine {oid}", "Gentile {name},",
             "l'ordine {oid} subirà un ritardo perché il {item} arriverà da noi solo il {date}. Se preferisci annullare, ti rimborseremo {amount}.",
             "Grazie per la pazienza."),
        ],
        "return_confirmation": [
            ("Rimborso ordine {oid}", "Ciao {name},",
             "abbiamo ricevuto il reso ({qty} x {item}, ordine {oid}) e ti abbiamo rimborsato {amount} il {date}.",
             "Grazie."),
        ],
        "product_info": [
            ("Consigli per il tuo {item}", "Ciao {name}, grazie per l'ordine {oid}.",
             "Prima del primo utilizzo lava il {item} a mano e asciugalo bene. La garanzia è di 2 anni.",
             "Buon utilizzo."),
            ("Re: domanda sull'ordine {oid}", "Buongiorno {name},",
             "riguardo alla sua domanda sull'ordine {oid}: il {item} è compatibile con i piani a induzione.",
             "Cordiali saluti."),
        ],
        "review_request": [
            ("Il tuo ordine {oid}", "Ciao {name},",
             "come ti trovi con il {item} dell'ordine {oid}? Se ti va, lascia una recensione sincera su Amazon.",
             "Grazie."),
        ],
    },
}  # fmt: skip

NAMES = {
    "en-US": ["Mia", "Ethan", "Olivia", "Noah", "Ava", "Liam"],
    "en-GB": ["Harry", "Grace", "Oliver", "Amelia", "George", "Isla"],
    "fr-FR": ["Camille", "Louise", "Hugo", "Chloé", "Jules", "Léa"],
    "de-DE": ["Herr Schulz", "Frau Becker", "Jonas", "Lena", "Herr Wagner", "Frau Klein"],
    "es-ES": ["Diego", "Carmen", "Lucía", "Raúl", "Marta", "Javier"],
    "it-IT": ["Sara", "Paolo", "Giulia", "Marco", "Francesca", "Luca"],
}

ITEMS = {
    "en": ["Cast Iron Skillet", "Bamboo Cutting Board", "Hiking Socks (3 pairs)", "LED Desk Lamp",
           "Glass Teapot 1.2 L", "Yoga Mat", "Wool Throw Blanket", "Stainless Steel Water Bottle"],
    "fr": ["Cocotte en fonte", "Coussin en lin", "Gourde isotherme", "Lampe de bureau LED",
           "Théière en verre", "Tapis de yoga", "Plaid en laine", "Planche à découper"],
    "de": ["Gusseisenpfanne", "Leinenkissen", "Thermoflasche", "LED-Schreibtischlampe",
           "Teekanne aus Glas", "Yogamatte", "Wolldecke", "Schneidebrett"],
    "es": ["Sartén de hierro", "Cojín de lino", "Termo", "Lámpara de escritorio LED",
           "Tetera de cristal", "Esterilla de yoga", "Manta de lana", "Tabla de cortar"],
    "it": ["Padella in ghisa", "Cuscino in lino", "Borraccia termica", "Lampada da scrivania LED",
           "Teiera in vetro", "Tappetino yoga", "Coperta di lana", "Tagliere in bambù"],
}  # fmt: skip

# (carrier, tracking number) as the carriers print them, without spaces; groups come from
# hard negatives. Formats: UPS 1Z + 16, USPS 22 digits, Royal Mail 2 letters + 9 digits + GB,
# DPD 14 digits, Colissimo 2 chars + 11, DHL 10 digits, GLS 11-12, SEUR/Nacex/BRT numeric,
# Poste Italiane 2 letters + 9 digits + IT (S10 / UPU formats).
CARRIERS = {
    "en-US": [("UPS", "1Z999AA10123456784"), ("USPS", "9400111899223197428490"), ("FedEx", "794612345678")],
    "en-GB": [("Royal Mail", "AB123456789GB"), ("Evri", "H01HYA0012345678"), ("DPD", "15502345678901")],
    "fr-FR": [("Colissimo", "6A12345678901"), ("Chronopost", "XY123456789FR"), ("Mondial Relay", "12345678")],
    "de-DE": [("DHL", "00340434161234567890"), ("Hermes", "H1002345678901234567"), ("DPD", "01505012345678")],
    "es-ES": [("SEUR", "14012345678901"), ("MRW", "04512345678901"), ("Correos", "PQ4F6P0712345680108001N")],
    "it-IT": [("GLS", "6L1234567890"), ("BRT", "123456789012345"), ("Poste Italiane", "RR123456785IT")],
}  # fmt: skip

DATES = {
    "en-US": ["November 25, 2026", "December 2, 2026", "11/28/2026"],
    "en-GB": ["25 November 2026", "2 December 2026", "28/11/2026"],
    "fr-FR": ["25 novembre 2026", "2 décembre 2026", "28/11/2026"],
    "de-DE": ["25. November 2026", "02.12.2026", "28.11.2026"],
    "es-ES": ["25 de noviembre de 2026", "2 de diciembre", "28/11/2026"],
    "it-IT": ["25 novembre 2026", "2 dicembre 2026", "28/11/2026"],
}

AMOUNTS = {
    "en-US": ["$24.90", "$12.49", "$89.00"],
    "en-GB": ["£34.99", "£12.50", "£89.00"],
    "fr-FR": ["19,99 €", "42,50 €", "89,00 €"],
    "de-DE": ["27,80 €", "29,99 €", "89,00 €"],
    "es-ES": ["29,99 €", "15,00 €", "89,00 €"],
    "it-IT": ["49,90 €", "18,00 €", "89,00 €"],
}

ORDER_PREFIX = {
    "en-US": "11",
    "en-GB": "20",
    "fr-FR": "40",
    "de-DE": "30",
    "es-ES": "17",
    "it-IT": "40",
}
