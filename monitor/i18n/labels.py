"""The words shown for the codes monitor stores: categories, severities, follow-up states,
dismiss reasons, and what to do about each category. The English here is the msgid; each
catalogue gives its own words (`Words.gettext(CATEGORY["delivery"])`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from monitor.i18n import N_, Words

CATEGORY = {
    "delivery": N_("delivery"), "tracking": N_("tracking"), "packaging": N_("packaging"),
    "customer_service": N_("customer service"), "refund_return": N_("refund/return"),
    "payment": N_("payment"), "product": N_("product"), "price": N_("price"),
    "fraud": N_("fraud"),
}

SEVERITY = {"critical": N_("CRITICAL"), "high": N_("high"), "medium": N_("medium"),
            "low": N_("low")}
# The same colours in the digest, the alerts and the inbox (monitor/followup/web/static).
SEVERITY_COLORS = {"critical": "#8e0000", "high": "#c0392b", "medium": "#d35400",
                   "low": "#7f8c8d"}

STATUS = {"new": N_("not assigned"), "assigned": N_("assigned"),
          "contacted": N_("customer contacted"), "resolved": N_("resolved"),
          "dismissed": N_("dismissed")}

# What a change in a follow-up's history was.
EVENT = {"open": N_("opened"), "assign": N_("assigned"), "note": N_("note"),
         "contacted": N_("customer contacted"), "resolve": N_("resolved"),
         "dismiss": N_("dismissed"), "reopen": N_("reopened")}

DISMISS_REASON = {"not a complaint": N_("not a complaint"), "not ours": N_("not ours")}

# What to do about a complaint of each category (the digest's "What to do").
ACTION = {
    "delivery": N_("Ask the carrier where the parcel is and write to the customer yourself "
                   "with a firm delivery date."),
    "tracking": N_("Check that the tracking code really works on the carrier's site and "
                   "send the customer the right link."),
    "packaging": N_("Ask the customer for a photo of the damage and offer a replacement or "
                    "refund at once."),
    "customer_service": N_("Call the customer: they already wrote and got no answer."),
    "refund_return": N_("Confirm to the customer the date the refund or return will "
                        "arrive."),
    "payment": N_("Check the payment in the back office and explain to the customer what "
                  "happened."),
    "product": N_("Ask for details of the problem and offer a repair, exchange or refund."),
    "price": N_("Explain the price to the customer and consider a goodwill gesture."),
    "fraud": N_("Urgent: the owner should contact the customer personally, order in hand."),
    "other": N_("Answer the customer personally, with your own name."),
}

# The detector explains itself in English ('complaint: "mai arrivato" (delivery)'); these
# are the words of those reasons that a reader sees translated. Quoted text stays as written.
REASON_WORDS = {
    "complaint": N_("complaint"), "negative word": N_("negative word"),
    "positive word": N_("positive word"), "negation": N_("negation"), "word": N_("word"),
    "reassurance": N_("reassurance"), "emoji": N_("emoji"), "rating": N_("rating"),
    "counted as positive": N_("counted as positive"),
    "counted as negative": N_("counted as negative"),
    "after a negation": N_("after a negation"), "legal threat": N_("legal threat"),
    "follow-up": N_("follow-up"), "critical": N_("critical"),
    **CATEGORY,
}


def actions_for(categories: list[str] | tuple[str, ...]) -> list[str]:
    """The msgids of what to do for `categories`, in their order ("other" for none)."""
    return [ACTION.get(category, ACTION["other"]) for category in categories or ["other"]]


def label(words: Words, labels: dict[str, str], code: str | None) -> str:
    """The word for a stored code (a category, severity or status); unknown codes as is."""
    return words.gettext(labels[code]) if code in labels else (code or "")


def what_to_do(words: Words, categories: list[str] | None) -> str:
    """What to do about a complaint of these categories, one sentence each."""
    return " ".join(words.gettext(action) for action in actions_for(categories or []))


_REASON_PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, sorted(
    REASON_WORDS, key=len, reverse=True))) + r")\b")


def translate_reason(reason: str, words: Words) -> str:
    """A detector's reason in the reader's language; the quoted words stay as written."""
    pieces = re.split(r'("[^"]*")', reason)  # quoted parts are the mention's own words
    return "".join(piece if piece.startswith('"') else
                   _REASON_PATTERN.sub(lambda match: words.gettext(
                       REASON_WORDS[match.group(1)]), piece)
                   for piece in pieces)


def word_filters(words_of: Callable[[], Words]) -> dict[str, Callable]:
    """Jinja2 filters that show stored values in the reader's words: `words_of()` gives
    the Words of the moment (the digest's, or the inbox request's)."""
    return {
        "day": lambda value: words_of().date(value),
        "day_month": lambda value: words_of().day_month(value),
        "days": lambda days: words_of().duration(timedelta(days=days)),
        "number": lambda value: words_of().number(value),
        "list": lambda items: words_of().list(items),
        "reason": lambda text: translate_reason(text, words_of()),
        "category": lambda code: label(words_of(), CATEGORY, code),
        "severity": lambda code: label(words_of(), SEVERITY, code),
        "status": lambda code: label(words_of(), STATUS, code),
        "dismiss_reason": lambda code: label(words_of(), DISMISS_REASON, code),
        "event": lambda code: label(words_of(), EVENT, code),
        "moment": lambda value: words_of().moment(value),
        "what_to_do": lambda categories: what_to_do(words_of(), categories),
    }
