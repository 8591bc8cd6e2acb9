"""Hand-written complaint patterns: things that need a follow-up even when said calmly.

Each rule is (regular expression, category or None, severity). ``None`` means the category
is taken from the topic words of the text (see ``topics``). The expressions run on text
normalised by ``monitor.detect.text.normalize``.
"""

import re
from dataclasses import dataclass

from monitor.detect.lexicons import lexicon_for
from monitor.detect.rules_en import EN_REASSURANCES, EN_RULES
from monitor.detect.rules_it import IT_REASSURANCES, IT_RULES
from monitor.detect.text import CLAUSE_BREAKS, fold_accents, tokenize
from monitor.detect.triggers import text_keys, trigger_keys

RULES = {"en": EN_RULES, "it": IT_RULES}
REASSURANCES = {"en": EN_REASSURANCES, "it": IT_REASSURANCES}
DENIAL_WINDOW = 3  # words before a complaint that can deny it ("nothing has broken")
DENIAL_LOOKBACK = 60  # characters searched for them (three words, with room to spare)
# A denial reaches back only within its clause: "arrivato senza scatola e rotto" complains.
_CONJUNCTIONS = frozenset("and but or e ed ma pero o".split())
_SENTENCE_END_RE = re.compile(r"[.!?]")


@dataclass(frozen=True)
class Complaint:
    """A matched complaint: the words that matched, their category and severity, and
    whether they stand in a question ("che pentole usate con l'allergia al nichel?")."""

    words: str
    category: str | None
    severity: str
    in_question: bool = False


class _Rule:
    """One compiled rule; ``reassurance`` rules find praise instead of complaints."""

    def __init__(self, pattern: str, category: str | None, severity: str, reassurance: bool):
        self.regex = re.compile(pattern)
        self.category = category
        self.severity = severity
        self.reassurance = reassurance


class _RuleSet:
    """Rules indexed by the word prefixes their matches start with (see ``triggers``), so a
    text is only searched with rules that can match it; results keep the rules' order."""

    def __init__(self, rules: list[tuple[str, str | None, str, bool]], language: str):
        self.rules = [_Rule(*rule) for rule in rules]
        self.language = language
        self.deniers = lexicon_for(language).negators
        self.always = frozenset(i for i, rule in enumerate(rules) if not trigger_keys(rule[0]))
        self.by_key: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            for key in trigger_keys(rule[0]) or ():
                self.by_key.setdefault(key, []).append(index)
        self.keys = frozenset(self.by_key)

    def scan(self, normalized: str) -> tuple[list[Complaint], list[str]]:
        candidates = set(self.always)
        for key in text_keys(normalized) & self.keys:
            candidates.update(self.by_key[key])
        complaints, reassurances = [], []
        for index in sorted(candidates):
            rule = self.rules[index]
            for match in rule.regex.finditer(normalized):
                if rule.reassurance:
                    reassurances.append(match.group(0))
                elif not self._denied(normalized, match):
                    complaints.append(Complaint(match.group(0).strip(), rule.category,
                                                rule.severity, _in_question(normalized, match)))
        return complaints, reassurances

    def _denied(self, normalized: str, match: re.Match) -> bool:
        """Whether a negation just before the match, in its clause, denies it ("nothing has
        broken", "non si e mai rotto"); a match that is itself a negation ("non e mai
        arrivato") is never denied."""
        if any(token in self.deniers for token in tokenize(match.group(0), self.language)):
            return False
        before = normalized[max(0, match.start() - DENIAL_LOOKBACK) : match.start()]
        clause = []
        for token in reversed(tokenize(before, self.language)):
            if token in CLAUSE_BREAKS or token in _CONJUNCTIONS or len(clause) == DENIAL_WINDOW:
                break
            clause.append(token)
        return any(token in self.deniers for token in clause)


def _in_question(normalized: str, match: re.Match) -> bool:
    """Whether the sentence of ``match`` ends with a question mark."""
    end = _SENTENCE_END_RE.search(normalized, match.end())
    return bool(end) and end.group(0) == "?"


def _rule_set(language: str) -> _RuleSet:
    fold = fold_accents if language == "it" else str
    rules = [(fold(p), category, severity, False) for p, category, severity in RULES[language]]
    rules += [(fold(p), None, "low", True) for p in REASSURANCES[language]]
    return _RuleSet(rules, language)


_RULE_SETS = {language: _rule_set(language) for language in RULES}


def find_complaints(normalized: str, language: str) -> tuple[list[Complaint], list[str]]:
    """Complaints in ``normalized`` text of ``language`` ("en" or "it"), and the praise
    phrased with negative words ("no problems", "nessun difetto") that softens them."""
    return _RULE_SETS[language].scan(normalized)
