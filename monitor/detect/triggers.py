"""Cheap pre-filter for regular expressions: which literal word starts can a rule begin with?

Running ~40 complaint rules on every mention is the detector's main cost. Each rule here gets
the set of 2-4 letter word prefixes its matches must start with (worked out from the parsed
expression), so a text is only searched with the rules whose prefixes occur in it.
"""

import re

try:  # the regex parser is private; without it every rule simply runs on every text
    from re import _constants as sre_constants
    from re import _parser as sre_parser
except ImportError:  # pragma: no cover
    sre_constants = sre_parser = None

KEY_LENGTH = 4
_WORD_RE = re.compile(r"[\w']+")


def trigger_keys(pattern: str) -> frozenset[str] | None:
    """Prefixes (up to KEY_LENGTH characters of the first word) every match starts with, or
    None when the rule can start otherwise and must always run."""
    if sre_parser is None:
        return None
    try:
        prefixes, _ = _literal_prefixes(list(sre_parser.parse(pattern)))
    except (TypeError, ValueError, IndexError, AttributeError):
        return None
    keys = {prefix.split(" ")[0][:KEY_LENGTH] for prefix in prefixes}
    if not keys or any(len(key) < 2 for key in keys):
        return None
    return frozenset(keys)


def text_keys(normalized: str) -> set[str]:
    """Every 2..KEY_LENGTH-character word prefix found in ``normalized`` text, also of the
    words after an apostrophe ("l'avvocato" gives "l'av" and "avv": Italian rules start at
    the noun, English ones may start with "don't")."""
    words = _WORD_RE.findall(normalized)
    words += [part for word in words if "'" in word for part in word.split("'")[1:]]
    return {w[:2] for w in words} | {w[:3] for w in words} | {w[:4] for w in words}


def _literal_prefixes(items: list) -> tuple[set[str], bool]:
    """Literal strings the sequence can start with, and whether they cover it completely."""
    prefixes = {""}
    for op, value in items:
        if op is sre_constants.AT:
            continue
        if op is sre_constants.LITERAL:
            prefixes = {prefix + chr(value) for prefix in prefixes}
            continue
        if op is sre_constants.SUBPATTERN:
            inner, complete = _literal_prefixes(list(value[-1]))
        elif op is sre_constants.BRANCH:
            inner, complete = _branch_prefixes(value[1])
        else:
            return prefixes, False
        prefixes = {prefix + tail for prefix in prefixes for tail in inner}
        if not complete:
            return prefixes, False
    return prefixes, True


def _branch_prefixes(branches: list) -> tuple[set[str], bool]:
    prefixes: set[str] = set()
    complete = True
    for branch in branches:
        inner, inner_complete = _literal_prefixes(list(branch))
        prefixes |= inner
        complete = complete and inner_complete
    return prefixes, complete
