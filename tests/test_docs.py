"""Every command explains itself, and the package ships what it needs."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest

from monitor.cli import main

ROOT = Path(__file__).resolve().parents[1]


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path, command", list(all_commands(main)),
                         ids=lambda value: " ".join(value) if isinstance(value, tuple) else "")
def test_every_command_has_help_with_an_example(path, command):
    assert command.help and len(command.help) > 20, f"monitor {' '.join(path)} has no help"
    assert "Example" in command.help, f"monitor {' '.join(path)} has no example"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")
    first_block = [line for line in blocks[1].splitlines()[1:] if line.strip()]
    assert first_block == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_wheel_ships_templates_and_example_settings(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("monitor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("monitor/templates/digest.html", "monitor/templates/digest.txt",
                     "monitor/settings.example.toml", "monitor/demo/sites/giulia/feed.xml",
                     "spiders/sources.py", "monitor/cli/__init__.py",
                     "monitor/i18n/locale/it/LC_MESSAGES/messages.mo",
                     "monitor/followup/web/static/inbox.js"):
        assert required in names


def test_every_file_the_readme_and_contributing_name_exists():
    """Links and `backquoted/paths` in the documents point at files that exist."""
    missing = []
    for document in ("README.md", "CONTRIBUTING.md"):
        text = (ROOT / document).read_text(encoding="utf-8")
        named = set(re.findall(r"\]\(([^)#:]+)\)", text))
        named |= set(re.findall(r"`((?:monitor|spiders|tests|bench|tools|deploy|templates|docs)"
                                r"/[\w./-]+\.\w+)`", text))
        missing += [f"{document}: {path}" for path in sorted(named)
                    if not (ROOT / path).exists()]
    assert not missing, "\n".join(missing)
