"""Text normalisation and tokenisation shared by the detector's scorers."""

import re

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
# Emoticons first, then words (English keeps "don't" whole), numbers, punctuation, emoji.
_TOKEN_RE = re.compile(
    r"[:;=8][\-o\*']?[\)\]\(\[dDpP/\\\|]"
    r"|<3"
    r"|[^\W\d_]+(?:'[^\W\d_]+)?"
    r"|\d+(?:[.,]\d+)?"
    r"|[!?]"
    r"|[.,;:]"
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50]",
)
_IT_ELISION_RE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
# Italian reviews are typed with and without accents ("è", "e'", "e"; "più", "piu'", "piu"),
# so Italian text, lexicon entries and rules are all compared without accents.
_ACCENT_FOLD = str.maketrans("àáèéìíòóùú", "aaeeiioouu")
_IT_ACCENT_APOSTROPHE_RE = re.compile(r"(?<=[aeiou])'(?=\s|$|[.,;:!?)])")
_SPACES_RE = re.compile(r"\s+")
CLAUSE_BREAKS = frozenset(".,;:!?")  # tokens that end the reach of a negation or a booster


def fold_accents(text: str) -> str:
    """Drop Italian accents: "più" -> "piu", "è" -> "e" (also used on lexicons and rules)."""
    return text.translate(_ACCENT_FOLD)


def normalize(text: str, language: str) -> str:
    """Lower-case ``text``, unify apostrophes and spaces; Italian loses its accents."""
    text = _SPACES_RE.sub(" ", text.translate(_APOSTROPHES).lower()).strip()
    if language == "it":
        text = _IT_ACCENT_APOSTROPHE_RE.sub("", fold_accents(text))
    return text


def tokenize(normalized: str, language: str) -> list[str]:
    """Split normalised text into tokens; Italian elisions ("l'ho") become two tokens."""
    if language == "it":
        normalized = _IT_ELISION_RE.sub(" ", normalized)
    return _TOKEN_RE.findall(normalized)
