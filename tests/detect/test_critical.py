"""Urgent only when it is a complaint: a critical rule (fraud, legal threat, health and
safety) makes a mention critical only in a complaint context, never in neutral text that
names the carabinieri, a hospital or mould."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.detect.classify import classify
from monitor.detect.evidence import fast_evidence
from monitor.detect.language import detect_language

DATA = Path(__file__).parent / "data"
NEUTRAL_SETS = sorted(DATA.glob("*_neutral*.jsonl"))  # real and written neutral text
CRITICAL_COMPLAINTS = [
    "Truffa! Ho pagato e non ho ricevuto niente, ho fatto denuncia.",
    "This shop is a scam.",
    "If I don't get my money back I will contact my lawyer.",
    "Se non mi rimborsate, chiamo l'avvocato.",
    "Il caricabatterie ha preso fuoco.",
    "The charger caught fire!",
    "Ho ordinato il miele due settimane fa: è arrivato con la muffa sul coperchio e "
    "nessuno risponde alle mie mail.",
    "My son had an allergic reaction to the dye in these pyjamas and you ignore my emails.",
]
NEUTRAL_NEWS = [
    "I carabinieri di Borgo San Lorenzo hanno denunciato due giovani sorpresi a rubare rame "
    "da un cantiere ferroviario nella notte tra sabato e domenica.",
    "Inaugurato il nuovo reparto di pediatria dell'ospedale di Vimercate, con 24 posti letto.",
    "Come eliminare la muffa dal bagno: aceto, bicarbonato e una buona aerazione.",
    "A former accountant has been jailed for four years after admitting to a fraud at a "
    "children's charity.",
    "Doctors at a Manchester hospital have published guidance on carbon monoxide poisoning.",
]


def _texts_with_critical_rules(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [row["text"] for row in rows
            if fast_evidence(row["text"], detect_language(row["text"])).critical]


@pytest.mark.parametrize("path", NEUTRAL_SETS, ids=lambda path: path.stem)
def test_no_neutral_text_is_critical(path):
    """Only the texts a critical rule matches can be critical: those are classified."""
    critical = [text for text in _texts_with_critical_rules(path)
                if classify(text).severity == "critical"]
    assert critical == []


@pytest.mark.parametrize("text", NEUTRAL_NEWS)
def test_news_naming_the_police_a_hospital_or_mould_is_not_urgent(text):
    verdict = classify(text)
    assert verdict.severity != "critical", verdict


@pytest.mark.parametrize("text", CRITICAL_COMPLAINTS)
def test_a_complaint_about_fraud_a_lawyer_or_a_hazard_is_critical(text):
    verdict = classify(text)
    assert (verdict.negative, verdict.severity) == (True, "critical"), verdict


def test_a_hazard_asked_about_in_a_question_is_not_critical():
    verdict = classify("Per voi che avete bambini con allergia al nichel: che pentole usate? "
                       "Mi hanno consigliato di evitare l'acciaio.")
    assert verdict.severity != "critical", verdict


def test_a_low_rating_is_a_complaint_context():
    verdict = classify("Odore tossico appena aperto.", rating=1)
    assert verdict.severity == "critical"


def test_the_same_holds_for_the_fast_detector(monitor_cli):
    lines = [json.dumps({"text": text}) for text in CRITICAL_COMPLAINTS + NEUTRAL_NEWS]
    result = monitor_cli("classify", input="\n".join(lines) + "\n",
                         env={"MONITOR_ENCODER": "off"})
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert {verdict["model"] for verdict in verdicts} == {"fast-2"}
    severities = [verdict["severity"] for verdict in verdicts]
    assert severities[:len(CRITICAL_COMPLAINTS)] == ["critical"] * len(CRITICAL_COMPLAINTS)
    assert "critical" not in severities[len(CRITICAL_COMPLAINTS):]
