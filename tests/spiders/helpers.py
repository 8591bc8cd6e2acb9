"""Helpers for the spiders' tests: mentions as `monitor mentions --json` lists them, and
real-world material from ../shared/realworld."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SCHEMAORG_EXAMPLES = SHARED / "realworld/schemaorg/data/releases/30.0/schemaorg-all-examples.txt"
EVALDATA = SHARED / "realworld/trafilatura/tests/evaldata.json"
# Words nearly every text has, so that every post and comment is stored and can be checked.
COMMON_WORDS = ["the", "and", "die", "und", "der", "il", "la", "di", "is", "I", "a"]


def mentions(monitor_cli, config) -> list[dict]:
    result = monitor_cli("mentions", "--json", config=config)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def by_source(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["source"], []).append(row)
    return grouped


def schemaorg_example(number: str, syntax: str) -> str:
    """The MICRODATA or JSON block of one official schema.org example, as a page."""
    if not SCHEMAORG_EXAMPLES.exists():
        pytest.skip(f"real-world material not found at {SCHEMAORG_EXAMPLES}")
    text = SCHEMAORG_EXAMPLES.read_text(encoding="utf-8")
    block = text[text.index(f"TYPES: #eg-{number} "):]
    block = block[:block.index("TYPES:", 10)]
    part = block.split(f"{syntax}:", 1)[1]
    for end in ("RDFA:", "JSON:"):
        part = part.split(end, 1)[0]
    return f"<!DOCTYPE html><html><head></head><body>{part}</body></html>"


def expectations(files: list[str]) -> dict[str, dict]:
    """What trafilatura's evaldata.json says each of `files` must and must not yield."""
    if not EVALDATA.exists():
        pytest.skip(f"real-world material not found at {EVALDATA}")
    data = json.loads(EVALDATA.read_text(encoding="utf-8"))
    return {item["file"]: item for item in data.values() if item["file"] in files}


def with_aliases(config: Path, words: list[str]) -> Path:
    """`config` with `words` as the brand's aliases."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[brand]\n", f"[brand]\naliases = {json.dumps(words)}\n"),
                      encoding="utf-8")
    return config
