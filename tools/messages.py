"""Keep the translation catalogues in step with the code (monitor/i18n/locale/).

    python tools/messages.py            # extract, update every .po, compile every .mo
    python tools/messages.py --check    # exit 1 naming what is missing or out of date
    python tools/messages.py --add de   # start the catalogue of a new language

Messages are extracted from the Python code of monitor/ (gettext, ngettext, _ and N_)
and from the Jinja2 templates in templates/ (`_()`, `ngettext()`, `{% trans %}`).
English is the source language: its catalogue's empty translations are filled with the
message itself, so that a shop can reword English too. `make messages` runs the first form.
"""

from __future__ import annotations

import argparse
import copy
import gettext
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "monitor" / "i18n" / "locale"
SOURCE_LANGUAGE = "en"
JINJA = "jinja2.ext:babel_extract"
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true"}
SOURCES = (
    (ROOT / "monitor", [("**.py", "python")], {}),
    (ROOT / "templates", [("**.html", JINJA), ("**.txt", JINJA)],
     {"**.html": JINJA_OPTIONS, "**.txt": JINJA_OPTIONS}),
)


def extract() -> Catalog:
    """Every message of the code and templates, as a catalogue template."""
    template = Catalog(project="monitor", fuzzy=False)
    for directory, method_map, options in SOURCES:
        for filename, line, message, comments, context in extract_from_dir(
                directory, method_map, options_map=options, strip_comment_tags=True):
            where = directory.relative_to(ROOT) / filename
            template.add(message, None, [(str(where), line)], auto_comments=comments,
                         context=context)
    return template


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def update(language: str, template: Catalog) -> Catalog:
    """The catalogue of `language` brought up to date with `template`."""
    path = po_path(language)
    catalogue = (read_catalogue(language) if path.exists() and path.stat().st_size
                 else Catalog(locale=language, project="monitor", fuzzy=False))
    created = catalogue.creation_date  # so that an unchanged catalogue stays unchanged
    catalogue.update(copy.deepcopy(template), no_fuzzy_matching=True,
                     update_header_comment=False)
    catalogue.creation_date = created
    catalogue.obsolete.clear()
    if language == SOURCE_LANGUAGE:
        for message in catalogue:
            if message.id and not _translated(message):
                message.string = message.id
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalogue, width=96, omit_header=False, sort_output=False)
    return catalogue


def compile_mo(language: str) -> bytes:
    """The .mo bytes of the .po of `language`."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(language), use_fuzzy=False)
    return buffer.getvalue()


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def problems(language: str, template: Catalog) -> list[str]:
    """What is wrong with the catalogue of `language`: missing, untranslated or fuzzy
    messages, a .mo that does not say what the .po says."""
    path = po_path(language)
    catalogue = read_catalogue(language)
    found = []
    for message in template:
        if not message.id:
            continue
        mine = catalogue.get(message.id, context=message.context)
        key = message.id if isinstance(message.id, str) else message.id[0]
        if mine is None:
            found.append(f"{path}: missing {key!r}")
        elif mine.fuzzy or not _translated(mine):
            found.append(f"{path}: not translated {key!r}")
    compiled = path.with_suffix(".mo")
    if not compiled.exists():
        found.append(f"{compiled}: missing")
    else:
        with compiled.open("rb") as file:
            shipped = gettext.GNUTranslations(file)._catalog
        fresh = gettext.GNUTranslations(io.BytesIO(compile_mo(language)))._catalog
        if shipped != fresh:
            found.append(f"{compiled}: out of date with its .po")
    return found


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/messages.po"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check only, change nothing")
    parser.add_argument("--add", metavar="LANGUAGE", help="start a catalogue for LANGUAGE")
    args = parser.parse_args()
    template = extract()
    if args.check:
        found = [problem for language in languages() for problem in problems(language,
                                                                                template)]
        print("\n".join(found) or f"{len(template)} messages, catalogues up to date: "
              f"{', '.join(languages())}")
        return 1 if found else 0
    for language in sorted({*languages(), *([args.add] if args.add else [])}):
        update(language, template)
        po_path(language).with_suffix(".mo").write_bytes(compile_mo(language))
        missing = [p for p in problems(language, template) if "not translated" in p]
        print(f"{language}: {len(template)} messages, {len(missing)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
