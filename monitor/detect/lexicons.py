"""Word lists and valence lexicons for English and Italian, loaded once from data/."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from monitor.detect.text import fold_accents

DATA_DIR = Path(__file__).resolve().parent / "data"

# Valence scale is VADER's: -4 (extremely negative) .. +4 (extremely positive).
PATTERN_IT_SCALE = 3.0
PATTERN_EN_SCALE = 2.5  # only for words the VADER lexicon lacks
_IT_ENDINGS = ("o", "a", "i", "e")

NEGATORS = {
    "en": frozenset(
        "not no never nor none nothing nobody neither without cannot cant can't dont don't "
        "doesnt doesn't didnt didn't isnt isn't wasnt wasn't arent aren't werent weren't "
        "wont won't wouldnt wouldn't shouldnt shouldn't couldnt couldn't havent haven't "
        "hasnt hasn't hadnt hadn't aint ain't neednt needn't mustnt mustn't rarely seldom "
        "hardly barely".split()
    ),
    "it": frozenset(
        "non mai nessun nessuno nessuna niente nulla né ne senza neanche nemmeno neppure "
        "manco zero".split()
    ),
}

# Words that raise (positive) or lower (negative) the intensity of the next sentiment word.
BOOSTERS = {
    "en": {
        **dict.fromkeys(
            "absolutely amazingly awfully completely considerably decidedly deeply "
            "enormously entirely especially exceptionally extremely fabulously flipping "
            "fully greatly highly hugely incredibly intensely majorly more most particularly "
            "purely quite really remarkably so substantially thoroughly totally tremendously "
            "uber unbelievably unusually utterly very super truly seriously".split(),
            0.293,
        ),
        **dict.fromkeys(
            "almost barely hardly kinda kindof less little marginally occasionally partly "
            "scarcely slightly somewhat sorta".split(),
            -0.293,
        ),
    },
    "it": {
        **dict.fromkeys(
            "molto davvero veramente proprio troppo tanto tantissimo super estremamente "
            "assolutamente decisamente parecchio completamente totalmente altamente "
            "particolarmente incredibilmente terribilmente enormemente così cosi "
            "alquanto".split(),
            0.293,
        ),
        **dict.fromkeys("poco abbastanza leggermente piuttosto pò po quasi".split(), -0.293),
    },
}

# Words after which the sentiment counts more, before which it counts less ("bello, ma...").
CONTRASTS = {
    "en": frozenset({"but", "however", "though", "yet", "unfortunately"}),
    "it": frozenset({"ma", "però", "pero", "tuttavia", "purtroppo", "peccato", "eppure"}),
}


@dataclass(frozen=True)
class Lexicon:
    """Everything the valence scorer needs for one language."""

    valences: dict[str, float]
    negators: frozenset[str]
    boosters: dict[str, float]
    contrasts: frozenset[str]
    phrase_starts: frozenset[str]  # first words of multi-word entries


@cache
def lexicon_for(language: str) -> Lexicon:
    """Return the (cached) lexicon for ``"en"`` or ``"it"``."""
    if language == "en":
        return _lexicon(_english_valences(), NEGATORS["en"], BOOSTERS["en"], CONTRASTS["en"])
    return _lexicon(
        {fold_accents(word): value for word, value in _italian_valences().items()},
        frozenset(map(fold_accents, NEGATORS["it"])),
        {fold_accents(word): value for word, value in BOOSTERS["it"].items()},
        frozenset(map(fold_accents, CONTRASTS["it"])),
    )


def _lexicon(valences, negators, boosters, contrasts) -> Lexicon:
    valences.update(_read_tsv(DATA_DIR / "emoji_lexicon.tsv"))
    phrase_starts = frozenset(entry.split(" ")[0] for entry in valences if " " in entry)
    return Lexicon(valences, negators, boosters, contrasts, phrase_starts)


def _english_valences() -> dict[str, float]:
    valences = {}
    with open(DATA_DIR / "vader_lexicon.txt", encoding="utf-8") as lines:
        for line in lines:
            word, value = line.split("\t")[:2]
            valences[word] = float(value)
    for word, value in _read_tsv(DATA_DIR / "pattern_en_lexicon.tsv").items():
        valences.setdefault(word, value * PATTERN_EN_SCALE)
    valences.update(_read_tsv(DATA_DIR / "en_review_lexicon.tsv"))
    return valences


def _italian_valences() -> dict[str, float]:
    valences = {
        word: value * PATTERN_IT_SCALE
        for word, value in _read_tsv(DATA_DIR / "pattern_it_lexicon.tsv").items()
    }
    for word, value in _read_tsv(DATA_DIR / "it_review_lexicon.tsv").items():
        if word.endswith("*"):  # "stem*" stands for stem + o, a, i, e
            stem = word[:-1]
            for ending in _IT_ENDINGS:
                valences[stem + ending] = value
        else:
            valences[word] = value
    return valences


def _read_tsv(path: Path) -> dict[str, float]:
    """Read ``word<TAB>value`` lines, skipping blank lines and ``#`` comments."""
    entries = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                word, value = line.rsplit("\t", 1)
                entries[word.strip()] = float(value)
    return entries
