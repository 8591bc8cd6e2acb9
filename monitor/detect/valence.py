"""A VADER-style valence scorer: lexicon look-up with negation, boosters, contrast and "!"."""

from dataclasses import dataclass

from monitor.detect.lexicons import Lexicon
from monitor.detect.text import CLAUSE_BREAKS

NEGATION_FACTOR = -0.74  # VADER's N_SCALAR
BOOSTER_DECAY = (1.0, 0.95, 0.9)  # a booster two or three words back counts a little less
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
EXCLAMATION_BOOST = 0.292
NEGATION_WINDOW = 3
_SENTENCE_BREAKS = frozenset(".!?")


@dataclass(frozen=True)
class Hit:
    """One sentiment-bearing word or phrase and the valence it contributed."""

    phrase: str
    valence: float
    negated: bool


@dataclass(frozen=True)
class Valence:
    """Summed positive and negative valence of a text, with the hits that made them."""

    positive: float
    negative: float
    hits: tuple[Hit, ...]


def score_tokens(tokens: list[str], lexicon: Lexicon) -> Valence:
    """Score ``tokens`` (already normalised and tokenised) with ``lexicon``."""
    weights = _contrast_weights(tokens, lexicon.contrasts)
    valences = lexicon.valences
    hits = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in lexicon.phrase_starts:
            phrase, value, width = _lookup_phrase(tokens, index, lexicon)
        elif token in lexicon.boosters or token in lexicon.negators:
            phrase, value, width = token, None, 1
        else:
            phrase, value, width = token, valences.get(token), 1
        if value is not None:
            value = _boost(tokens, index, value, lexicon.boosters)
            # A phrase that carries its own negation ("nessun problema") is not negated again.
            if token not in lexicon.negators and _is_negated(tokens, index, lexicon.negators):
                value *= NEGATION_FACTOR
                hits.append(Hit(phrase, value * weights[index], True))
            else:
                hits.append(Hit(phrase, value * weights[index], False))
        index += width
    return _summarise(hits, tokens.count("!"))


def _lookup_phrase(
    tokens: list[str], index: int, lexicon: Lexicon
) -> tuple[str, float | None, int]:
    """Longest lexicon entry (up to 3 words) starting at ``index``."""
    for width in (3, 2):
        if index + width <= len(tokens):
            phrase = " ".join(tokens[index : index + width])
            value = lexicon.valences.get(phrase)
            if value is not None:
                return phrase, value, width
    token = tokens[index]
    if token in lexicon.boosters or token in lexicon.negators:
        return token, None, 1
    return token, lexicon.valences.get(token), 1


def _boost(tokens: list[str], index: int, value: float, boosters: dict[str, float]) -> float:
    for distance, decay in enumerate(BOOSTER_DECAY, start=1):
        position = index - distance
        if position < 0 or tokens[position] in CLAUSE_BREAKS:
            break
        scalar = boosters.get(tokens[position])
        if scalar is not None:
            value += scalar * decay if value > 0 else -scalar * decay
    return value


def _is_negated(tokens: list[str], index: int, negators: frozenset[str]) -> bool:
    for position in range(index - 1, max(-1, index - 1 - NEGATION_WINDOW), -1):
        token = tokens[position]
        if token in CLAUSE_BREAKS:
            return False
        if token in negators:
            return True
    return False


def _contrast_weights(tokens: list[str], contrasts: frozenset[str]) -> list[float]:
    """Per-token weights: in each sentence, words before the last contrast word count less."""
    weights = [1.0] * len(tokens)
    if contrasts.isdisjoint(tokens):
        return weights
    start = 0
    for end in range(len(tokens) + 1):
        if end == len(tokens) or tokens[end] in _SENTENCE_BREAKS:
            last = max(
                (i for i in range(start, end) if tokens[i] in contrasts and i > start),
                default=None,
            )
            if last is not None:
                for i in range(start, end):
                    weights[i] = BEFORE_CONTRAST if i < last else AFTER_CONTRAST
            start = end + 1
    return weights


def _summarise(hits: list[Hit], exclamations: int) -> Valence:
    positive = sum(hit.valence for hit in hits if hit.valence > 0)
    negative = -sum(hit.valence for hit in hits if hit.valence < 0)
    boost = EXCLAMATION_BOOST * min(exclamations, 4)
    if negative > positive:
        negative += boost
    elif positive > 0:
        positive += boost
    return Valence(positive, negative, tuple(hits))
