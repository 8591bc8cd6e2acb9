"""First negative-mention detector (placeholder until the detector issue replaces it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = ("delivery", "tracking", "packaging", "customer_service", "refund_return",
              "payment", "product", "price", "fraud")
SEVERITIES = ("critical", "high", "medium", "low")
_COMPLAINTS = {
    "delivery": r"mai arrivat\w*|non (è|e) arrivat\w*|never arrived|not arrived|late|ritardo",
    "customer_service": r"nessuno rispond\w*|no one answer\w*|nobody answer\w*",
    "refund_return": r"rimborso|refund",
    "fraud": r"truffa|scam|fraud",
}


@dataclass(frozen=True)
class Verdict:
    language: str
    negative: bool
    score: float
    severity: str
    categories: tuple[str, ...]
    reasons: tuple[str, ...]


def classify(text: str, rating: float | None = None, best_rating: float | None = None,
             language: str | None = None) -> Verdict:
    """Decide whether `text` needs a personal follow-up."""
    lowered = text.lower()
    categories = tuple(c for c, p in _COMPLAINTS.items() if re.search(p, lowered))
    reasons = [f"complaint ({c})" for c in categories]
    if rating is not None and rating / (best_rating or 5) <= 0.4:
        reasons.append(f"rating {rating:g}/{best_rating or 5:g}")
    negative = bool(reasons)
    severity = "critical" if "fraud" in categories else ("medium" if negative else "low")
    return Verdict(language or "other", negative, 0.9 if negative else 0.1, severity,
                   categories, tuple(reasons))
