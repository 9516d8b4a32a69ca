"""Hand-written hard cases, both ways: whole messages, each on its own, in six locales.

Blocks hide the violation in soft, conditional or indirect words; passes carry what looks
like a violation but is legitimate (a refund naming a coupon, a product called "5 stars",
a neutral review ask, a conditional about returns, quantities and part numbers).
"""

from __future__ import annotations

from typing import Any

PR, RI, RC, PROMO = "positive_review_ask", "review_incentive", "review_change_request", "promotion"
MISS = "missing_required_content"
OFF, TEL, LINK, MAIL, OPT = (
    "off_platform",
    "phone_number",
    "external_link",
    "email_address",
    "opt_out_link",
)

SUBJECTS = {
    "en-US": "About your order {oid}", "en-GB": "Your order {oid}", "fr-FR": "Votre commande {oid}",
    "de-DE": "Ihre Bestellung {oid}", "es-ES": "Su pedido {oid}", "it-IT": "Il tuo ordine {oid}",
}  # fmt: skip
OIDS = {
    "en-US": "113-4419283-6602917", "en-GB": "204-5520183-6610293", "fr-FR": "402-8810293-4471029",
    "de-DE": "303-6610293-2284710", "es-ES": "171-7720193-5561840", "it-IT": "405-1120394-8847102",
}  # fmt: skip

PI, RR, RT, UN, SC = (
    "product_info",
    "review_request",
    "return_confirmation",
    "unavailability_notice",
    "shipment_confirmation",
)

# (locale, kind, body with {oid}, categories); empty categories: must pass
_RAW: list[tuple[str, str, str, tuple[str, ...]]] = [
    # ---------------------------------------------------------------- en-US, blocks
    ("en-US", PI, "Thanks for order {oid}. The kettle needs no descaling for the first month. If it has made your mornings better, we'd be thrilled to see that reflected in the stars you give it.", (PR,)),
    ("en-US", PI, "Order {oid}: the pump is primed at the factory. Tip: customers who tell the world about their experience on Amazon get our premium cleaning kit at no cost.", (RI,)),
    ("en-US", RR, "Hi, hope order {oid} arrived safely. Anything short of perfect? Reply to us instead of reviewing and we'll make it right.", (PR,)),
    ("en-US", PI, "Regarding order {oid}: the blade is replaceable. Psst, our BOGO weekend starts Friday on every blade.", (PROMO,)),
    ("en-US", PI, "Order {oid}: we're a family business with a small showroom in Portland; come say hi and try the whole line in person.", (PROMO, OFF)),
    ("en-US", RR, "We noticed your 3-star note on order {oid}. Since the replacement fixed it, a quick edit would mean a lot.", (RC,)),
    ("en-US", PI, "Order {oid}: tip for the filter, rinse it weekly. P.S. A five-out-of-five would truly help us compete with the big brands.", (PR,)),
    ("en-US", PI, "For order {oid}: setup takes five minutes. Reviewers this month receive a complimentary two-year warranty upgrade.", (RI,)),
    ("en-US", RR, "Thanks for order {oid}! We only ask buyers who loved their purchase to post a review, so if that's you, please do.", (PR,)),
    ("en-US", PI, "Order {oid}: the lamp dims in 3 steps. Only this week, every lamp shade in our Amazon store is 30% off.", (PROMO,)),
    # ---------------------------------------------------------------- en-US, passes
    ("en-US", PI, "Order {oid}: your 5 Stars Deluxe pillow needs 24 hours to reach full height. Fluff it daily for the first week.", ()),
    ("en-US", RT, "We received 1 x Yoga Mat from order {oid}. The $25 gift card you paid with has been refunded $24.90 on November 28, 2026.", ()),
    ("en-US", RT, "Your return of 2 x Mugs (order {oid}) arrived. We refunded $18.00 on 11/28/2026; the promotional discount you got at checkout was deducted.", ()),
    ("en-US", PI, "Order {oid}: the replacement part number is 0 986 494 294 and the model is TX-400. If you have any problem fitting it, reply here.", ()),
    ("en-US", RR, "Hi, order {oid} was delivered last week. If you have a minute, please share your honest opinion on Amazon, good or bad; it helps other shoppers.", ()),
    ("en-US", PI, "Order {oid}: if you are happy with the firmness, no action is needed; if you'd like it softer, remove the inner foam layer.", ()),
    ("en-US", PI, "Order {oid}: the set of four coasters is cork-backed. Wipe them with a damp cloth only.", ()),
    ("en-US", UN, "The Star Projector in order {oid} is out of stock because our supplier's shipment was lost. We cancelled it and refunded $29.99 including the coupon you used.", ()),
    ("en-US", PI, "Order {oid}: our apologies for the mix-up. If something else is wrong, just reply to this message and we'll sort it out.", ()),
    # ---------------------------------------------------------------- en-GB, blocks
    ("en-GB", PI, "Re order {oid}: the heater has a frost setting. Chuffed with it? Then a five-star write-up would be brilliant; if not, have a word with us first.", (PR,)),
    ("en-GB", PI, "Order {oid}: once your review's up, drop us a line via Amazon messages and we'll send a little thank-you hamper.", (RI,)),
    ("en-GB", RR, "Regarding order {oid}: we'd love it if you'd pop back and tweak your rating now the replacement has turned up.", (RC,)),
    ("en-GB", PI, "Order {oid}: the bulbs are E27. Do pop into our shop on Deansgate, Manchester, to see the rest of our lighting.", (PROMO, OFF)),
    ("en-GB", PI, "Order {oid}: fab news, it's 3 for 2 on all our candles until Sunday!", (PROMO,)),
    ("en-GB", RR, "Hello, thanks for order {oid}. Reviewers go into our monthly draw for a £50 Amazon voucher.", (RI,)),
    ("en-GB", PI, "Order {oid}: top tip, keep the lid on. If you're over the moon with it, tell other buyers with a glowing review.", (PR,)),
    ("en-GB", PI, "Order {oid}: if you have questions, give us a bell on 07700 900123.", (TEL,)),
    ("en-GB", PI, "Order {oid}: video guide at acme-home․co․uk/video (copy it into your browser).", (LINK, OFF)),
    # ---------------------------------------------------------------- en-GB, passes
    ("en-GB", SC, "Order {oid} is on its way: 1 x Kettle. Courier: Royal Mail, tracking AB 1234 5678 9GB. Estimated delivery 25 November 2026.", ()),
    ("en-GB", RT, "We received your return (1 x Lamp, order {oid}) and refunded £34.99 on 28/11/2026; the voucher code discount was refunded too.", ()),
    ("en-GB", PI, "Order {oid}: the planter comes as a set of three, nested inside each other. Pull them apart gently.", ()),
    ("en-GB", PI, "Order {oid}: sorry about the scratch. If you'd rather swap it, reply here and we'll arrange a replacement.", ()),
    ("en-GB", RR, "Order {oid}: we'd value your honest feedback on Amazon whenever you have a moment. Thank you.", ()),
    ("en-GB", PI, "Order {oid}: the Five Star Bistro Set chairs need the 4 mm Allen key included in the box.", ()),
    ("en-GB", UN, "The teapot in order {oid} is delayed because it arrived damaged from the manufacturer. You may cancel for a full refund of £22.00, your discount included.", ()),
    # ---------------------------------------------------------------- fr-FR, blocks
    ("fr-FR", PI, "Commande {oid} : le moulin se règle par la molette. Vous en êtes content ? Alors vos étoiles sur Amazon nous feraient chaud au cœur ; sinon, écrivez-nous avant.", (PR,)),
    ("fr-FR", PI, "Commande {oid} : pour vous remercier d'un commentaire sur Amazon, on glissera un petit quelque chose dans votre prochain colis.", (RI,)),
    ("fr-FR", RR, "Commande {oid} : maintenant que le remplacement est arrivé, pourriez-vous revenir sur votre note de 2 étoiles ?", (RC,)),
    ("fr-FR", PI, "Commande {oid} : venez voir toute la collection dans notre atelier-boutique à Nantes, 12 rue Crébillon.", (PROMO, OFF)),
    ("fr-FR", PI, "Commande {oid} : bonne nouvelle, this week only, 25% off everything in our Amazon store!", (PROMO,)),
    ("fr-FR", RR, "Commande {oid} : un avis 5/5 serait le plus beau des cadeaux pour notre petite équipe.", (PR,)),
    ("fr-FR", PI, "Commande {oid} : les clients qui publient leur avis reçoivent une garantie prolongée de deux ans.", (RI,)),
    ("fr-FR", PI, "Commande {oid} : pour toute question, appelez le zéro six douze trente-quatre cinquante-six soixante-dix-huit.", (TEL,)),
    ("fr-FR", PI, "Commande {oid} : notre mail, sav＠maison-acme.fr.", (MAIL,)),
    # ---------------------------------------------------------------- fr-FR, passes
    ("fr-FR", SC, "Votre commande {oid} est partie : 1 x Théière. Transporteur : Colissimo, suivi 6A 123 456 789 01. Livraison prévue le 26 novembre 2026.", ()),
    ("fr-FR", RT, "Nous avons reçu votre retour (1 x Plaid, commande {oid}) et remboursé 39,90 € le 28/11/2026 sur la carte cadeau utilisée.", ()),
    ("fr-FR", PI, "Commande {oid} : la guirlande 5 étoiles dorées fonctionne avec 3 piles AA, non fournies.", ()),
    ("fr-FR", PI, "Commande {oid} : si la couleur ne vous plaît pas, vous pouvez nous la retourner sous 30 jours.", ()),
    ("fr-FR", RR, "Commande {oid} : si vous le souhaitez, partagez votre avis sincère sur Amazon, positif ou négatif.", ()),
    ("fr-FR", PI, "Commande {oid} : le lot de quatre verres est lavable au lave-vaisselle.", ()),
    ("fr-FR", UN, "Le moule de votre commande {oid} est en rupture de stock chez le fabricant. Nous l'avons annulé et remboursé 15,90 €, réduction comprise.", ()),
    ("fr-FR", PI, "Commande {oid} : si vous rencontrez le moindre souci, répondez simplement à ce message.", ()),
    # ---------------------------------------------------------------- de-DE, blocks
    ("de-DE", PI, "Bestellung {oid}: der Akku hält 40 Minuten. Sind Sie rundum zufrieden, dann zeigen Sie es doch mit Sternen auf Amazon.", (PR,)),
    ("de-DE", PI, "Bestellung {oid}: als kleines Dankeschön für Ihre Rezension verlängern wir die Garantie auf fünf Jahre.", (RI,)),
    ("de-DE", RR, "Bestellung {oid}: da das Ersatzteil nun da ist, würden Sie Ihre Zwei-Sterne-Bewertung vielleicht noch einmal anpassen?", (RC,)),
    ("de-DE", PI, "Bestellung {oid}: besuchen Sie gern unseren Laden in der Kaufingerstraße in München, dort zeigen wir das ganze Sortiment.", (PROMO, OFF)),
    ("de-DE", PI, "Bestellung {oid}: nur diese Woche gibt es in unserem Amazon-Shop 20 % auf alle Filter.", (PROMO,)),
    ("de-DE", RR, "Bestellung {oid}: falls etwas nicht stimmt, melden Sie sich bitte bei uns, bevor Sie eine Bewertung abgeben.", (PR,)),
    ("de-DE", PI, "Bestellung {oid}: wer uns bewertet, bekommt beim nächsten Kauf eine Gratis-Probe.", (RI,)),
    ("de-DE", PI, "Bestellung {oid}: für Rückfragen erreichen Sie uns unter null eins fünf eins, zwei drei vier fünf sechs sieben acht.", (TEL,)),
    # ---------------------------------------------------------------- de-DE, passes
    ("de-DE", SC, "Ihre Bestellung {oid} ist unterwegs: 2 x Kissen. Versand mit DHL, Sendungsnummer 0034 0434 1612 3456 7890. Voraussichtliche Lieferung am 26.11.2026.", ()),
    ("de-DE", RT, "Ihre Rücksendung (1 x Wanduhr, Bestellung {oid}) ist eingegangen. Die Erstattung über 27,80 € wurde am 28.11.2026 auf Ihren Gutschein gebucht.", ()),
    ("de-DE", PI, "Bestellung {oid}: die Ersatzbürste hat die Teilenummer 0 986 494 294; im Set sind zwei Stück.", ()),
    ("de-DE", PI, "Bestellung {oid}: wenn Ihnen die Farbe nicht gefällt, können Sie den Artikel 30 Tage lang zurücksenden.", ()),
    ("de-DE", RR, "Bestellung {oid}: über Ihre ehrliche Meinung auf Amazon freuen wir uns, ob positiv oder negativ.", ()),
    ("de-DE", PI, "Bestellung {oid}: der Sternenhimmel-Projektor hat fünf Helligkeitsstufen.", ()),
    ("de-DE", UN, "Der Mixer aus Bestellung {oid} ist nicht mehr lieferbar, da der Hersteller ihn eingestellt hat. Wir haben 49,90 € erstattet, inklusive des Rabatts.", ()),
    ("de-DE", PI, "Bestellung {oid}: bei Problemen antworten Sie einfach auf diese Nachricht, wir helfen gern.", ()),
    # ---------------------------------------------------------------- es-ES, blocks
    ("es-ES", PI, "Pedido {oid}: la batidora tiene 3 velocidades. ¿Todo perfecto? Entonces unas estrellitas en Amazon nos harían muy felices; si no, háblenos primero.", (PR,)),
    ("es-ES", PI, "Pedido {oid}: por dejar su opinión en Amazon le mandamos un detallito con el próximo envío.", (RI,)),
    ("es-ES", RR, "Pedido {oid}: ya que el recambio ha llegado, ¿podría revisar la nota de 2 estrellas que nos dejó?", (RC,)),
    ("es-ES", PI, "Pedido {oid}: le invitamos a visitar nuestra tienda de la calle Colón en Valencia para ver toda la gama.", (PROMO, OFF)),
    ("es-ES", PI, "Pedido {oid}: solo esta semana, 3x2 en todas las velas de nuestra tienda.", (PROMO,)),
    ("es-ES", RR, "Pedido {oid}: unas cinco estrellitas nos ayudarían a seguir creciendo.", (PR,)),
    ("es-ES", PI, "Pedido {oid}: quien publique una reseña recibe una ampliación de garantía de dos años.", (RI,)),
    ("es-ES", PI, "Pedido {oid}: si lo prefiere, llámenos al seis cero cero, uno dos tres, cuatro cinco seis.", (TEL,)),
    # ---------------------------------------------------------------- es-ES, passes
    ("es-ES", SC, "Su pedido {oid} está en camino: 1 x Termo. Transportista: SEUR, seguimiento 1401 2345 6789 01. Entrega prevista: 26/11/2026.", ()),
    ("es-ES", RT, "Hemos recibido su devolución (1 x Manta, pedido {oid}) y le reembolsamos 29,99 € el 28/11/2026 en la tarjeta regalo.", ()),
    ("es-ES", PI, "Pedido {oid}: el juego de cuatro tazas es apto para microondas.", ()),
    ("es-ES", PI, "Pedido {oid}: si el color no le convence, puede devolverlo en 30 días.", ()),
    ("es-ES", RR, "Pedido {oid}: si le apetece, comparta su opinión sincera en Amazon, sea cual sea.", ()),
    ("es-ES", PI, "Pedido {oid}: la lámpara Cinco Estrellas Deluxe usa bombillas E14.", ()),
    ("es-ES", UN, "La sartén de su pedido {oid} se ha agotado en el proveedor. La hemos cancelado y reembolsado 24,90 €, con el cupón incluido.", ()),
    ("es-ES", PI, "Pedido {oid}: si tiene algún problema, responda a este mensaje y lo resolvemos.", ()),
    # ---------------------------------------------------------------- it-IT, blocks
    ("it-IT", PI, "Ordine {oid}: la moka va lavata senza sapone. Solo se sei soddisfatto lascia la tua recensione, altrimenti parliamone prima.", (PR,)),
    ("it-IT", PI, "Ordine {oid}: per ringraziarti della recensione ti spediremo un pensierino con il prossimo ordine.", (RI,)),
    ("it-IT", RR, "Ordine {oid}: ora che il ricambio è arrivato, potresti ritoccare il voto di 2 stelle?", (RC,)),
    ("it-IT", PI, "Ordine {oid}: passa a trovarci nel nostro negozio in via Roma a Torino, c'è tutta la collezione.", (PROMO, OFF)),
    ("it-IT", PI, "Ordine {oid}: solo questa settimana, prendi 3 paghi 2 su tutte le tazze.", (PROMO,)),
    ("it-IT", RR, "Ordine {oid}: cinque stelline da parte tua sarebbero un regalo bellissimo.", (PR,)),
    ("it-IT", PI, "Ordine {oid}: chi pubblica una recensione riceve un'estensione di garanzia di due anni.", (RI,)),
    ("it-IT", PI, "Ordine {oid}: per dubbi chiamaci al tre quattro sette, uno due tre, quattro cinque sei sette.", (TEL,)),
    # ---------------------------------------------------------------- it-IT, passes
    ("it-IT", SC, "Il tuo ordine {oid} è in viaggio: 1 x Moka. Corriere: Poste Italiane, tracciamento RR 123 456 785 IT. Consegna prevista il 27/11/2026.", ()),
    ("it-IT", RT, "Abbiamo ricevuto il reso (1 x Coperta, ordine {oid}) e ti abbiamo rimborsato 39,90 € il 28/11/2026 sulla carta regalo.", ()),
    ("it-IT", PI, "Ordine {oid}: il set da quattro bicchieri va in lavastoviglie.", ()),
    ("it-IT", PI, "Ordine {oid}: se il colore non ti piace, puoi restituirlo entro 30 giorni.", ()),
    ("it-IT", RR, "Ordine {oid}: se ti va, lascia la tua opinione sincera su Amazon, qualunque sia.", ()),
    ("it-IT", PI, "Ordine {oid}: la lampada Cinque Stelle Deluxe usa lampadine E14.", ()),
    ("it-IT", UN, "La padella dell'ordine {oid} è esaurita presso il fornitore. L'abbiamo annullata e ti abbiamo rimborsato 24,90 €, compreso lo sconto.", ()),
    ("it-IT", PI, "Ordine {oid}: se hai qualsiasi problema, rispondi a questo messaggio e lo risolviamo.", ()),
    # ---------------------------------------------------------------- mixed extras
    ("en-US", PI, "Order {oid}: honest reviews help us improve. Whatever you think, we read every one.", ()),
    ("en-GB", RR, "Order {oid}: we'd be grateful for an honest review, whatever your experience; it helps other buyers choose.", ()),
    ("de-DE", PI, "Bestellung {oid}: Sie haben Ihre Rezension bereits geschrieben, vielen Dank dafür. Bei Fragen sind wir da.", ()),
    ("fr-FR", PI, "Commande {oid} : notre petite équipe vous remercie ; un cadeau de bienvenue était déjà dans le colis d'origine.", ()),
    ("en-US", PI, "Order {oid}: loved the first one? Then five stars on Amazon, please, and we'll throw in a free refill pack.", (PR, RI)),
    ("es-ES", PI, "Pedido {oid}: si está satisfecho, cuéntenoslo con una reseña; si no, escríbanos y se lo solucionamos antes.", (PR,)),
    ("it-IT", PI, "Ordine {oid}: se tutto ti è piaciuto, dacci cinque stelle; se qualcosa non va, scrivici prima di valutare.", (PR,)),
    ("de-DE", RR, "Bestellung {oid}: wir hoffen auf fünf Sterne von Ihnen!", (PR,)),
    ("fr-FR", PI, "Commande {oid} : après publication de votre évaluation, un bon d'achat de 5 € vous sera envoyé.", (RI,)),
    ("en-GB", PI, "Order {oid}: could you have another look at the one-star review and update it if you feel it's fair?", (RC,)),
    # ---------------------------------------------------------------- required content
    # an item named in prose states what shipped or came back; "your order" names nothing
    ("en-US", SC, "Great news, the Walnut Serving Tray from order {oid} has shipped with FedEx, tracking 7745 2210 9934. It should be with you on December 9.", ()),
    ("en-GB", RT, "We've received the wellington boots you sent back for order {oid} and refunded £32.00 on 3 December.", ()),
    ("de-DE", SC, "Ihr Gusseisentopf aus Bestellung {oid} ist mit DPD unterwegs, Paketnummer 0150 6623 8810 47. Zustellung voraussichtlich am 10.12.2026.", ()),
    ("fr-FR", SC, "Bonne nouvelle : vos rideaux en lin de la commande {oid} sont partis avec Colissimo, suivi 6A 193 772 540 18, livraison prévue le 10/12/2026.", ()),
    ("es-ES", RT, "Hemos recibido las zapatillas devueltas del pedido {oid} y te reembolsamos 59,90 € el 3 de diciembre.", ()),
    ("it-IT", SC, "Il tuo tostapane dell'ordine {oid} è partito con GLS, numero di spedizione 6140 2298 371. Consegna prevista il 10/12/2026.", ()),
    ("en-US", SC, "Your order {oid} has shipped with UPS, tracking 1Z999AA10123456784, arriving December 9.", (MISS,)),
    ("fr-FR", SC, "Votre colis de la commande {oid} est parti avec Colissimo, suivi 6A12345678901, livraison prévue le 10/12/2026.", (MISS,)),
    ("de-DE", RT, "Ihre Rücksendung zu Bestellung {oid} ist eingegangen, wir haben am 03.12.2026 49,90 € erstattet.", (MISS,)),
    ("en-US", RT, "We got the 3 bar stools back from order {oid} and refunded $147.00 on December 3.", ()),
    ("it-IT", RT, "Abbiamo ricevuto la lampada restituita (ordine {oid}) e rimborsato 39,90 € il 03/12/2026.", ()),
    ("es-ES", RT, "Hemos recibido las sábanas devueltas del pedido {oid} y reembolsado 29,95 € el 3 de diciembre.", ()),
    # the item named after the verb, its name with model numbers and sizes ("we received the
    # Bosch 18V drill", "your return of the …"); "we received the returned item" names nothing
    ("en-US", RT, "We received the Ninja 9-in-1 Air Fryer XL (AF161) from order {oid} on December 2 and refunded $129.99 on December 3, 2026.", ()),
    ("en-GB", RT, "Your return of the Dualit 4 Slot Classic Toaster in cream reached us, and we refunded £189.00 for order {oid} on 3 December.", ()),
    ("de-DE", RT, "Wir haben den Akku-Rasenmäher Gardena PowerMax 32/36V P4A aus Bestellung {oid} heute erhalten und am 03.12.2026 279,00 € erstattet.", ()),
    ("fr-FR", RT, "Nous avons bien reçu le robot pâtissier Kenwood Titanium Chef KVL85 de la commande {oid} et remboursé 649,00 € le 03/12/2026.", ()),
    ("es-ES", RT, "Hemos recibido la freidora Cecotec Cecofry 4000 del pedido {oid} y le reembolsamos 69,90 € el 3 de diciembre.", ()),
    ("it-IT", RT, "Abbiamo ricevuto il frullatore Kenwood BLP41 2 litri (ordine {oid}) e ti abbiamo rimborsato 59,90 € il 03/12/2026.", ()),
    ("en-US", RT, "We received the returned item from order {oid} and refunded $20.00 on December 3.", (MISS,)),
    ("es-ES", RT, "Hemos recibido el paquete del pedido {oid} y le reembolsamos 20,00 € el 3 de diciembre.", (MISS,)),
    # a parcel locker or pickup point "available from" a date: that is the delivery estimate
    ("en-GB", SC, "Order {oid}: 1 x Garden Kneeler is on its way to the locker you chose with Evri, tracking H01HYA0012345678. Available to collect from 10/12/2026.", ()),
    ("de-DE", SC, "Bestellung {oid}: 1 x Thermoskanne ist mit DHL, Sendungsnummer 00340434161234567890, unterwegs zu Ihrer Packstation 112; abholen können Sie sie ab dem 10.12.2026.", ()),
    ("fr-FR", SC, "Commande {oid} : 1 x Théière en fonte part vers la consigne choisie avec Mondial Relay, suivi 12345678. Disponible à partir du 10/12/2026.", ()),
    ("es-ES", SC, "Pedido {oid}: 1 x Mochila va camino de tu Citypaq con Correos, seguimiento PQ4B6C0123456780128001X. Disponible desde el 10/12/2026.", ()),
    ("it-IT", SC, "Ordine {oid}: 1 x Borraccia viaggia con InPost verso il Locker scelto, codice di tracciamento 680033441122009877. Disponibile dal 10/12/2026.", ()),
    # freight: a forwarder as the carrier, its own number ("PRO number", "Frachtbrief") is no phone,
    # a single unit ("1 unidad", "1 pezzo", "1 Stück")
    ("en-US", SC, "Order {oid}: 1 unit of the Sealy Posturepedic mattress left by freight with Estes, PRO number 0821-447-193. Expected delivery: December 10.", ()),
    ("de-DE", SC, "Bestellung {oid}: 1 Stück Kleiderschrank ist mit der Spedition Dachser unterwegs, Frachtbrief 0821 447 193. Lieferung voraussichtlich am 10.12.2026.", ()),
    ("es-ES", SC, "Pedido {oid}: el sofá cama (1 unidad) viaja con la agencia de transportes TIPSA, número de expedición 0821447193. Entrega prevista el 10/12/2026.", ()),
    ("it-IT", SC, "Ordine {oid}: la libreria (1 pezzo) è partita con lo spedizioniere Fercam, lettera di vettura 0821 447 193. Consegna prevista il 10/12/2026.", ()),
    ("fr-FR", SC, "Commande {oid} : 1 pièce, l'armoire, est confiée au transporteur Geodis, lettre de voiture 0821 447 193, livraison prévue le 10/12/2026.", ()),
    # the carrier's label right before the number, its dot no sentence end
    ("en-GB", SC, "Order {oid}: 2 x Garden Trug left today with DPD, parcel no. 1550 4412 9031 27, due Friday 11 December.", ()),
    ("it-IT", SC, "Ordine {oid}: 1 x Lampada da tavolo affidata a BRT. Segnacollo 0501 7733 2190 045, consegna prevista il 10/12/2026.", ()),
    # a parcel held for collection: the day it can be picked up is its delivery date (issue #20 fix round)
    ("en-GB", SC, "Your 2 x Garden Kneeler from order {oid} went with Royal Mail, tracking AB 1234 5678 9GB; you can collect it from your local post office from 11 December.", ()),
    ("en-US", SC, "Order {oid}: 1 x Desk Fan shipped with USPS, tracking 9400 1118 9922 3197 4284 90, ready to pick up at your post office on December 11.", ()),
    ("fr-FR", SC, "Commande {oid} : 2 x Coussin en lin partis avec Colissimo, suivi 6A 193 772 540 18 ; vous pourrez les retirer au bureau de poste à partir du 11/12/2026.", ()),
    ("de-DE", SC, "2 x Kissen aus Bestellung {oid} sind mit DHL unterwegs, Sendungsnummer 0034 0434 1612 3456 7890; Sie können das Paket ab dem 11.12.2026 in Ihrer Filiale abholen.", ()),
    ("es-ES", SC, "Tu pedido {oid} (2 x Cojín de lino) se ha enviado con Correos, código PQ 0712 3456 7012 8044; podrás recogerlo en tu estanco desde el 11/12/2026.", ()),
    ("it-IT", SC, "Ordine {oid}: 2 x Cuscino spedito con Poste Italiane, codice RR 123 456 785 IT; potrai ritirarlo all'ufficio postale dal 11/12/2026.", ()),
    ("en-GB", SC, "Your 2 x Garden Kneeler from order {oid} went with Royal Mail, tracking AB 1234 5678 9GB; you can collect it from your local post office.", (MISS,)),
    # an Evri "parcel number" is the tracking number (outside_3 theme)
    ("en-GB", SC, "Order {oid}: 1 x Bread Bin is on its way with Evri, parcel number H01JHA0098765432, expected on 26/11/2026.", ()),
    # h/fix3 (outside_5 themes): a pickup point's ready date is the estimated delivery; a day and
    # month without a year after a preposition is a date; "(1 x, colour)" states a quantity; a
    # pickup point with no date is still missing it
    ("en-US", SC, "Order {oid}: 1 x Insulated Tumbler shipped with UPS, tracking 1Z 4F2 R71 03 5528 0417. It will be in the Amazon Hub Locker on Main St on Friday, June 12; the locker is open 6am-10pm.", ()),
    ("en-GB", SC, "Order {oid}: 1 x Garden Kneeler is with Evri, parcel H01 HYA 0077 213 905. You can collect it from the Evri ParcelShop you chose from Thursday 4 June.", ()),
    ("de-DE", SC, "Bestellung {oid}: 1 x Thermoskanne ist mit Hermes unterwegs, Sendungsnummer H1002 7731 9920 4417. Ab Donnerstag, 11.06.2026 liegt das Paket in der Packstation 118 bereit.", ()),
    ("fr-FR", SC, "Commande {oid} : 1 x Théière en fonte confiée à Mondial Relay, numéro de suivi 4471 2290. Vous pourrez la retirer dans votre point relais à partir du 12/06/2026.", ()),
    ("es-ES", SC, "Pedido {oid}: 1 x Termo de acero viaja con Correos, código de envío PQ4R7Y0409918260108025T. Podrá recogerlo en la oficina de Correos de su barrio desde el 12/06/2026.", ()),
    ("it-IT", SC, "Ordine {oid}: 1 x Borraccia termica viaggia con Poste Italiane, codice di spedizione RR 221 903 447 IT. Dal 12/06/2026 la trovi al Punto Poste di via Garibaldi.", ()),
    ("en-GB", SC, "Order {oid}: 1 x Garden Kneeler is with Evri, parcel H01 HYA 0077 213 905. You can collect it from the Evri ParcelShop you chose.", (MISS,)),
    ("en-US", RT, "We got back the 1 x Desk Lamp from order {oid} on 3/2 and refunded $39.99 on 3/3. It goes back to your card.", ()),
    ("en-GB", RT, "Your return for order {oid} (the walnut chopping board (1 x, large)) came back on 14/05 and we refunded £24.00 on 15/05.", ()),
    ("de-DE", RT, "Ihre Rücksendung (1 x Wasserkocher, Bestellung {oid}) ist am 14.05. eingegangen, die 39,90 € wurden am 15.05. erstattet.", ()),
    ("fr-FR", RT, "Nous avons reçu votre bouilloire (1 x, noire) de la commande {oid} le 14/05 et vous avons remboursé 39,90 € le 15/05.", ()),
    ("es-ES", RT, "Hemos recibido 1 x Hervidor eléctrico del pedido {oid} el 14/05 y te hemos reembolsado 39,90 € el 15/05.", ()),
    ("it-IT", RT, "Il reso (1 x Bollitore elettrico, ordine {oid}) è arrivato il 14/05 e il 15/05 ti abbiamo rimborsato 39,90 €.", ()),
]  # fmt: skip


def _build() -> list[dict[str, Any]]:
    out = []
    for locale, kind, body, cats in _RAW:
        oid = OIDS[locale]
        out.append({
            "locale": locale, "kind": kind, "subject": SUBJECTS[locale].format(oid=oid),
            "body": body.format(oid=oid), "categories": list(cats),
        })  # fmt: skip
    return out


HAND_CASES = _build()
