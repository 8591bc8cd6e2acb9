"""Test data for follow-ups: a settings file with staff, and a database with complaints."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.config import load_settings
from monitor.storage import Storage
from tests.support.settings import write_settings

STAFF = [{"name": "Anna", "email": "anna@bottega.example"},
         {"name": "Marco", "email": "marco@bottega.example"}]
SOURCES = [{"name": "Recensioni", "type": "reviews", "url": "http://reviews.example/"},
           {"name": "Blog", "type": "feed", "url": "http://blog.example/feed"}]
HOSTILE_TEXT = ('Pacco mai arrivato <script>document.title="pwned"</script>'
                '<img src=x onerror=alert(1)>')


def make_settings(directory: Path, **sections):
    """A settings.toml in `directory` with two staff and two sources; returns Settings."""
    path = write_settings(directory / "settings.toml", sources=SOURCES,
                          storage={"database": "monitor.db"}, **sections)
    text = path.read_text(encoding="utf-8")
    for member in STAFF:
        text += f'[[staff]]\nname = "{member["name"]}"\nemail = "{member["email"]}"\n'
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def add_mention(storage: Storage, key: str, *, source: str = "Recensioni", title: str = "",
                text: str = "", negative: bool = True, severity: str = "medium",
                categories=("delivery",), url: str | None = None) -> int:
    """Store one mention; return its id."""
    source_id = storage.source(source)["id"]
    storage.save_mention({
        "key": key, "source_id": source_id, "title": title, "text": text, "snippet": text,
        "url": url or f"http://reviews.example/{key}", "negative": negative,
        "severity": severity, "categories": list(categories),
        "reasons": ["complaint (delivery)"] if negative else [], "author": "Cliente",
        "content_hash": key,
    })
    return storage.db.execute("select id from mentions where key = ?", [key]).fetchone()[0]


def seeded_storage(settings) -> Storage:
    """The settings' database with three complaints and one praise; follow-ups opened."""
    storage = Storage(settings.database_path)
    storage.sync_sources(settings.sources)
    add_mention(storage, "late", title="Consegna in ritardo", text="Il pacco è in ritardo "
                "di due settimane", severity="medium")
    add_mention(storage, "fraud", source="Blog", title="Una truffa?", text="Pagato e mai "
                "ricevuto: sembra una truffa", severity="critical", categories=("fraud",))
    add_mention(storage, "hostile", title="Nessuno risponde", text=HOSTILE_TEXT,
                categories=("customer_service",))
    add_mention(storage, "praise", title="Bellissimo", text="Tutto perfetto", negative=False,
                categories=())
    storage.open_followups_for_new_negatives()
    return storage


def log_in(client, name: str, password: str, **request):
    """Post the login form as a browser does (with the page's CSRF token); the response."""
    page = client.get("/login", **request).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token}, **request)
