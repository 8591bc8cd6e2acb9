"""Italian complaint rules (see ``monitor.detect.complaints``)."""

_W = r"[^.!?]{0,40}?"  # a few words within the same sentence
_W_SHORT = r"[^.!?]{0,25}?"

FRAUD = (
    r"\b(?:truff\w*|frod[ei]|fraudolent\w|imbroglion\w|ladri|ladro|raggir\w*|contraffatt\w"
    r"|tarocc\w+|sito fake|venditore fake)\b"
)
LEGAL = (
    r"\b(?:avvocat\w|denunc\w+|querel\w+|carabinieri|polizia|vie legali|azione legale|giudice"
    r"|tribunale|codacons|altroconsumo|adiconsum|associazion\w (?:dei |di )?consumatori"
    r"|class action|diffid\w+)\b"
)
SAFETY = (
    r"\b(?:prend\w+ fuoco|preso fuoco|in fiamme|esplos\w|scoppiat\w|scossa|fulminat\w"
    r"|ustion\w+|reazione allergica|allergi\w+|intossica\w+|pronto soccorso|ospedale"
    r"|pericolos\w|tossic\w|ammuffit\w|muffa|avariat\w|soffoca\w+|ferit\w)\b"
)

IT_RULES = (
    (FRAUD, "fraud", "critical"),
    (LEGAL, None, "critical"),
    (SAFETY, "product", "critical"),
    # consegna
    (r"\bmai (?:arrivat\w|ricevut\w|consegnat\w|pervenut\w|giunt\w)", "delivery", "high"),
    (
        r"\bnon (?:mi |ci )?(?:è|sono|son|e) (?:mai |ancora |neanche |nemmeno )?(?:arrivat\w"
        r"|giunt\w|pervenut\w|stat\w (?:consegnat\w|spedit\w|recapitat\w))",
        "delivery",
        "high",
    ),
    (
        r"\bnon (?:l'|lo |la |li |le |ne )?(?:ho|abbiamo|hanno) (?:mai |ancora |neanche )?"
        r"(?:ricevut\w|consegnat\w|spedit\w|vist\w)",
        "delivery",
        "high",
    ),
    (
        r"\b(?:sto|stiamo|sono|siamo) ancora (?:aspettando|attendendo|in attesa)"
        r"|\b(?:aspetto|aspettiamo|attendo|attendiamo) ancora\b|\bancora in attesa\b"
        r"|\bancora niente\b|\bancora nulla\b",
        None,
        "medium",
    ),
    (
        r"\b(?:pacco|pacchi|ordine|ordini|spedizione|consegna|merce|collo)\b"
        + _W
        + r"\b(?:smarrit\w|pers[oaie]|in ritardo|ritardo|ritardi|rubat\w|fermo|ferma)\b",
        "delivery",
        "medium",
    ),
    (r"\bin ritardo di\b|\bgiorni di ritardo\b|\bsettimane di ritardo\b", "delivery", "medium"),
    (
        r"\b(?:risulta|segnato|segnata|segna|dice|indicato|indicata) (?:come )?consegnat\w",
        "delivery",
        "high",
    ),
    (
        r"\b(?:articolo|prodotto|taglia|colore|modello|misura|pezzo) sbagliat\w"
        r"|\bsbagliat\w (?:l'|il |la )?(?:articolo|prodotto|taglia|colore|modello|ordine)",
        "delivery",
        "medium",
    ),
    # imballo
    (
        r"\b(?:arrivat\w|consegnat\w|giunt\w|confezione|scatola|pacco|imballo|imballaggio)\b"
        + _W_SHORT
        + r"\b(?:rott\w|danneggiat\w|ammaccat\w|schiacciat\w|distrutt\w|apert\w|bagnat\w"
        r"|strappat\w|sfondat\w|manomess\w)",
        "packaging",
        "medium",
    ),
    # tracciamento
    (
        r"\b(?:tracking|tracciamento|tracciabilità|codice di spedizione|numero di spedizione)\b"
        + _W_SHORT
        + r"\b(?:non funziona|non (?:è |e )?valid\w|inesistente|fermo|ferma|non si aggiorna"
        r"|non (?:è |e )?aggiornat\w|non esiste|non risulta|errat\w|sbagliat\w|non trova)",
        "tracking",
        "medium",
    ),
    (r"\b(?:senza|nessun|niente) (?:codice di )?(?:tracking|tracciamento)\b", "tracking", "medium"),
    # servizio clienti
    (
        r"\bnessuno (?:mi |ci )?(?:ha |hanno )?(?:mai |ancora )?(?:rispond\w+|rispost\w|richiamat\w"
        r"|si (?:è |e )?fatto vivo|si fa vivo|si prende)",
        "customer_service",
        "medium",
    ),
    (
        r"\bnon (?:mi |ci )?(?:hanno |ha )?(?:mai |ancora )?(?:rispost\w|rispondono|risponde"
        r"|richiamat\w|risponderanno|rispondete)\b",
        "customer_service",
        "medium",
    ),
    (
        r"\b(?:nessuna|senza|zero|mai una|mai avuto) (?:alcuna )?risposta\b|\bsquilla a vuoto\b"
        r"|\bmessaggi automatici\b|\brisposte automatiche\b|\bchiuso il telefono\b"
        r"|\bse ne (?:frega|fregano|sono fregati)\b|\bscaricabarile\b",
        "customer_service",
        "medium",
    ),
    (
        r"\b(?:servizio clienti|assistenza|customer care|personale|operat\w+|venditore|commess\w"
        r"|call center)\b" + _W_SHORT + r"\b(?:inesistente|assente|maleducat\w|scortes\w"
        r"|sgarbat\w|incompetent\w|pessim\w|vergogn\w+|inutile|scarsa|scadente|irraggiungibil\w"
        r"|da dimenticare)",
        "customer_service",
        "medium",
    ),
    (r"\b(?:maleducat\w|scortes\w|sgarbat\w|villan\w)\b", "customer_service", "medium"),
    # resi e rimborsi
    (
        r"\b(?:aspetto|attendo|aspettando|attendendo|attesa del|in attesa di|mai ricevuto|mai visto"
        r"|nessun|ancora nessun|ancora niente|senza) (?:ancora )?(?:il |un |alcun |del )?"
        r"(?:rimborso|rimborsi|accredito)",
        "refund_return",
        "high",
    ),
    (
        r"\bnon (?:mi |ci )?(?:hanno|ha) (?:ancora |mai )?(?:rimborsat\w|restituit\w|ridat\w"
        r"|sostituit\w|accreditat\w)",
        "refund_return",
        "high",
    ),
    (
        r"\b(?:rifiutat\w|rifiutano|rifiuta|negat\w|negano|nega) (?:il |di |la )?(?:reso|rimborso"
        r"|rimborsare|sostitu\w+|garanzia)",
        "refund_return",
        "high",
    ),
    (
        r"\bnon (?:me |ce )?(?:lo |la |li |le )?(?:vogliono|vuole|possono|accettano|accetta)"
        r" (?:ridare|rimborsare|restituire|sostituire|accettare|il reso|la garanzia)",
        "refund_return",
        "high",
    ),
    (
        r"\b(?:l'ho|li ho|lo ho|l'abbiamo|ho dovuto|dovuto) (?:subito )?(?:restituir\w*|rimandar\w*"
        r"|rispedir\w*|restituit\w|rimandat\w|rispedit\w|rendere|fare il reso)"
        r"|\breso effettuat\w|\b(?:fatto|chiesto|richiesto|aperto) (?:il |un |la )?(?:reso"
        r"|rimborso|richiesta di reso)|\bmandato indietro\b|\brimandato indietro\b",
        "refund_return",
        "medium",
    ),
    # pagamento
    (
        r"\baddebitat\w (?:due volte|il doppio|doppio|senza)|\bdoppio addebito\b"
        r"|\baddebit\w+ non autorizzat\w|\b(?:pagamento|pagato|ordine)\b"
        + _W_SHORT
        + r"\b(?:annullat\w|rifiutat\w|non (?:è |e )?andato a buon fine)"
        r"|\b(?:soldi|pagamento|importo|acconto|denaro)\b"
        + _W_SHORT
        + r"\bnon (?:sono |è |e )?(?:mai |ancora )?(?:tornat\w|rientrat\w|restituit\w"
        r"|riaccreditat\w)",
        "payment",
        "high",
    ),
    # prodotto
    (r"\b(?:smesso|smette|cessato|smettere) di funzionare\b", "product", "medium"),
    (
        r"\bnon (?:ha |hanno )?(?:mai |più |piu )?(?:funziona|funzionava|funzionano|funzionasse"
        r"|funzionato|funzionante|si accende|si accendeva|si avvia|carica|si carica|tiene la carica"
        r"|si connette|si collega|scalda|pulisce|chiude|aspira|taglia|regge|tiene)\b",
        "product",
        "medium",
    ),
    (
        r"\bsi (?:è |e |sono )?(?:rott\w|spezzat\w|staccat\w|scollat\w|crepat\w|sgonfiat\w"
        r"|bloccat\w|rovinat\w|scucit\w|strappat\w|ruppe|rompe|rompono|blocca|spegne|scarica)"
        r"|\b(?:rott\w|difettos\w|guast\w) (?:dopo|al |appena|già|subito|dopo)",
        "product",
        "medium",
    ),
    (
        r"\b(?:difettos\w|guast\w|non funzionante|inutilizzabil\w|fallat\w|malfunzionament\w+"
        r"|scadut\w)\b",
        "product",
        "medium",
    ),
    (
        r"\b(?:pezz\w|vit\w|component\w|accessori\w|parti|cavo) mancant\w"
        r"|\bmanca(?:va|no|vano)? (?:un|una|il|la|lo|i|le|dei|delle|alcun\w) (?:pezz\w|vit\w"
        r"|component\w|accessori\w|parti|cavo)",
        "product",
        "medium",
    ),
    (
        r"\bnon (?:corrisponde|(?:è |e )?conforme|(?:è |e )?(?:come|quello) (?:descritt\w|in foto"
        r"|nella foto|ordinat\w|mostrat\w|pubblicizzat\w))"
        r"|\b(?:divers\w|diverso) (?:da|dalla|dalle|rispetto alla|rispetto alle) (?:foto"
        r"|descrizione|immagin\w)",
        "product",
        "medium",
    ),
    (
        r"\b(?:soldi|denaro) (?:buttat\w|sprecat\w|pers[ie])|\bsconsigli\w+"
        r"|\bnon (?:lo |la |li |le )?(?:consiglio|consiglierei|ricomprer\w+|ricompro"
        r"|riacquister\w+|compratelo|compratela|comprate|acquistate)\b|\blasciate perdere\b"
        r"|\bmai più\b|\bstate alla larga\b|\bstare alla larga\b",
        None,
        "medium",
    ),
    # prezzo
    (
        r"\b(?:prezzo|costo) (?:gonfiat\w|esagerat\w|eccessiv\w|assurd\w|folle|spropositat\w)"
        r"|\btroppo car\w|\bcosta troppo\b|\btroppo costos\w"
        r"|\bnon vale (?:il prezzo|i soldi|la spesa|quello che costa|la cifra"
        r"|nemmeno|neanche)|\bfregatura\b",
        "price",
        "medium",
    ),
)

# Praise that uses negative words ("nessun problema"): each match lowers the score.
IT_REASSURANCES = (
    r"\b(?:nessun|nessuna|senza|zero|mai avuto|mai avuta|mai avuti|non ho (?:mai )?avuto"
    r"|non ho riscontrato|non ho trovato) (?:alcun |nessun |un )?(?:problem\w|difett\w|intopp\w"
    r"|inconvenient\w|sorpres\w|lamentel\w|pecca|pecche)",
    r"\b(?:niente|nulla) da (?:dire|ridire|eccepire|segnalare|criticare|rimproverare)\b",
    r"\bnon (?:è |e )?(?:affatto |per niente |poi cos[iì] )?(?:male|malvagi\w|brutt\w|scadent\w)\b",
    r"\bniente male\b",
)
