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
# Italian writers often type "e'" or "perche'" for "è", "perché".
_IT_ACCENT_FIXES = (
    (re.compile(r"\be'"), "è"),
    (re.compile(r"(?<=[a-z])e'(?=\s|$|[.,;:!?])"), "é"),
    (re.compile(r"(?<=[a-z])a'(?=\s|$|[.,;:!?])"), "à"),
    (re.compile(r"(?<=[a-z])o'(?=\s|$|[.,;:!?])"), "ò"),
    (re.compile(r"(?<=[a-z])u'(?=\s|$|[.,;:!?])"), "ù"),
    (re.compile(r"(?<=[a-z])i'(?=\s|$|[.,;:!?])"), "ì"),
)
_SPACES_RE = re.compile(r"\s+")


def normalize(text: str, language: str) -> str:
    """Lower-case ``text``, unify apostrophes and spaces, and fix Italian accent spellings."""
    text = _SPACES_RE.sub(" ", text.translate(_APOSTROPHES).lower()).strip()
    if language == "it":
        for pattern, replacement in _IT_ACCENT_FIXES:
            text = pattern.sub(replacement, text)
        text = text.replace("perchè", "perché").replace("poichè", "poiché")
    return text


def tokenize(normalized: str, language: str) -> list[str]:
    """Split normalised text into tokens; Italian elisions ("l'ho") become two tokens."""
    if language == "it":
        normalized = _IT_ELISION_RE.sub(" ", normalized)
    return _TOKEN_RE.findall(normalized)
