"""Helpers for the scan's tests: what `monitor mentions --json` and `monitor mentions
sightings --json` list."""

from __future__ import annotations

import json


def mentions(monitor_cli, config, *args: str) -> list[dict]:
    """The stored mentions (with `args`, e.g. "--negative"), newest first."""
    return _json_lines(monitor_cli("mentions", "--json", *args, config=config))


def sightings(monitor_cli, config, mention_id: int) -> list[dict]:
    """Who saw mention `mention_id`, oldest first."""
    return _json_lines(monitor_cli("mentions", "sightings", str(mention_id), "--json",
                                   config=config))


def _json_lines(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]
