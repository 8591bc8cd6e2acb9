"""Hand-written complaint patterns: things that need a follow-up even when said calmly.

Each rule is (regular expression, category or None, severity). ``None`` means the category
is taken from the topic words of the text (see ``topics``). The expressions run on text
normalised by ``monitor.detector.text.normalize``.
"""

import re
from dataclasses import dataclass

from monitor.detector.rules_en import EN_RULES
from monitor.detector.rules_it import IT_RULES

RULES = {"en": EN_RULES, "it": IT_RULES}


@dataclass(frozen=True)
class Complaint:
    """A matched complaint: the words that matched, their category and severity."""

    words: str
    category: str | None
    severity: str


class _Matcher:
    """All rules of one language in one alternation, so a text is scanned once. The shared
    leading ``\\b(?=\\w)`` makes the engine try the rules only where a word starts."""

    def __init__(self, rules: tuple[tuple[str, str | None, str], ...]):
        self.rules = rules
        alternation = "|".join(f"(?P<r{i}>{pattern})" for i, (pattern, _, _) in enumerate(rules))
        self.regex = re.compile(rf"\b(?=\w)(?:{alternation})")

    def find(self, text: str) -> list[Complaint]:
        found = []
        for match in self.regex.finditer(text):
            _, category, severity = self.rules[int(match.lastgroup[1:])]
            found.append(Complaint(match.group(0).strip(), category, severity))
        return found


_MATCHERS = {language: _Matcher(rules) for language, rules in RULES.items()}


def find_complaints(normalized: str, language: str) -> list[Complaint]:
    """Complaints found in ``normalized`` text of ``language`` ("en" or "it")."""
    return _MATCHERS[language].find(normalized)
