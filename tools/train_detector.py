"""Train the detector's small logistic models and write monitor/detector_data/<lang>_model.json.

English: the movie-review, tweet and NYT-editorial ground truth of the vaderSentiment 3.3.2
source archive (MIT; the Amazon file is left out on purpose, since the development set comes
from it), the UCI "Sentiment Labelled Sentences" (Amazon, Yelp and IMDb review sentences,
Kotzias et al. 2015, CC BY 4.0) as shipped in the test fixtures of the npm package
sentiment 5.0.2 (MIT), plus the sentences the team wrote in tools/training/en_examples.jsonl.
Italian: only the team's own tools/training/it_examples.jsonl.
The development set (../shared/eval) and tests/data are never read here.

Usage (needs scikit-learn, from the optional "train" extra):
    python tools/train_detector.py                 # downloads the vaderSentiment sdist with pip
    python tools/train_detector.py --vader-sdist vaderSentiment-3.3.2.tar.gz \
        --sentiment-npm sentiment-5.0.2.tgz          # (npm pack sentiment@5.0.2)
"""

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.detector.lexicons import DATA_DIR, lexicon_for  # noqa: E402
from monitor.detector.model import word_features  # noqa: E402
from monitor.detector.text import normalize, tokenize  # noqa: E402
from monitor.detector.valence import score_tokens  # noqa: E402

TRAINING_DIR = Path(__file__).resolve().parent / "training"
VADER_FILES = (
    "movieReviewSnippets_GroundTruth.txt",
    "tweets_GroundTruth.txt",
    "nytEditorialSnippets_GroundTruth.txt",
)
AMBIGUOUS = 0.5  # like the dev set: drop items whose mean rating is within +-0.5 of 0
MIN_DOCUMENT_FREQUENCY = {"en": 3, "it": 2}
TEAM_EXAMPLE_WEIGHT = {"en": 3.0, "it": 1.0}
UCI_FILES = ("amazon.json", "yelp.json", "imdb.json")  # in package/test/fixtures/
UCI_WEIGHT = 3.0  # real review sentences, the detector's domain (chosen by cross-validation)
NEUTRAL_WEIGHT = 3.0
REGULARISATION = (0.05, 0.1, 0.3, 1.0)
MIN_WEIGHT = 0.02
POSITIVE_KEY, NEGATIVE_KEY = "__lexicon_positive", "__lexicon_negative"
# With a couple of hundred Italian sentences, weights on function words are noise that adds up
# over a long review; Italian features made only of these words are dropped.
ITALIAN_FUNCTION_WORDS = frozenset(
    "il lo la i gli le l un uno una di a da in con su per tra fra e ed o ma che chi cui mi ti "
    "si ci vi ne sono ho ha hanno abbiamo avete era erano del dello della dei degli delle al "
    "allo alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella nei negli nelle "
    "sul sullo sulla sui sugli sulle c mio mia miei mie tuo tua suo sua nostro nostra loro "
    "questo questa questi queste quello quella quelli quelle come anche ed io tu lui lei noi "
    "voi essere avere stato stata sta sto fa ad ? ! . ,".split()
)


def vader_examples(sdist: Path) -> list[tuple[str, bool]]:
    """Labelled sentences from the ground-truth files inside the vaderSentiment sdist."""
    examples = []
    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
        inner_bytes = outer.extractfile(member).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for member in inner.getmembers():
            if Path(member.name).name in VADER_FILES:
                text = inner.extractfile(member).read().decode("utf-8", errors="replace")
                examples += _ground_truth(text)
    return examples


def uci_examples(tarball: Path) -> list[tuple[str, bool]]:
    """The UCI labelled review sentences in the npm ``sentiment`` package's test fixtures
    (``{"text": ..., "class": 0|1}``, 0 = negative)."""
    examples = []
    with tarfile.open(tarball) as archive:
        for name in UCI_FILES:
            rows = json.load(archive.extractfile(f"package/test/fixtures/{name}"))
            examples += [(row["text"], row["class"] == 0) for row in rows]
    return examples


def _ground_truth(text: str) -> list[tuple[str, bool]]:
    examples = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and abs(float(parts[1])) >= AMBIGUOUS:
            examples.append((parts[2], float(parts[1]) < 0))
    return examples


def team_examples(language: str) -> list[tuple[str, bool, float]]:
    """Sentences the team wrote for training, tools/training/<language>_examples.jsonl, with
    their weight: neutral mentions (``"neutral": true``) count NEUTRAL_WEIGHT times, since a
    monitor sees many more of them than a review site does."""
    path = TRAINING_DIR / f"{language}_examples.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    weight = TEAM_EXAMPLE_WEIGHT[language]
    return [
        (row["text"], row["negative"], weight * (NEUTRAL_WEIGHT if row.get("neutral") else 1.0))
        for row in rows
    ]


def featurise(text: str, language: str) -> dict[str, float]:
    """The same features ``monitor.detector.core`` computes at run time."""
    lexicon = lexicon_for(language)
    tokens = tokenize(normalize(text, language), language)
    valence = score_tokens(tokens, lexicon)
    features = dict.fromkeys(word_features(tokens, lexicon.negators), 1.0)
    features[POSITIVE_KEY] = valence.positive
    features[NEGATIVE_KEY] = valence.negative
    return features


def train(language: str, examples: list[tuple[str, bool, float]]) -> dict:
    """Fit a logistic regression, choosing its regularisation by 5-fold cross-validation."""
    rows = [featurise(text, language) for text, _, _ in examples]
    rows = _drop_rare(rows, MIN_DOCUMENT_FREQUENCY[language])
    if language == "it":
        rows = [{k: v for k, v in row.items() if not _only_function_words(k)} for row in rows]
    labels = [negative for _, negative, _ in examples]
    weights = [weight for _, _, weight in examples]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    best_c = max(REGULARISATION, key=lambda c: _cv_f1(c, matrix, labels))
    model = LogisticRegression(C=best_c, max_iter=2000)
    model.fit(matrix, labels, sample_weight=weights)
    print(f"{language}: {len(examples)} examples, {matrix.shape[1]} features, C={best_c}")
    return _to_json(vectorizer.get_feature_names_out(), model)


def _cv_f1(c: float, matrix, labels: list[bool]) -> float:
    model = LogisticRegression(C=c, max_iter=2000)
    score = cross_val_score(model, matrix, labels, cv=5, scoring="f1").mean()
    print(f"  C={c}: cross-validated F1 {score:.3f}")
    return score


def _only_function_words(feature: str) -> bool:
    words = feature.removeprefix("NOT_").split(" ")
    return all(word in ITALIAN_FUNCTION_WORDS for word in words)


def _drop_rare(rows: list[dict], min_frequency: int) -> list[dict]:
    counts: dict[str, int] = {}
    for row in rows:
        for key in row:
            counts[key] = counts.get(key, 0) + 1
    keep = {key for key, count in counts.items() if count >= min_frequency}
    keep |= {POSITIVE_KEY, NEGATIVE_KEY}
    return [{key: value for key, value in row.items() if key in keep} for row in rows]


def _to_json(names, model: LogisticRegression) -> dict:
    coefficients = dict(zip(names, model.coef_[0], strict=True))
    words = {
        name: round(float(weight), 3)
        for name, weight in sorted(coefficients.items())
        if abs(weight) >= MIN_WEIGHT and name not in (POSITIVE_KEY, NEGATIVE_KEY)
    }
    return {
        "bias": round(float(model.intercept_[0]), 4),
        "positive": round(float(coefficients.get(POSITIVE_KEY, 0.0)), 4),
        "negative": round(float(coefficients.get(NEGATIVE_KEY, 0.0)), 4),
        "weights": words,
    }


def download_vader_sdist(folder: Path) -> Path:
    """Fetch the vaderSentiment 3.3.2 source archive from the package index with pip."""
    command = [sys.executable, "-m", "pip", "download", "vaderSentiment==3.3.2", "--no-deps"]
    command += ["--no-binary", ":all:", "--dest", str(folder), "--quiet"]
    subprocess.run(command, check=True)
    return next(folder.glob("vaderSentiment-3.3.2.tar.gz"))


def main() -> None:
    """Train both models and write them to monitor/detector_data/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vader-sdist", type=Path, help="vaderSentiment-3.3.2.tar.gz")
    parser.add_argument("--sentiment-npm", type=Path, help="sentiment-5.0.2.tgz (npm pack)")
    parser.add_argument("--languages", default="en,it")
    args = parser.parse_args()
    for language in args.languages.split(","):
        examples = team_examples(language)
        if language == "en":
            examples += [(t, n, 1.0) for t, n in _vader(args.vader_sdist)]
            examples += [(t, n, UCI_WEIGHT) for t, n in _uci(args.sentiment_npm)]
        model = train(language, examples)
        path = DATA_DIR / f"{language}_model.json"
        path.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"  wrote {path} ({len(model['weights'])} word weights)")


def _vader(sdist: Path | None) -> list[tuple[str, bool]]:
    if sdist:
        return vader_examples(sdist)
    with tempfile.TemporaryDirectory() as folder:
        return vader_examples(download_vader_sdist(Path(folder)))


def download_sentiment_npm(folder: Path) -> Path:
    """Fetch the npm package sentiment 5.0.2 (its tarball holds the UCI sentences) with npm."""
    command = ["npm", "pack", "sentiment@5.0.2", "--silent", "--pack-destination", str(folder)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return next(folder.glob("sentiment-5.0.2.tgz"))


def _uci(tarball: Path | None) -> list[tuple[str, bool]]:
    if tarball:
        return uci_examples(tarball)
    with tempfile.TemporaryDirectory() as folder:
        return uci_examples(download_sentiment_npm(Path(folder)))


if __name__ == "__main__":
    main()
