"""Test data for follow-ups: a settings file with staff, and a database with complaints."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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
                categories=("delivery",), url: str | None = None, author: str = "Cliente",
                reasons=None, language: str = "it") -> int:
    """Store one mention; return its id."""
    source_id = storage.source(source)["id"]
    if reasons is None:
        reasons = ["complaint (delivery)"] if negative else []
    storage.save_mention({
        "key": key, "source_id": source_id, "title": title, "text": text, "snippet": text,
        "url": url or f"http://reviews.example/{key}", "negative": negative,
        "severity": severity, "categories": list(categories), "reasons": list(reasons),
        "author": author, "content_hash": key, "language": language,
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


# A support team's morning: complaints in Italian and English as the detector flags them.
MORNING = [
    dict(key="late-it", title="Pacco in ritardo di due settimane", severity="high",
         text="Ordinato il 3 novembre, il pacco non è mai arrivato e nessuno risponde alle "
              "mail.", author="Giulia R.", categories=("delivery", "customer_service"),
         reasons=['complaint: "mai arrivato" (delivery)',
                  'complaint: "nessuno risponde" (customer_service)'],
         days_ago=6.1),
    dict(key="fraud-it", source="Blog", title="Addebitato due volte, sembra una truffa",
         severity="critical", categories=("fraud", "payment"),
         text="Mi hanno addebitato due volte lo stesso ordine e il numero non risponde. "
              "Sembra una truffa.", author="Marco B.",
         reasons=['complaint: "addebitato due volte" (payment)',
                  'complaint: "sembra una truffa" (fraud, critical)'],
         days_ago=1.6),
    dict(key="box-en", title="Arrived crushed", severity="medium", language="en",
         text="The box arrived crushed and the teapot inside was broken.", author="Emma W.",
         categories=("packaging", "product"),
         reasons=['complaint: "arrived crushed" (packaging)',
                  'complaint: "was broken" (product)'],
         days_ago=4.2),
    dict(key="track-it", title="Tracking che non funziona", severity="medium",
         text="Il codice di tracciamento non funziona sul sito del corriere.",
         author="Luca", categories=("tracking",),
         reasons=['complaint: "tracciamento non funziona" (tracking)'],
         days_ago=3.1),
    dict(key="price-en", source="Blog", title="Pricey", severity="low", language="en",
         text="Nice tablecloths but the shipping cost is too high.", author="",
         categories=("price",), reasons=['negative word: "too high"'],
         days_ago=0.3),
]


def morning_storage(settings) -> Storage:
    """The settings' database with the complaints of MORNING, their follow-ups opened."""
    storage = Storage(settings.database_path)
    storage.sync_sources(settings.sources)
    for mention in MORNING:
        mention = dict(mention)
        opened = (datetime.now(UTC) - timedelta(days=mention.pop("days_ago"))).isoformat(
            timespec="seconds")
        mention_id = add_mention(storage, **mention)
        with storage.db.conn:  # as if found then (save_mention stamps the present)
            storage.db.execute("update followups set opened_at = ? where mention_id = ?",
                               [opened, mention_id])
            storage.db.execute("update followup_events set at = ? where followup_id ="
                               " (select id from followups where mention_id = ?)",
                               [opened, mention_id])
    return storage
def log_in(client, name: str, password: str, **request):
    """Post the login form as a browser does (with the page's CSRF token); the response."""
    page = client.get("/login", **request).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token}, **request)
