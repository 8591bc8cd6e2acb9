"""The words of the digest in the owner's language (digest.language: it or en)."""

from __future__ import annotations

TEXTS = {
    "it": {
        "subject": "[{brand}] {date}: {count} reclami da seguire",
        "subject_none": "[{brand}] {date}: nessun reclamo nuovo",
        "title": "Monitoraggio di {brand}",
        "intro": "{count} nuovi reclami da seguire personalmente oggi.",
        "intro_none": "Nessun nuovo reclamo da seguire oggi.",
        "complaints": "Reclami da seguire",
        "why": "Perché",
        "action": "Cosa fare",
        "open_original": "Apri l'originale",
        "inbox_link": "Gestisci nell'inbox",
        "by": "di",
        "stars": "{rating}/{best} stelle",
        "others": "Altre menzioni nuove (positive o neutre): {count}",
        "broken_sources": "Fonti che non funzionano",
        "failures": "{count} scansioni fallite di seguito",
        "footer": "Inviato da monitor. Ogni reclamo merita una risposta personale.",
        "unknown_date": "data sconosciuta",
        "subject_nothing": "[{brand}] {date}: niente di nuovo",
        "subject_one": "[{brand}] {date}: 1 reclamo da seguire",
        "intro_one": "1 nuovo reclamo da seguire personalmente oggi.",
        "intro_nothing": "Niente di nuovo dall'ultimo digest.",
        "open_complaints": "Ancora aperti dai digest precedenti: {count}",
        "age_today": "da oggi",
        "age_one": "aperto da 1 giorno",
        "age_days": "aperto da {days} giorni",
        "more": "… e altri {count}.",
        "trend": "Reclami al giorno, ultimi 14 giorni",
        "trend_total": "{count} in tutto",
        "maybe_repeated_note": "Un invio precedente si è interrotto senza conferma dal "
                               "server: le voci segnate «forse già ricevuto» potrebbero "
                               "esserti già arrivate.",
        "maybe_repeated": "forse già ricevuto",
        "site": "sito",
        "alert_subject": "[{brand}] URGENTE: reclamo {severity} da {source}",
        "alert_title": "Reclamo urgente per {brand}",
        "alert_intro": "È appena stato trovato un reclamo grave: rispondi oggi stesso, "
                       "di persona.",
        "alert_footer": "Avviso immediato di monitor; il reclamo sarà anche nel prossimo "
                        "digest.",
        "new_sites": "Nuovi siti che parlano di te",
        "new_site": "{host} parla spesso di te: {count} pagine trovate dalla ricerca. "
                    "Per seguirlo, aggiungi a settings.toml:",
    },
    "en": {
        "subject": "[{brand}] {date}: {count} complaints to follow up",
        "subject_none": "[{brand}] {date}: no new complaints",
        "title": "{brand} monitoring",
        "intro": "{count} new complaints to follow up personally today.",
        "intro_none": "No new complaints to follow up today.",
        "complaints": "Complaints to follow up",
        "why": "Why",
        "action": "What to do",
        "open_original": "Open the original",
        "inbox_link": "Handle in the inbox",
        "by": "by",
        "stars": "{rating}/{best} stars",
        "others": "Other new mentions (positive or neutral): {count}",
        "broken_sources": "Sources that are not working",
        "failures": "{count} failed scans in a row",
        "footer": "Sent by monitor. Every complaint deserves a personal answer.",
        "unknown_date": "unknown date",
        "subject_nothing": "[{brand}] {date}: nothing new",
        "subject_one": "[{brand}] {date}: 1 complaint to follow up",
        "intro_one": "1 new complaint to follow up personally today.",
        "intro_nothing": "Nothing new since the last digest.",
        "open_complaints": "Still open from earlier digests: {count}",
        "age_today": "since today",
        "age_one": "open for 1 day",
        "age_days": "open for {days} days",
        "more": "… and {count} more.",
        "trend": "Complaints per day, last 14 days",
        "trend_total": "{count} in all",
        "maybe_repeated_note": "An earlier sending was cut off before the server "
                               "confirmed it: the items marked \"maybe already received\" "
                               "may have reached you already.",
        "maybe_repeated": "maybe already received",
        "site": "site",
        "alert_subject": "[{brand}] URGENT: {severity} complaint from {source}",
        "alert_title": "Urgent complaint for {brand}",
        "alert_intro": "A serious complaint was just found: answer it personally, today.",
        "alert_footer": "Immediate alert from monitor; the complaint will also be in the next "
                        "digest.",
        "new_sites": "New sites that talk about you",
        "new_site": "{host} talks about you often: {count} pages found by search. "
                    "To watch it, add to settings.toml:",
    },
}

SEVERITY = {
    "it": {"critical": "CRITICO", "high": "alto", "medium": "medio", "low": "basso"},
    "en": {"critical": "CRITICAL", "high": "high", "medium": "medium", "low": "low"},
}

CATEGORY = {
    "it": {
        "delivery": "consegna", "tracking": "tracciamento", "packaging": "imballaggio",
        "customer_service": "assistenza clienti", "refund_return": "rimborso/reso",
        "payment": "pagamento", "product": "prodotto", "price": "prezzo", "fraud": "truffa",
    },
    "en": {
        "delivery": "delivery", "tracking": "tracking", "packaging": "packaging",
        "customer_service": "customer service", "refund_return": "refund/return",
        "payment": "payment", "product": "product", "price": "price", "fraud": "fraud",
    },
}

ACTION = {
    "it": {
        "delivery": "Verifica con il corriere dove si trova il pacco e scrivi tu al cliente "
                    "con una data di consegna certa.",
        "tracking": "Controlla che il codice di tracciamento funzioni davvero sul sito del "
                    "corriere e manda al cliente il link giusto.",
        "packaging": "Chiedi al cliente una foto del danno e offri subito sostituzione o "
                     "rimborso.",
        "customer_service": "Chiama il cliente: ha già scritto senza risposta.",
        "refund_return": "Conferma al cliente la data in cui riceverà il rimborso o il reso.",
        "payment": "Controlla il pagamento nel gestionale e spiega al cliente cosa è successo.",
        "product": "Chiedi i dettagli del problema e proponi riparazione, cambio o rimborso.",
        "price": "Spiega il prezzo al cliente e valuta un gesto di cortesia.",
        "fraud": "Urgente: il titolare contatti il cliente di persona, con l'ordine alla mano.",
        "other": "Rispondi personalmente al cliente, con il tuo nome.",
    },
    "en": {
        "delivery": "Ask the carrier where the parcel is and write to the customer yourself "
                    "with a firm delivery date.",
        "tracking": "Check that the tracking code really works on the carrier's site and send "
                    "the customer the right link.",
        "packaging": "Ask the customer for a photo of the damage and offer a replacement or "
                     "refund at once.",
        "customer_service": "Call the customer: they already wrote and got no answer.",
        "refund_return": "Confirm to the customer the date the refund or return will arrive.",
        "payment": "Check the payment in the back office and explain to the customer what "
                   "happened.",
        "product": "Ask for details of the problem and offer a repair, exchange or refund.",
        "price": "Explain the price to the customer and consider a goodwill gesture.",
        "fraud": "Urgent: the owner should contact the customer personally, order in hand.",
        "other": "Answer the customer personally, with your own name.",
    },
}


STATUS = {
    "it": {"new": "da assegnare", "assigned": "assegnato", "contacted": "cliente contattato",
           "resolved": "risolto", "dismissed": "archiviato"},
    "en": {"new": "not assigned", "assigned": "assigned", "contacted": "customer contacted",
           "resolved": "resolved", "dismissed": "dismissed"},
}


# The detector explains itself in English ('complaint: "mai arrivato" (delivery)'); these
# are the words of those reasons in the digest's language. The quoted text stays as written.
REASON_WORDS = {
    "it": {
        "complaint": "reclamo", "negative word": "parola negativa",
        "positive word": "parola positiva", "negation": "negazione", "word": "parola",
        "reassurance": "rassicurazione", "emoji": "emoji", "rating": "voto",
        "counted as positive": "letta come positiva",
        "counted as negative": "letta come negativa", "after a negation": "dopo una negazione",
        "legal threat": "minaccia legale", "follow-up": "sollecito", "critical": "critico",
        **CATEGORY["it"],
    },
    "en": dict(CATEGORY["en"]),
}


def texts(language: str) -> dict:
    """Every translated table for `language`, as the templates use them."""
    return {"t": TEXTS[language], "severity_names": SEVERITY[language],
            "category_names": CATEGORY[language], "actions": ACTION[language],
            "status_names": STATUS[language]}
