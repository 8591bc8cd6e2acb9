"""Behaviour of the negative-mention detector (monitor.detect.classify), in Italian and English."""

import json
import re

import numpy as np
import pytest

from monitor.detect.classify import (
    CATEGORIES,
    SEVERITIES,
    Verdict,
    classify,
    classify_json_lines,
    evaluate_file,
    evaluate_pairs,
)
from monitor.detect.encoder import encoder_problem


@pytest.mark.parametrize(
    "text",
    [
        "Il pacco non è mai arrivato.",
        "Sto ancora aspettando il rimborso.",
        "Nessuno risponde alle email.",
        "Il codice di tracking non funziona.",
        "Mi hanno addebitato due volte lo stesso ordine.",
        "Pacco arrivato con la scatola distrutta.",
        "Still waiting for my refund.",
        "My order never arrived.",
        "The tracking code doesn't work.",
        "Nobody answers the phone.",
        "I was charged twice for the same order.",
        "The box arrived damaged.",
    ],
)
def test_neutral_tone_complaints_are_negative(text):
    assert classify(text).negative


@pytest.mark.parametrize(
    "text",
    [
        "Non è affatto male.",
        "Niente male davvero.",
        "Nessun problema, tutto perfetto.",
        "Non ho mai avuto problemi con questo negozio.",
        "Not bad at all.",
        "No problems at all, it does exactly what it says.",
        "I never had any problem with this shop.",
        "Nothing to complain about.",
        "Nothing has broken so far.",
        "I can't fault it.",
        "Non si è mai rotto.",
        "Niente da criticare.",
    ],
)
def test_praise_with_negative_words_is_not_negative(text):
    assert not classify(text).negative


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Nothing has broken so far.", None),
        ("The box wasn't damaged.", None),
        ("Non si è mai rotto.", None),
        ("Arrived without a box and broken.", "broken"),
        ("Not broken, but the lid is cracked.", "cracked"),
        ("Il pacco non è mai arrivato.", "non e mai arrivato"),
    ],
)
def test_a_negation_just_before_a_complaint_denies_it(text, complaint):
    """Only within its clause, and never when the complaint is itself a negation."""
    words = [r.split('"')[1] for r in classify(text).reasons if r.startswith("complaint:")]
    assert (complaint in words) if complaint else not words, words


@pytest.mark.parametrize(
    "text",
    [
        "They've never answered my emails.",
        "The shop still hasn't replied to my three emails.",
        "Nessuno ha ancora risposto alla mia mail.",
        "Non hanno mai risposto alle mie email.",
    ],
)
def test_unanswered_messages_match_a_customer_service_rule(text):
    reasons = classify(text).reasons
    assert any(r.startswith("complaint:") and "(customer_service)" in r for r in reasons), reasons


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("Bello, ma si è rotto dopo due giorni.", True),
        ("Il prodotto è bello ma la consegna è stata un disastro.", True),
        ("Un po' caro, ma la qualità si vede.", False),
        ("Great product but it stopped working after a week.", True),
        ("A bit pricey, but worth every penny.", False),
    ],
)
def test_contrast_weighs_the_second_half(text, negative):
    assert classify(text).negative is negative


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("Non buono.", True),
        ("Non mi è piaciuto per niente.", True),
        ("Not good.", True),
        ("Not bad.", False),
        ("Ottimo.", False),
        ("Pessimo.", True),
        ("Very good.", False),
    ],
)
def test_negation_flips_sentiment_words(text, negative):
    assert classify(text).negative is negative


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("Grazie tante, il pacco è ancora fermo in deposito.", True),
        ("Thanks for nothing.", True),
        ("😡😡😡", True),
        ("Consegna ok 👍", False),
        ("Amazing... it broke after one day. Great job 🙄", True),
    ],
)
def test_irony_markers_and_emoji(text, negative):
    assert classify(text).negative is negative


@pytest.mark.parametrize(
    ("text", "rating", "best", "negative"),
    [
        ("Ottimo prodotto, consigliato!", 1, None, True),
        ("Great product, love it!", 2, 5, True),
        ("Great product, love it!", 4, 10, True),  # 2 of 5 once scaled
        ("Buono, ma il pacco non è mai arrivato completo.", 3, None, True),
        ("It's fine.", 3, None, False),
        ("Va bene.", 3, None, False),
        ("Terribile musica di sottofondo nello spot, ma il prodotto è ottimo.", 5, None, False),
        ("Five stars, but my refund never arrived for the other order.", 5, None, True),
        ("Perfect.", 10, 10, False),
    ],
)
def test_star_rating_counts(text, rating, best, negative):
    verdict = classify(text, rating=rating, best_rating=best)
    assert verdict.negative is negative
    assert any(reason.startswith("rating ") for reason in verdict.reasons)


@pytest.mark.parametrize(
    ("text", "severity", "category"),
    [
        ("Truffa! Ho pagato e non ho ricevuto niente, ho fatto denuncia.", "critical", "fraud"),
        ("This shop is a scam.", "critical", "fraud"),
        ("If I don't get my money back I will contact my lawyer.", "critical", None),
        ("Se non mi rimborsate, chiamo l'avvocato.", "critical", None),
        ("Nessuna risposta dall'assistenza clienti.", None, "customer_service"),
        ("Il caricabatterie ha preso fuoco.", "critical", "product"),
        ("The charger caught fire!", "critical", "product"),
        ("Il pacco non è mai arrivato.", "high", "delivery"),
        ("Still waiting for my refund.", "high", "refund_return"),
        ("Nessuno risponde alle email.", None, "customer_service"),
        ("Il codice di tracking non funziona.", None, "tracking"),
        ("I was charged twice.", "high", "payment"),
        ("Pacco arrivato con la scatola distrutta.", None, "packaging"),
        ("Troppo caro per quello che offre.", None, "price"),
    ],
)
def test_severity_and_categories_of_clear_cases(text, severity, category):
    verdict = classify(text)
    assert verdict.negative
    if severity:
        assert verdict.severity == severity
    if category:
        assert category in verdict.categories


@pytest.mark.parametrize(
    "text",
    [
        "Acme has opened a second warehouse near Bologna to speed up shipping to Germany.",
        "Acme will be closed on 25 and 26 December; orders placed then ship on the 27th.",
        "You can send items back within 30 days for a full refund.",
        "The new Acme catalogue is out, with 200 products for the garden.",
        "Does anyone know if Acme delivers to Ireland?",
        "Acme ha aperto un secondo magazzino vicino a Bologna per spedire prima in Germania.",
        "Il negozio Acme resterà chiuso il 25 e 26 dicembre, gli ordini partiranno il 27.",
        "Puoi restituire gli articoli entro 30 giorni e avere il rimborso completo.",
        "È uscito il nuovo catalogo Acme con 200 prodotti per il giardino.",
        "Qualcuno sa se Acme spedisce anche in Irlanda?",
    ],
)
def test_neutral_mentions_are_not_negative(text):
    """News, announcements, policies and questions need no follow-up, even when they speak
    of refunds, returns or shipping."""
    assert not classify(text).negative


def test_non_negative_mentions_are_low_severity_without_categories():
    verdict = classify("Ottimo prodotto, arrivato in anticipo.")
    assert (verdict.negative, verdict.severity, verdict.categories) == (False, "low", ())


@pytest.mark.parametrize(
    "text",
    [
        "Il pacco non è mai arrivato e nessuno risponde.",
        "Great product, love it!",
        "",
        "!!!",
        "x" * 5000,
        "Sehr gut, danke",
    ],
)
def test_verdict_fields_are_well_formed(text):
    verdict = classify(text)
    assert isinstance(verdict, Verdict)
    assert re.fullmatch(r"[a-z]{2,3}|other", verdict.language)
    assert verdict.model in ("e5-2", "fast-2")
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.severity in SEVERITIES
    assert set(verdict.categories) <= set(CATEGORIES)
    assert list(verdict.categories) == sorted(verdict.categories, key=CATEGORIES.index)
    assert all(isinstance(reason, str) for reason in verdict.reasons)
    assert verdict.negative == (verdict.severity != "low")


def test_reasons_name_the_deciding_words():
    reasons = classify("Il pacco non è mai arrivato", rating=3).reasons
    assert "rating 3/5" in reasons
    assert 'complaint: "non e mai arrivato" (delivery)' in reasons
    assert any(r.startswith("negation:") for r in classify("non è affatto male").reasons)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Il pacco non è mai arrivato", "it"),
        ("pessimo", "it"),
        ("Still waiting for my refund", "en"),
        ("ok", "en"),
        ("Sehr schlecht, nie wieder bestellt", "de"),
        ("Très bon produit, livraison rapide", "fr"),
        ("😡😡😡 !!!", "other"),
    ],
)
def test_language_is_detected(text, language):
    assert classify(text).language == language


@pytest.mark.parametrize(("given", "expected"),
                         [("it", "it"), ("EN-gb", "en"), ("de", "de"), ("?!", "other")])
def test_language_given_by_caller_is_used(given, expected):
    assert classify("ok", language=given).language == expected


def test_json_lines_keep_order_and_report_bad_lines():
    lines = [
        json.dumps({"text": "Il pacco non è mai arrivato"}),
        json.dumps({"text": "Great!", "rating": 1}),
        "not json",
        "",
        json.dumps(["a list"]),
        json.dumps({"rating": 2}),
        json.dumps({"text": 3}),
        json.dumps({"text": "ok", "rating": "five"}),
        json.dumps({"text": "ok", "rating": 4, "best_rating": 0}),
        json.dumps({"text": "ok", "language": 7}),
        json.dumps({"text": "Grazie", "rating": 5, "best_rating": 5, "language": "it"}),
    ]
    results = [json.loads(line) for line in classify_json_lines(lines)]
    assert len(results) == len(lines)
    assert results[0]["negative"] is True and results[0]["language"] == "it"
    assert results[1]["negative"] is True and "rating 1/5" in results[1]["reasons"]
    assert set(results[0]) == {
        "language", "negative", "score", "severity", "categories", "reasons", "model"
    }  # fmt: skip
    errors = {result["line"]: result["error"] for result in results if "error" in result}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "not valid JSON" in errors[3]
    assert "blank line" in errors[4]
    assert "JSON object" in errors[5]
    assert '"text" is missing' in errors[6]
    assert '"text"' in errors[7] and "string" in errors[7]
    assert '"rating" must be a number' in errors[8]
    assert '"best_rating"' in errors[9]
    assert '"language"' in errors[10]
    assert results[10]["negative"] is False


def test_evaluate_pairs_counts_the_negative_class():
    scores = evaluate_pairs([(True, True), (True, False), (False, True), (False, False)] * 2)
    assert (scores.tp, scores.fp, scores.fn, scores.tn, scores.count) == (2, 2, 2, 2, 8)
    assert scores.precision == scores.recall == scores.f1 == 0.5
    assert evaluate_pairs([]).f1 == 0.0


def test_evaluate_file_scores_and_names_bad_lines(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps({"text": "Il pacco non è mai arrivato", "negative": True})
        + "\n\n"
        + json.dumps({"text": "Ottimo, consigliato", "negative": False, "rating": 5})
        + "\n",
        encoding="utf-8",
    )
    scores = evaluate_file(good)
    assert (scores.tp, scores.tn, scores.count) == (1, 1, 2)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "ok", "negative": "yes"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl, line 1: .*negative"):
        evaluate_file(bad)


@pytest.mark.skipif(encoder_problem() is not None, reason="the encoder cannot run here")
@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("Das Paket kam nie an und der Kundenservice antwortet nicht.", True),
        ("Le colis est arrivé cassé et personne ne répond à mes e-mails.", True),
        ("El pedido llegó tarde y nadie contesta al teléfono.", True),
        ("Sehr gute Qualität, schnelle Lieferung, gerne wieder.", False),
        ("Produit conforme, livraison rapide, je recommande.", False),
        ("Todo perfecto, muy contento con la compra.", False),
    ],
)
def test_german_french_and_spanish_get_a_real_verdict_from_the_encoder(text, negative):
    verdict = classify(text)
    assert verdict.model == "e5-2" and verdict.negative is negative, verdict


def test_a_given_embedding_is_used_and_nothing_is_encoded(stand_in_encoder):
    text = "Il pacco non è mai arrivato."
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    verdict = classify(text, embedding=vector)
    assert stand_in_encoder == [] and verdict.model == "e5-2"
    classify(text)
    assert stand_in_encoder == [text]


def test_the_encoder_s_view_is_among_the_reasons(stand_in_encoder):
    reasons = classify("Still waiting for my refund.").reasons
    assert any(reason.startswith("sentence encoder (e5-2): ") for reason in reasons), reasons
