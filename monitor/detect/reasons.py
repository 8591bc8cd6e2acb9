"""Why the detector decided as it did, in words a person reads: the complaint rules that
matched, the reassurances, the strongest words, and how sure the encoder or the shop's own
model was."""

from __future__ import annotations

import re

from monitor.detect.complaints import Complaint
from monitor.detect.evidence import FastEvidence

MAX_WORD_REASONS = 3


def text_reasons(evidence: FastEvidence, complaints: tuple[Complaint, ...]) -> tuple[str, ...]:
    """The rules that counted, the reassurances, the lexicon's and the small model's
    strongest words."""
    reasons = complaint_reasons(complaints)
    reasons += tuple(f'reassurance: "{words}"' for words in evidence.reassurances)
    reasons += _valence_reasons(evidence)
    return reasons + tuple(_word_reason(word) for word in evidence.strong_words)


def model_reason(model: str, score: float) -> str:
    """How sure the model that decided was (a probability, for the encoder-based ones)."""
    share = "under 1%" if score < 0.005 else "over 99%" if score > 0.995 else f"{score:.0%}"
    if model.startswith("shop-"):
        return f"this shop's own model ({model}): {share} likely a complaint"
    return f"sentence encoder ({model}): {share} likely a complaint"


def complaint_reasons(complaints: tuple[Complaint, ...]) -> tuple[str, ...]:
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


def _valence_reasons(evidence: FastEvidence) -> tuple[str, ...]:
    hits = evidence.valence.hits
    if not evidence.has_rules:  # other languages: only emoji are understood
        return tuple(dict.fromkeys(f'emoji: "{hit.phrase}"' for hit in hits
                                   if hit.valence < 0 and not re.search(r"\w", hit.phrase)))
    reasons = [f'negation: "{hit.phrase}" counted as {_tone(hit.valence)}'
               for hit in hits if hit.negated]
    strongest = sorted((hit for hit in hits if not hit.negated), key=lambda h: h.valence)
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
