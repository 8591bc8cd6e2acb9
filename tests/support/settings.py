"""settings.toml files for tests and benchmarks: a fast crawl, the given sources and
sections."""

from __future__ import annotations

import json
from pathlib import Path


def toml_value(value) -> str:
    """A Python value as TOML (strings, numbers, booleans, lists and flat tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_settings(path: Path, *, sources=(), brand: str | dict = "Bottega Aurora",
                   **sections) -> Path:
    """Write a settings.toml for tests: fast crawl, the given sources and sections.

    `brand` is the brand's name, or a [brand] table (name defaults to Bottega Aurora).
    """
    brand = {"name": "Bottega Aurora", **brand} if isinstance(brand, dict) else {"name": brand}
    tables = {"brand": brand,
              "crawl": {"download_delay": 0, "timeout": 5, "retries": 0,
                        **sections.pop("crawl", {})}}
    tables.update(sections)
    lines = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in table.items()]
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{key} = {toml_value(value)}" for key, value in source.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
