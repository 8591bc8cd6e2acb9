"""Language identification: py3langid, helped by a word vote on short or unsure texts."""

import re
from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

# Restricting langid to languages a European shop plausibly receives avoids absurd guesses on
# short texts ("ok" -> Catalan is still possible, which the word vote below then corrects).
CANDIDATE_LANGUAGES = "it en de fr es pt nl ro pl sv ca sl hr ru el tr ar zh".split()
SURE = 0.95
SHORT_TEXT_WORDS = 6
MODEL_MAX_CHARS = 200  # langid's cost grows with length; 200 characters are plenty
CLEAR_MIN_WORDS = 8  # texts at least this long may skip the model when...
CLEAR_SHARE = 0.25  # ...this share of their words are common words of one language...
CLEAR_OTHER_SHARE = 0.15  # ...and the other language's common words are rare
_WORD_RE = re.compile(r"[^\W\d_]+")

_ITALIAN_WORDS = frozenset(
    "il lo la gli le un una di del della dei delle che non è e ma per con su ho ha hanno sono "
    "mai più anche molto poco tutto niente nulla nessuno ancora arrivato arrivata pacco ordine "
    "consegna prodotto ottimo pessimo perfetto buono bello brutto grazie sempre troppo questo "
    "questa quello funziona rotto reso rimborso spedizione venditore consiglio sconsiglio "
    "qualità prezzo servizio clienti davvero proprio veloce lento male bene benissimo "
    "malissimo peccato purtroppo deluso delusa soddisfatta soddisfatto comodo top già "
    "perché quando come dopo solo ogni così cosa fatto essere stato stata dopo prima "
    "giorni mesi mio mia nel nella alla al dal dalla degli sul sulla ci mi si lo ne però "
    "quindi poi oppure invece ecco negozio nuovo nuova sito acquisto".split()
)
_ENGLISH_WORDS = frozenset(
    "the an of to and but for with on is are was were it this that not no never very "
    "my i you we they have has had do does did don't doesn't didn't great good bad poor "
    "terrible awful love hate works work broke broken arrived package order delivery refund "
    "return item product quality price service customer thanks still waiting ok okay nice "
    "excellent perfect worst best recommend disappointed cheap i you in be as at so if or "
    "from they all just can will would one get use your what there when up out about which "
    "than them these those been would could should after before because really only also "
    "its it's i'm i've didn't don't can't won't".split()
)


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATE_LANGUAGES)
    return identifier


def normalize_language_code(code: str) -> str:
    """Map a caller-supplied code ("it", "IT", "it-IT", "en_GB", "de") to its two or three
    letter base ("it", "en", "de"); anything else is "other"."""
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base.isascii() and base.isalpha() and 2 <= len(base) <= 3 else "other"


def detect_language(text: str) -> str:
    """Return "it", "en", another of CANDIDATE_LANGUAGES, or "other" for a text without
    letters (only emoji, numbers or symbols)."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return "other"
    clear = _clear_case(words)
    if clear:
        return clear
    guess, confidence = _identifier().classify(text[:MODEL_MAX_CHARS])
    sure_of_another = confidence >= SURE and guess not in ("it", "en")
    if confidence < SURE or (len(words) <= SHORT_TEXT_WORDS and not sure_of_another):
        voted = _vote(words)
        if voted:
            return voted
    return guess


def _clear_case(words: list[str]) -> str | None:
    """Skip the (slower) model when common words leave no doubt about it or en."""
    if len(words) < CLEAR_MIN_WORDS:
        return None
    italian = sum(word in _ITALIAN_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    if italian >= CLEAR_SHARE * len(words) and english <= italian * CLEAR_OTHER_SHARE:
        return "it"
    if english >= CLEAR_SHARE * len(words) and italian <= english * CLEAR_OTHER_SHARE:
        return "en"
    return None


def _vote(words: list[str]) -> str | None:
    italian = sum(word in _ITALIAN_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    if italian > english:
        return "it"
    if english > italian:
        return "en"
    return None
