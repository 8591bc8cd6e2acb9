"""The detector as people and scripts use it: `monitor classify`, `monitor evaluate`,
and staff labels that re-classification never overrides."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def test_classify_gives_bad_input_a_verdict_or_an_error_of_its_own_line(monitor_cli):
    texts = ["", "Il pacco è arrivato in ritardo e rotto. " * 26_000,  # 1 MB
             bytes(range(256)).decode("latin-1") * 50, "😡😡😡🤬", "Посылка так и не пришла",
             "荷物が届きません", "\x00\x01 ok \ud800"]
    lines = [json.dumps({"text": text}) for text in texts] + ["{broken", '{"text": 5}']
    result = monitor_cli("classify", input="\n".join(lines) + "\n")

    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(lines)
    verdicts, errors = answers[:len(texts)], answers[len(texts):]
    assert all(set(v) >= {"negative", "severity", "model", "language"} for v in verdicts)
    assert verdicts[1]["negative"] is True and "delivery" in verdicts[1]["categories"]
    assert verdicts[3]["negative"] is True
    assert [e["line"] for e in errors] == [len(texts) + 1, len(texts) + 2]


def test_classify_reads_json_lines_and_answers_each_in_order(monitor_cli):
    lines = [
        json.dumps({"text": "Il pacco non è mai arrivato e nessuno risponde alle email."}),
        "this is not json",
        json.dumps({"text": "Not bad at all, arrived quickly.", "rating": 5}),
        json.dumps({"rating": 2}),
    ]
    result = monitor_cli("classify", input="\n".join(lines) + "\n")

    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 4
    assert answers[0]["negative"] is True and answers[0]["language"] == "it"
    assert "delivery" in answers[0]["categories"] and answers[0]["reasons"]
    assert "error" in answers[1] and answers[1]["line"] == 2
    assert answers[2]["negative"] is False
    assert "error" in answers[3] and "text" in answers[3]["error"]


def test_evaluate_against_a_file(monitor_cli, tmp_path):
    data = tmp_path / "labels.jsonl"
    data.write_text("\n".join(json.dumps(row) for row in [
        {"text": "Still waiting for my refund after a month.", "negative": True},
        {"text": "Lovely shop, fast delivery, thank you!", "negative": False},
    ]) + "\n")
    result = monitor_cli("evaluate", "--file", str(data))
    assert result.returncode == 0, result.stderr
    assert "2 texts" in result.stdout and "F1 1.000" in result.stdout


def test_a_staff_label_survives_rescans_and_is_evaluated(
        site, settings_file, monitor_cli, rss, posts):
    url = site.add("/feed.xml", rss(posts.praise_en))
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}])
    assert monitor_cli("scan", config=config).returncode == 0
    mention = json.loads(monitor_cli("mentions", "--json", config=config).stdout)
    assert mention["negative"] is False

    marked = monitor_cli("mentions", "mark", str(mention["id"]), "--negative", config=config)
    assert marked.returncode == 0, marked.stderr
    edited = {**posts.praise_en, "description": posts.praise_en["description"] + " Five stars."}
    site.add("/feed.xml", rss(edited))
    assert "1 updated" in monitor_cli("scan", config=config).stdout

    negatives = monitor_cli("mentions", "--negative", "--json", config=config).stdout
    assert json.loads(negatives)["id"] == mention["id"]
    report = monitor_cli("evaluate", config=config)
    assert report.returncode == 0 and "stored human labels: 1 texts" in report.stdout
    assert "fn 1" in report.stdout
    missing = monitor_cli("mentions", "mark", "999", "--negative", config=config)
    assert missing.returncode == 2 and "no mention with id 999" in missing.stderr
