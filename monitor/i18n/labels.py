"""The words shown for the codes monitor stores: categories, severities, follow-up states,
dismiss reasons, and what to do about each category. The English here is the msgid; each
catalogue gives its own words (`Words.gettext(CATEGORY["delivery"])`)."""

from __future__ import annotations

from monitor.i18n import N_

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
