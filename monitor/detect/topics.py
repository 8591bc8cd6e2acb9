"""Topic words that put a negative mention into categories, in both languages."""

TOPIC_WORDS = {
    "delivery": "consegna consegnato consegnata corriere spedizione spedito pacco arrivato "
    "arrivata ritardo delivery delivered courier shipping shipped package parcel arrived late",
    "tracking": "tracking tracciamento tracciabilità tracked",
    "packaging": "imballo imballaggio confezione scatola packaging packed box",
    "customer_service": "assistenza risposta rispondono risponde email mail telefono "
    "operatore support reply replied answer email emails phone staff",
    "refund_return": "rimborso rimborsato reso resi restituzione restituito refund refunded "
    "return returned returns",
    "payment": "pagamento pagato addebito addebitato paypal bonifico fattura payment paid "
    "charged billing invoice",
    "product": "rotto difettoso qualità batteria prodotto materiale product quality broke "
    "broken defective battery",
    "price": "prezzo costo caro costoso price expensive overpriced cost",
    "fraud": "truffa truffatori frode scam fraud scammer scammers",
}

_CATEGORY_OF = {word: category for category, words in TOPIC_WORDS.items() for word in words.split()}


def topic_categories(tokens: list[str]) -> frozenset[str]:
    """Categories whose topic words appear among ``tokens``."""
    return frozenset(_CATEGORY_OF[token] for token in tokens if token in _CATEGORY_OF)
