"""Brand matching: case- and accent-insensitive, whole words, excluded phrases."""

from __future__ import annotations

import pytest

from monitor.detect.matching import BrandMatcher
from spiders.identity import canonical_url, mention_key

MATCHER = BrandMatcher(["Bottega Aurora", "BottegaAurora.it"], exclude=["aurora boreale"])


@pytest.mark.parametrize("text", [
    "Ho comprato da Bottega Aurora ieri",
    "BOTTEGA   AURORA: mai più",
    "bottega àurora, che delusione",
    "ordine su bottegaaurora.it fermo da giorni",
    "(Bottega Aurora)",
])
def test_finds_the_brand(text):
    assert MATCHER.find(text)


@pytest.mark.parametrize("text", [
    "la Bottega Auroraxyz non c'entra",
    "una bottega a Roma",
    "abbiamo visto l'aurora boreale",
    "",
])
def test_ignores_partial_words_and_excluded_phrases(text):
    assert not MATCHER.find(text)


def test_excluded_phrase_does_not_hide_a_real_mention():
    spans = MATCHER.find("Aurora boreale stupenda. Poi ho ordinato da Bottega Aurora.")
    assert len(spans) == 1


def test_spans_point_into_the_original_text():
    text = "Caffè e poi BOTTEGA ÀURORA."
    span = MATCHER.find(text)[0]
    assert text[span.start:span.end] == "BOTTEGA ÀURORA"


def test_snippet_is_cut_around_the_mention():
    text = "parola " * 100 + "Bottega Aurora non risponde" + " fine" * 100
    snippet = MATCHER.snippet(text, size=80)
    assert "Bottega Aurora" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 82


def test_tracking_parameters_do_not_change_identity():
    assert canonical_url("https://Blog.example/p?utm_source=x&id=2&fbclid=9#comment-4") == \
        "https://blog.example/p?id=2#comment-4"
    assert mention_key("https://blog.example/p?utm_medium=rss", "g1") == \
        mention_key("https://blog.example/p", "g1")
    key = mention_key("https://blog.example/p", "g1")
    assert key != mention_key("https://blog.example/p", "g2")
