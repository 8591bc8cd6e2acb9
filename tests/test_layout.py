"""The layout stays true: one folder per stage of a mention's life, imports pointing one
way along the path, no import circles, no module over 400 lines.

A module may import its own room and the rooms before it in ROOMS, never one after it:
the spiders know nothing of monitor, the detector nothing of the database, the storage
nothing of the scan, the digest or the inbox that use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The path of a mention, in order; the scan (collect) carries each entry from the spiders
# through detect into storage, so it comes after the stages it drives.
ROOMS = (
    "spiders",  # fetch and extract (Scrapy)
    "monitor.i18n",  # the words and formats of every language, for every stage that shows text
    "monitor.config", "monitor.resources",  # the settings file and shipped files
    "monitor.detect",  # match the brand, classify
    "monitor.storage",  # store (all SQL)
    "monitor.collect",  # the scan: spiders -> detect -> storage
    "monitor.notify",  # digest and alerts
    "monitor.followup",  # follow-ups and the web inbox
    "monitor.service",  # monitor run, status, retention
    "monitor.demo",
    "monitor.cli",
    "monitor.__main__",
)
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for package in ("monitor", "spiders"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """Every project module the file `path` imports, at the top or inside a function."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    return imports_in(path.read_text(encoding="utf-8"), package, known)


def imports_in(source: str, package: str, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that `source`, a module of `package`, imports."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name in known}


def test_every_import_of_a_project_module_resolves():
    """A module moved without its importers being updated fails here, not at run time."""
    known = modules()
    broken = []
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                wanted = [node.module] + [f"{node.module}.{a.name}" for a in node.names
                                          if node.module in ("monitor", "spiders")]
            elif isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            else:
                continue
            broken += [f"{name}: {target}" for target in wanted
                       if target.split(".")[0] in ("monitor", "spiders") and target not in known]
    assert not broken, "\n".join(broken)


def room_of(module: str) -> int:
    for rank, room in enumerate(ROOMS):
        if module == room or module.startswith(room + "."):
            return rank
    raise AssertionError(f"{module} is in no room: add it to ROOMS or move it into one")


def test_every_module_is_in_a_room():
    for name in modules():
        if name != "monitor":
            room_of(name)


def test_imports_point_one_way_along_the_path():
    known = modules()
    backwards = []
    for name, path in known.items():
        if name == "monitor":
            continue
        for target in imported_modules(path, known):
            if target != "monitor" and room_of(target) > room_of(name):
                backwards.append(f"{name} imports {target}, a later stage")
    assert not backwards, "\n".join(backwards)


def test_no_module_imports_itself_back_through_others():
    """No circle among the modules' imports, counting those inside functions."""
    known = modules()
    graph = {name: imported_modules(path, known) - {name, "monitor"}
             for name, path in known.items()}
    # A package's __init__ that imports its own modules is not part of a circle with them.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not t.startswith(name + ".")}
    circles = find_circles(graph)
    assert not circles, "\n".join(circles)


def find_circles(graph: dict[str, set[str]]) -> list[str]:
    """Each import circle of `graph` (module -> modules it imports), as "a -> b -> a"."""
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                circles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return circles


def test_the_circle_finder_finds_the_old_cli_circle():
    graph = {"monitor.cli": {"monitor.cli_mail"}, "monitor.cli_mail": {"monitor.cli"},
             "monitor.config": set()}
    assert find_circles(graph) == ["monitor.cli -> monitor.cli_mail -> monitor.cli"]


@pytest.mark.parametrize("package", ["monitor", "spiders", "tests", "bench", "tools"])
def test_every_module_is_under_400_lines(package):
    long = [f"{path.relative_to(ROOT)}: {count} lines"
            for path in sorted((ROOT / package).rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) >= MAX_LINES]
    assert not long, "\n".join(long)


def test_the_checker_sees_backward_imports_even_inside_functions():
    known = modules()
    source = "def f():\n    from monitor.notify.digest import Digest\n    from . import schema\n"
    targets = imports_in(source, "monitor.storage", known)
    assert targets == {"monitor.notify.digest", "monitor.storage", "monitor.storage.schema"}
    assert room_of("monitor.notify.digest") > room_of("monitor.storage.schema")


def test_tests_mirror_the_folders_and_share_through_fixtures():
    """A test module imports from tests/ only its own folder's helpers; what folders
    share comes as fixtures from tests/conftest.py (built on tests/support/)."""
    rooms = {"spiders", "detect", "storage", "collect", "notify", "followup", "service", "cli"}
    tests = ROOT / "tests"
    assert {p.name for p in tests.iterdir() if (p / "__init__.py").exists()} - {"support"} \
        <= rooms
    crossing = []
    for path in sorted(tests.rglob("test_*.py")):
        folder = ".".join(path.relative_to(ROOT).parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
                if not node.module.startswith(folder + ".") or node.module == folder:
                    crossing.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert not crossing, "\n".join(crossing)
