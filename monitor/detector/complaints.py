"""Hand-written complaint patterns: things that need a follow-up even when said calmly.

Each rule is (regular expression, category or None, severity). ``None`` means the category
is taken from the topic words of the text (see ``topics``). The expressions run on text
normalised by ``monitor.detector.text.normalize``.
"""

import re
from dataclasses import dataclass

from monitor.detector.rules_en import EN_REASSURANCES, EN_RULES
from monitor.detector.rules_it import IT_REASSURANCES, IT_RULES
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
    """One compiled rule with the word prefixes that must occur for it to match."""

    def __init__(self, pattern: str, category: str | None, severity: str):
        self.regex = re.compile(pattern)
        self.keys = trigger_keys(pattern)
        self.category = category
        self.severity = severity

    def may_match(self, keys: set[str]) -> bool:
        return self.keys is None or not self.keys.isdisjoint(keys)


_RULES = {language: [_Rule(*rule) for rule in rules] for language, rules in RULES.items()}
_REASSURANCE_RULES = {
    language: [_Rule(pattern, None, "low") for pattern in patterns]
    for language, patterns in REASSURANCES.items()
}


def find_complaints(normalized: str, language: str) -> tuple[list[Complaint], list[str]]:
    """Complaints in ``normalized`` text of ``language`` ("en" or "it"), and the praise
    phrased with negative words ("no problems", "nessun difetto") that softens them."""
    keys = text_keys(normalized)
    complaints = [
        Complaint(match.group(0).strip(), rule.category, rule.severity)
        for rule in _RULES[language]
        if rule.may_match(keys)
        for match in rule.regex.finditer(normalized)
    ]
    reassurances = [
        match.group(0)
        for rule in _REASSURANCE_RULES[language]
        if rule.may_match(keys)
        for match in rule.regex.finditer(normalized)
    ]
    return complaints, reassurances
