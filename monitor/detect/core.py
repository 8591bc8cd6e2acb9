"""The detector's decision: language, the text's log-odds (the stacked encoder detector, a
shop's own head, or the fast detector alone), complaint rules and star rating together."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.detect.encoder import embed, encoder_problem
from monitor.detect.evidence import FastEvidence, fast_evidence, rules_logit, with_critical
from monitor.detect.language import detect_language, normalize_language_code
from monitor.detect.model import sigmoid
from monitor.detect.reasons import model_reason, text_reasons
from monitor.detect.stacked import shipped_model

CATEGORIES = (
    "delivery",
    "tracking",
    "packaging",
    "customer_service",
    "refund_return",
    "payment",
    "product",
    "price",
    "fraud",
)
SEVERITIES = ("critical", "high", "medium", "low")
FAST_MODEL = "fast-2"  # rules, lexicons and the small logistic model: no encoder

THRESHOLD = 0.5
HIGH_SCORE = 0.9
DEFAULT_BEST_RATING = 5.0


@dataclass(frozen=True)
class Verdict:
    """What the detector decided about one mention, why, and which model decided."""

    language: str
    negative: bool
    score: float
    severity: str
    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    model: str = FAST_MODEL


def classify(
    text: str,
    rating: float | None = None,
    best_rating: float | None = None,
    language: str | None = None,
    *,
    embedding=None,
    head=None,
) -> Verdict:
    """Decide whether a mention needs a personal follow-up.

    ``text`` is plain text (title and body joined); ``rating`` a star rating out of
    ``best_rating`` (default 5); ``language`` an optional code that skips detection.
    ``embedding`` is the encoder's vector for ``text`` when the caller has it (the scan
    passes the stored one); without it, it is computed here when the encoder can run,
    else the fast detector decides alone. ``head`` is the shop's adopted head
    (monitor.detect.adapt.ShopHead), or None for the shipped detector.
    """
    language = normalize_language_code(language) if language else detect_language(text)
    evidence = fast_evidence(text, language)
    if embedding is None and encoder_problem() is None:
        embedding = embed([text])[0]
    model, text_logit = _text_logit(evidence, embedding, head)
    stars, rating_reason = _rating(rating, best_rating)
    low_rating = stars is not None and stars <= 2.0
    logit, complaints = with_critical(text_logit, evidence.complaints, evidence.critical,
                                      evidence.personal, evidence.short, low_rating)
    negative, score = _apply_rating(sigmoid(logit), complaints, stars)
    reasons = ((rating_reason,) if rating_reason else ()) + text_reasons(evidence, complaints)
    if model != FAST_MODEL:
        reasons += (model_reason(model, sigmoid(text_logit)),)
    if not negative:
        return Verdict(language, False, round(score, 3), "low", (), reasons, model)
    categories = _categories(complaints, evidence)
    severity = _severity(complaints, score, categories)
    return Verdict(language, True, round(score, 3), severity, categories, reasons, model)


def _text_logit(evidence: FastEvidence, embedding, head) -> tuple[str, float]:
    """(the model that decides, the text's log-odds before the critical rules)."""
    if embedding is None:
        return FAST_MODEL, rules_logit(evidence.model_logit, evidence.complaints,
                                       evidence.reassurances)
    shipped = shipped_model()
    logit = shipped.logit(embedding, evidence)
    if head is not None:
        return head.name, head.logit(embedding, logit)
    return shipped.name, logit


def _rating(rating: float | None, best_rating: float | None) -> tuple[float | None, str | None]:
    """(the rating as stars out of 5, its reason), or (None, None) without a rating."""
    if rating is None:
        return None, None
    best = best_rating if best_rating else DEFAULT_BEST_RATING
    return max(0.0, min(5.0, rating / best * 5.0)), f"rating {rating:g}/{best:g}"


def _apply_rating(score: float, complaints: tuple, stars: float | None) -> tuple[bool, float]:
    """Combine the text score with a star rating: 1-2 of 5 always negative, 4-5 only with a
    complaint, 3 when the text complains or reads negative."""
    text_negative = score >= THRESHOLD
    if stars is None:
        return text_negative, score
    if stars <= 2.0:
        return True, max(score, 0.95 - 0.05 * max(stars - 1.0, 0.0))
    if stars < 4.0:
        negative = text_negative or bool(complaints)
        return negative, max(score, THRESHOLD) if negative else min(score, 0.49)
    if complaints:
        return True, max(score, THRESHOLD)
    return False, min(score, 0.3)


def _categories(complaints: tuple, evidence: FastEvidence) -> tuple[str, ...]:
    found = {complaint.category for complaint in complaints if complaint.category}
    found |= evidence.topics
    return tuple(category for category in CATEGORIES if category in found)


def _severity(complaints: tuple, score: float, categories: tuple) -> str:
    severities = {complaint.severity for complaint in complaints}
    if "critical" in severities:
        return "critical"
    if "high" in severities or score >= HIGH_SCORE or len(categories) >= 3:
        return "high"
    return "medium"
