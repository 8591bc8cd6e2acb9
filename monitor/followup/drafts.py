"""The reply draft on a complaint's page: a start for the person who answers, in the
language the customer wrote in, addressed to them by name, naming what they wrote about
(the categories, and their own words that the complaint rules matched), ending with the
shop's signature ([web] signature). monitor never sends it.

Every sentence is a message of the catalogues (monitor/i18n/locale), so a shop can word
its replies its own way by editing its .po file (README.md, "Languages").
"""

from __future__ import annotations

import re

from monitor.i18n import N_, Words, languages

# What the customer wrote about, as the reply names it.
TOPIC = {
    "delivery": N_("the delivery of your order"),
    "tracking": N_("the tracking of your parcel"),
    "packaging": N_("the packaging of your order"),
    "customer_service": N_("our customer service"),
    "refund_return": N_("your refund or return"),
    "payment": N_("your payment"),
    "product": N_("the product you received"),
    "price": N_("our prices"),
    "fraud": N_("your order"),
    "other": N_("your experience with us"),
}
# What the shop will do about it, one paragraph per category.
PROMISE = {
    "delivery": N_("We have asked the carrier where your parcel is, and we will write to you "
                   "again with a firm delivery date."),
    "tracking": N_("We are checking your tracking code with the carrier, and we will send you "
                   "a link that works."),
    "packaging": N_("Could you send us a photo of the damage? We will send you a replacement "
                    "or refund you at once, as you prefer."),
    "customer_service": N_("We are sorry nobody answered you: from now on I am following "
                           "your case personally."),
    "refund_return": N_("We are checking your refund or return, and we will confirm the date "
                        "it reaches you."),
    "payment": N_("We are checking your payment, and we will explain to you what happened."),
    "product": N_("Could you tell us more about the problem? We can repair, exchange or "
                  "refund the product."),
    "price": N_("We would like to explain how our prices are set, and find a solution "
                "together."),
    "fraud": N_("We take what you wrote very seriously: we are checking your order and your "
                "payment now, and we will contact you today."),
    "other": N_("We would like to hear more from you, to put things right."),
}
# 'complaint: "mai arrivato" (delivery)' -> the customer's words, as the detector quotes them.
COMPLAINT_WORDS = re.compile(r'^complaint: "([^"]+)"')
MAX_QUOTES = 3


def draft_language(mention_language: str | None, fallback: str) -> str:
    """The mention's language when it has a catalogue, else `fallback`."""
    code = (mention_language or "").split("-")[0].lower()
    return code if code in languages() else fallback


def customer_words(reasons: list[str]) -> list[str]:
    """The customer's own words that the complaint rules matched, first ones first."""
    found = [match.group(1) for reason in reasons if (match := COMPLAINT_WORDS.match(reason))]
    return list(dict.fromkeys(found))[:MAX_QUOTES]


def reply_draft(mention: dict, words: Words, signature: str) -> str:
    """The draft reply to `mention` (author, categories, reasons) in `words`' language,
    signed with `signature` (already filled in)."""
    _ = words.gettext
    author = " ".join((mention.get("author") or "").split())
    categories = [c for c in mention.get("categories") or [] if c in TOPIC] or ["other"]
    lines = [_("Dear %(name)s,", name=author) if author else _("Hello,"), ""]
    # (Each message on its own line: Babel's extractor does not see a call inside a call.)
    topics = words.list([_(TOPIC[c]) for c in categories])
    about = _("Thank you for writing to us about %(topics)s.", topics=topics)
    quotes = [_("“%(words)s”", words=quote)
              for quote in customer_words(mention.get("reasons") or [])]
    if quotes:
        about += " " + _("You wrote: %(quotes)s.", quotes=words.list(quotes))
    lines += [about, _("We are sorry for the trouble, and we want to put it right."), ""]
    lines += [_(PROMISE[c]) for c in categories]
    lines += ["", _("Kind regards,"), signature.strip()]
    return "\n".join(lines)


def fill_signature(signature: str, *, staff: str, brand: str) -> str:
    """[web] signature with {staff} and {brand} filled in (the only placeholders the
    settings allow)."""
    return signature.format(staff=staff, brand=brand)
