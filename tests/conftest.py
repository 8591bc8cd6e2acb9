"""Shared fixtures: a real local HTTP site, settings files, and the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sites import LocalSite

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def realworld_site():
    """A local site serving ../shared/realworld (real saved pages nobody here wrote)."""
    root = SHARED / "realworld"
    if not root.is_dir():
        pytest.skip(f"real-world material not found at {root}")
    server = LocalSite(root)
    yield server
    server.close()


@pytest.fixture
def site():
    """A local site with nothing on it yet (add routes with site.add)."""
    server = LocalSite(FIXTURES)
    yield server
    server.close()


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


def write_settings(path: Path, *, sources=(), brand="Bottega Aurora", **sections) -> Path:
    """Write a settings.toml for tests: fast crawl, the given sources and sections."""
    tables = {"brand": {"name": brand, **sections.pop("brand", {})},
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


@pytest.fixture
def settings_file(tmp_path):
    """A function writing tmp_path/settings.toml (see write_settings)."""
    return lambda **kwargs: write_settings(tmp_path / "settings.toml", **kwargs)


def run_monitor(*args: str, config: Path | None = None, timeout: float = 120,
                input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `monitor ARGS` as the user does, in a subprocess."""
    command = [sys.executable, "-m", "monitor"]
    if config is not None:
        command += ["--config", str(config)]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MONITOR_CONFIG", None)
    if env and "MONITOR_CONFIG" in env:
        full_env["MONITOR_CONFIG"] = env["MONITOR_CONFIG"]
    return subprocess.run(command + list(args), capture_output=True, text=True,
                          timeout=timeout, input=input, env=full_env, cwd=ROOT)


@pytest.fixture
def monitor_cli():
    return run_monitor
