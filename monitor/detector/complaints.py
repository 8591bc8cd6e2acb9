"""Hand-written complaint patterns: things that need a follow-up even when said calmly.

Each rule is (regular expression, category or None, severity). ``None`` means the category
is taken from the topic words of the text (see ``topics``). The expressions run on text
normalised by ``monitor.detector.text.normalize``.
"""

import re
from dataclasses import dataclass

from monitor.detector.rules_en import EN_REASSURANCES, EN_RULES
from monitor.detector.rules_it import IT_REASSURANCES, IT_RULES
from monitor.detector.text import fold_accents
from monitor.detector.triggers import text_keys, trigger_keys

RULES = {"en": EN_RULES, "it": IT_RULES}
REASSURANCES = {"en": EN_REASSURANCES, "it": IT_REASSURANCES}


@dataclass(frozen=True)
class Complaint:
    """A matched complaint: the words that matched, their category and severity."""

    words: str
    category: str | None
    severity: str


class _Rule:
    """One compiled rule."""

    def __init__(self, pattern: str, category: str | None, severity: str):
        self.regex = re.compile(pattern)
        self.category = category
        self.severity = severity


class _RuleSet:
    """Rules indexed by the word prefixes their matches start with (see ``triggers``), so a
    text is only searched with rules that can match it; results keep the rules' order."""

    def __init__(self, patterns: list[tuple[str, str | None, str]]):
        self.rules = [_Rule(*rule) for rule in patterns]
        self.always = [i for i, (pattern, _, _) in enumerate(patterns) if not trigger_keys(pattern)]
        self.by_key: dict[str, list[int]] = {}
        for index, (pattern, _, _) in enumerate(patterns):
            for key in trigger_keys(pattern) or ():
                self.by_key.setdefault(key, []).append(index)

    def matches(self, normalized: str, keys: set[str]):
        """(rule, match) pairs for every match in ``normalized``."""
        candidates = set(self.always)
        for key in keys & self.by_key.keys():
            candidates.update(self.by_key[key])
        for index in sorted(candidates):
            rule = self.rules[index]
            for match in rule.regex.finditer(normalized):
                yield rule, match


def _prepare(pattern: str, language: str) -> str:
    return fold_accents(pattern) if language == "it" else pattern


_RULE_SETS = {
    language: _RuleSet([(_prepare(p, language), c, s) for p, c, s in rules])
    for language, rules in RULES.items()
}
_REASSURANCE_SETS = {
    language: _RuleSet([(_prepare(p, language), None, "low") for p in patterns])
    for language, patterns in REASSURANCES.items()
}


def find_complaints(normalized: str, language: str) -> tuple[list[Complaint], list[str]]:
    """Complaints in ``normalized`` text of ``language`` ("en" or "it"), and the praise
    phrased with negative words ("no problems", "nessun difetto") that softens them."""
    keys = text_keys(normalized)
    complaints = [
        Complaint(match.group(0).strip(), rule.category, rule.severity)
        for rule, match in _RULE_SETS[language].matches(normalized, keys)
    ]
    reassurances = [
        match.group(0) for _, match in _REASSURANCE_SETS[language].matches(normalized, keys)
    ]
    return complaints, reassurances
