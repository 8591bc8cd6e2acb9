"""The fast detector's evidence about a text: lexicon valence, complaint rules, the small
logistic model's log-odds and topic words; and how the rules move a text's log-odds.

Critical complaint rules (fraud, legal threats, health and safety) need a complaint context
to count: a news paragraph that names the carabinieri, a hospital or mould is no complaint,
and neither is a news story about a fraud, however grim it reads. They count when another
complaint rule matched or a low star rating says so; in a short text (an outburst: "This
shop is a scam.", "Il caricabatterie ha preso fuoco.") when the text reads negative with the
critical rule counted as any complaint rule is; in a longer one when it reads negative
without it and speaks in the first or second person ("my", "we", "you", "ho", "mi",
"vostro"; a news story's "chi lo ha acquistato" is nobody's own). A critical rule in a
question ("che pentole usate con l'allergia al nichel?") needs another rule or the rating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.detect.complaints import Complaint, find_complaints
from monitor.detect.lexicons import lexicon_for
from monitor.detect.model import model_for, word_features
from monitor.detect.text import normalize, tokenize
from monitor.detect.topics import topic_categories
from monitor.detect.valence import Valence, score_tokens

RULE_LANGUAGES = ("it", "en")  # languages with lexicons, rules and a small model
COMPLAINT_LOGIT = 2.5  # first complaint rule matched: strong evidence of a needed follow-up
EXTRA_COMPLAINT_LOGIT = 1.0  # each further one, up to MAX_COMPLAINTS_COUNTED
MAX_COMPLAINTS_COUNTED = 3
REASSURANCE_LOGIT = -1.5  # each "no problems at all" / "nessun difetto"
CRITICAL_MIN_LOGIT = 2.0  # a critical complaint in a complaint context is always negative
SHORT_TEXT_WORDS = 10  # a text this short is an outburst, not a report
# Words of the author's own experience: the first and second person.
PERSONAL_WORDS = {
    "en": frozenset(
        "i i'm i've i'd i'll me my mine myself we we've we're we'd us our ours you you've "
        "you're your yours".split()
    ),
    "it": frozenset(
        "io mi me mio mia miei mie ho abbiamo avevo avevamo noi nostro nostra nostri nostre "
        "vi voi vostro vostra vostri vostre".split()
    ),
}


@dataclass(frozen=True)
class FastEvidence:
    """What the rules, lexicons and small model found in one text."""

    language: str
    model_logit: float  # the small model's log-odds, before the rules
    complaints: tuple[Complaint, ...]  # matched complaint rules that are not critical
    critical: tuple[Complaint, ...]  # matched critical rules: they need a complaint context
    reassurances: tuple[str, ...]
    valence: Valence
    strong_words: tuple[str, ...]  # word features that pushed hardest towards negative
    topics: frozenset[str]
    personal: bool = False  # speaks in the first or second person
    short: bool = False  # at most SHORT_TEXT_WORDS words

    @property
    def has_rules(self) -> bool:
        """Whether the text's language has rules and a small model (it, en)."""
        return self.language in RULE_LANGUAGES


def fast_evidence(text: str, language: str) -> FastEvidence:
    """The evidence the fast detector computes for ``text`` in ``language``."""
    lexicon_language = language if language in RULE_LANGUAGES else "en"
    normalized = normalize(text, lexicon_language)
    tokens = tokenize(normalized, lexicon_language)
    lexicon = lexicon_for(lexicon_language)
    valence = score_tokens(tokens, lexicon)
    if language not in RULE_LANGUAGES:  # only emoji and emoticons are language-neutral
        return FastEvidence(language, _emoji_logit(valence), (), (), (), valence, (),
                            frozenset())
    found, reassurances = find_complaints(normalized, language)
    features = word_features(tokens, lexicon.negators)
    logit, strong = model_for(language).score(features, valence.positive, valence.negative)
    ordinary = tuple(c for c in found if c.severity != "critical")
    critical = tuple(c for c in found if c.severity == "critical")
    personal, short = voice(tokens, language)
    return FastEvidence(language, logit, ordinary, critical, tuple(reassurances), valence,
                        tuple(strong), topic_categories(tokens), personal, short)


def voice(tokens: list[str], language: str) -> tuple[bool, bool]:
    """(whether the text speaks in the first or second person, whether it is short)."""
    words = [token for token in tokens if token[0].isalpha()]
    return not PERSONAL_WORDS[language].isdisjoint(words), len(words) <= SHORT_TEXT_WORDS


def _emoji_logit(valence: Valence) -> float:
    total = sum(hit.valence for hit in valence.hits if not re.search(r"\w", hit.phrase))
    return -0.8 * total - 1.0


def rules_logit(model_logit: float, complaints, reassurances) -> float:
    """The small model's log-odds moved by the (non-critical) complaint rules and the
    reassurances that matched."""
    return model_logit + complaint_logit(complaints) + REASSURANCE_LOGIT * len(reassurances)


def complaint_logit(complaints) -> float:
    """What matched complaint rules add to the log-odds."""
    if not complaints:
        return 0.0
    extra = min(len(complaints), MAX_COMPLAINTS_COUNTED) - 1
    return COMPLAINT_LOGIT + EXTRA_COMPLAINT_LOGIT * extra


def with_critical(logit: float, complaints, critical, personal: bool, short: bool,
                  context: bool = False):
    """(log-odds, complaints that count): ``critical`` rules count, and make the text
    negative, only in a complaint context (see the module docstring); ``context`` is a low
    star rating."""
    if not critical:
        return logit, tuple(complaints)
    stated = [complaint for complaint in critical if not complaint.in_question]
    outburst = short and logit + complaint_logit(stated) >= 0.0
    if context or complaints or (stated and (outburst or (personal and logit >= 0.0))):
        return max(logit, CRITICAL_MIN_LOGIT), tuple(critical) + tuple(complaints)
    return logit, tuple(complaints)
