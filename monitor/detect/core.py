"""The detector's decision: language, text score, complaint rules and star rating together."""

import re
from dataclasses import dataclass

from monitor.detect.complaints import Complaint, find_complaints
from monitor.detect.language import detect_language, normalize_language_code
from monitor.detect.lexicons import lexicon_for
from monitor.detect.model import model_for, sigmoid, word_features
from monitor.detect.text import normalize, tokenize
from monitor.detect.topics import topic_categories
from monitor.detect.valence import Valence, score_tokens

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

THRESHOLD = 0.5
COMPLAINT_LOGIT = 2.5  # first complaint rule matched: strong evidence of a needed follow-up
EXTRA_COMPLAINT_LOGIT = 1.0  # each further one, up to MAX_COMPLAINTS_COUNTED
MAX_COMPLAINTS_COUNTED = 3
REASSURANCE_LOGIT = -1.5  # each "no problems at all" / "nessun difetto"
CRITICAL_MIN_LOGIT = 2.0  # a critical complaint (fraud, legal, safety) is always negative
HIGH_SCORE = 0.9
DEFAULT_BEST_RATING = 5.0
MAX_WORD_REASONS = 3


@dataclass(frozen=True)
class Verdict:
    """What the detector decided about one mention, and why."""

    language: str
    negative: bool
    score: float
    severity: str
    categories: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _TextEvidence:
    score: float
    complaints: tuple[Complaint, ...]
    reasons: tuple[str, ...]
    topics: frozenset[str]


def classify(
    text: str,
    rating: float | None = None,
    best_rating: float | None = None,
    language: str | None = None,
) -> Verdict:
    """Decide whether a mention needs a personal follow-up.

    ``text`` is plain text (title and body joined); ``rating`` a star rating out of
    ``best_rating`` (default 5); ``language`` an optional code that skips detection.
    """
    language = normalize_language_code(language) if language else detect_language(text)
    evidence = _text_evidence(text, language)
    negative, score, rating_reason = _apply_rating(evidence, rating, best_rating)
    reasons = ((rating_reason,) if rating_reason else ()) + evidence.reasons
    if not negative:
        return Verdict(language, False, round(score, 3), "low", (), reasons)
    categories = _categories(evidence)
    severity = _severity(evidence.complaints, score, categories)
    return Verdict(language, True, round(score, 3), severity, categories, reasons)


def _text_evidence(text: str, language: str) -> _TextEvidence:
    lexicon_language = language if language in ("it", "en") else "en"
    normalized = normalize(text, lexicon_language)
    tokens = tokenize(normalized, lexicon_language)
    lexicon = lexicon_for(lexicon_language)
    valence = score_tokens(tokens, lexicon)
    if language == "other":  # only emoji and emoticons are language-neutral
        return _emoji_only_evidence(valence)
    found, reassurances = find_complaints(normalized, language)
    complaints = tuple(found)
    features = word_features(tokens, lexicon.negators)
    model = model_for(language)
    logit, strong_words = model.score(features, valence.positive, valence.negative)
    logit = adjust_for_rules(logit, complaints, reassurances)
    reasons = _complaint_reasons(complaints)
    reasons += tuple(f'reassurance: "{words}"' for words in reassurances)
    reasons += _valence_reasons(valence) + tuple(_word_reason(word) for word in strong_words)
    return _TextEvidence(sigmoid(logit), complaints, reasons, topic_categories(tokens))


def adjust_for_rules(
    logit: float, complaints: tuple[Complaint, ...], reassurances: list[str]
) -> float:
    """The model's log-odds moved by the complaint rules and the reassurances that matched
    (also used by tools/train_detector.py to cross-validate the whole decision)."""
    logit += _complaint_logit(complaints) + REASSURANCE_LOGIT * len(reassurances)
    if any(complaint.severity == "critical" for complaint in complaints):
        logit = max(logit, CRITICAL_MIN_LOGIT)
    return logit


def _emoji_only_evidence(valence: Valence) -> _TextEvidence:
    emoji_hits = [hit for hit in valence.hits if not re.search(r"\w", hit.phrase)]
    total = sum(hit.valence for hit in emoji_hits)
    score = sigmoid(-0.8 * total - 1.0)
    reasons = tuple(f'emoji: "{hit.phrase}"' for hit in emoji_hits if hit.valence < 0)
    return _TextEvidence(score, (), reasons, frozenset())


def _complaint_logit(complaints: tuple[Complaint, ...]) -> float:
    if not complaints:
        return 0.0
    extra = min(len(complaints), MAX_COMPLAINTS_COUNTED) - 1
    return COMPLAINT_LOGIT + EXTRA_COMPLAINT_LOGIT * extra


def _complaint_reasons(complaints: tuple[Complaint, ...]) -> tuple[str, ...]:
    reasons = []
    for complaint in complaints:
        if complaint.category:
            label = complaint.category
        else:
            label = "legal threat" if complaint.severity == "critical" else "follow-up"
        if complaint.severity == "critical":
            label = f"{label}, critical"
        reasons.append(f'complaint: "{complaint.words}" ({label})')
    return tuple(dict.fromkeys(reasons))


def _valence_reasons(valence: Valence) -> tuple[str, ...]:
    reasons = []
    for hit in valence.hits:
        if hit.negated:
            reasons.append(f'negation: "{hit.phrase}" counted as {_tone(hit.valence)}')
    strongest = sorted((hit for hit in valence.hits if not hit.negated), key=lambda h: h.valence)
    for hit in strongest[:MAX_WORD_REASONS]:
        if hit.valence < -1.0:
            reasons.append(f'negative word: "{hit.phrase}"')
    for hit in strongest[::-1][:MAX_WORD_REASONS]:
        if hit.valence > 1.0:
            reasons.append(f'positive word: "{hit.phrase}"')
    return tuple(dict.fromkeys(reasons))


def _word_reason(feature: str) -> str:
    if feature.startswith("NOT_"):
        return f'word: "{feature[4:]}" after a negation'
    return f'word: "{feature}"'


def _tone(value: float) -> str:
    return "positive" if value > 0 else "negative"


def _apply_rating(
    evidence: _TextEvidence, rating: float | None, best_rating: float | None
) -> tuple[bool, float, str | None]:
    """Combine the text score with a star rating: 1-2 of 5 always negative, 4-5 only with a
    complaint, 3 when the text complains or reads negative."""
    text_negative = evidence.score >= THRESHOLD
    if rating is None:
        return text_negative, evidence.score, None
    best = best_rating if best_rating else DEFAULT_BEST_RATING
    stars = max(0.0, min(5.0, rating / best * 5.0))
    reason = f"rating {_format_stars(rating)}/{_format_stars(best)}"
    if stars <= 2.0:
        return True, max(evidence.score, 0.95 - 0.05 * max(stars - 1.0, 0.0)), reason
    if stars < 4.0:
        negative = text_negative or bool(evidence.complaints)
        score = max(evidence.score, THRESHOLD) if negative else min(evidence.score, 0.49)
        return negative, score, reason
    if evidence.complaints:
        return True, max(evidence.score, THRESHOLD), reason
    return False, min(evidence.score, 0.3), reason


def _format_stars(value: float) -> str:
    return f"{value:g}"


def _categories(evidence: _TextEvidence) -> tuple[str, ...]:
    found = {complaint.category for complaint in evidence.complaints if complaint.category}
    found |= evidence.topics
    return tuple(category for category in CATEGORIES if category in found)


def _severity(complaints: tuple[Complaint, ...], score: float, categories: tuple) -> str:
    severities = {complaint.severity for complaint in complaints}
    if "critical" in severities:
        return "critical"
    if "high" in severities or score >= HIGH_SCORE or len(categories) >= 3:
        return "high"
    return "medium"
