"""Benchmark of the web inbox on a large database.

Builds a database with 1,000,000 mentions and 50,000 follow-ups (10,000 of them open),
then times, through the Flask test client with a logged-in session, the open-complaints
page (first page and a filtered one) and text searches. Prints milliseconds (median and
slowest of the repeats). Target: under 100 ms each.

    python bench/inbox.py [--mentions N] [--followups N] [--db PATH] [--repeat N]

With --db PATH an existing benchmark database is reused (built there if missing).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import load_settings  # noqa: E402
from monitor.followup.actions import set_staff_password  # noqa: E402
from monitor.followup.web import create_app  # noqa: E402
from monitor.followup.web.auth import password_fingerprint  # noqa: E402
from monitor.storage import Storage  # noqa: E402

WORDS = ("pacco consegna ordine prodotto negozio spedizione corriere qualità prezzo servizio "
         "cliente grazie ottimo bello veloce lento colore taglia borsa scarpe giacca regalo "
         "parcel delivery order product shop shipping courier quality price service customer "
         "thanks great nice fast slow colour size bag shoes jacket gift").split()
RARE = ("rimborso", "truffa", "danneggiato", "refund", "broken", "tracking")
SOURCES = 20


def build(path: Path, mentions: int, followups: int) -> None:
    """Fill a fresh database at `path` with generated mentions and follow-ups."""
    rng = random.Random(42)
    settings_path = write_settings(path.parent, path.name)
    settings = load_settings(settings_path)
    storage = Storage(settings.database_path)
    storage.sync_sources(settings.sources)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    negative_every = mentions // followups
    batch = []
    for i in range(1, mentions + 1):
        words = rng.choices(WORDS, k=24)
        if rng.random() < 0.02:
            words[rng.randrange(24)] = rng.choice(RARE)
        text = " ".join(words)
        found = (start + timedelta(seconds=i * 25)).isoformat(timespec="seconds")
        batch.append({
            "id": i, "key": f"k{i}", "source_id": rng.randint(1, SOURCES), "kind": "review",
            "url": f"https://reviews.example/r/{i}", "title": " ".join(words[:5]),
            "text": text, "snippet": text[:160], "author": f"user{i % 5000}",
            "found_at": found, "published_at": found, "negative": 0,
            "score": 0.5, "severity": rng.choice(("critical", "high", "medium", "low")),
            "categories": '["delivery"]', "reasons": '["bench"]', "content_hash": str(i),
        })
        if len(batch) == 50_000:
            storage.bulk_insert_mentions(batch)
            batch = []
    storage.bulk_insert_mentions(batch)
    rows = []
    for n, mention_id in enumerate(range(negative_every, mentions + 1, negative_every)):
        mention_id -= rng.randrange(negative_every)
        opened = start + timedelta(seconds=mention_id * 25)
        status = ("new", "assigned", "contacted")[n % 3] if n % 5 == 0 else "resolved"
        contact = (opened + timedelta(hours=rng.uniform(1, 48))).isoformat(timespec="seconds")
        rows.append({
            "mention_id": mention_id, "status": status,
            "assignee": None if status == "new" else ("Anna", "Marco")[n % 2],
            "opened_at": opened.isoformat(timespec="seconds"), "updated_at": contact,
            "first_contact_at": contact if status in ("contacted", "resolved") else None,
            "resolved_at": contact if status == "resolved" else None,
        })
    storage.bulk_insert_followups(rows[:followups])
    storage.close()


def write_settings(directory: Path, database: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench-settings.toml"
    sources = "".join(f'[[sources]]\nname = "source {i}"\ntype = "reviews"\n'
                      f'url = "https://reviews{i}.example/"\n' for i in range(1, SOURCES + 1))
    path.write_text(f'[brand]\nname = "Bottega Aurora"\n[storage]\ndatabase = "{database}"\n'
                    f'{sources}[[staff]]\nname = "Anna"\n[[staff]]\nname = "Marco"\n',
                    encoding="utf-8")
    return path


def time_page(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median and slowest milliseconds of GET `url`, and its size in bytes."""
    client.get(url)  # warm the caches once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times), len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--followups", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="reuse (or build) the database here")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="bench-inbox-")) / "inbox.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, args.mentions, args.followups)
        print(f"built {path}: {args.mentions:,} mentions, {args.followups:,} follow-ups "
              f"in {time.perf_counter() - started:.0f} s")
    settings = load_settings(write_settings(path.parent, path.name))
    app = create_app(settings)
    # Logged in as Anna, with a password: a session holds the fingerprint of the password
    # it was opened with (a password change ends it), as a real login stores.
    with Storage(path) as storage:
        set_staff_password(storage, "Anna", "bench-password")
        fingerprint = password_fingerprint(storage.staff_password_hash("Anna"))
    client = app.test_client()
    with client.session_transaction() as session:
        session["staff"], session["password"] = "Anna", fingerprint
    pages = {
        "open complaints, first page": "/followups",
        "open complaints, page 20": "/followups?page=20",
        "open, critical, assigned to Anna": "/followups?severity=critical&assignee=Anna",
        "all complaints, source 7": "/followups?status=all&source=source+7",
        "text search, rare word (rimborso)": "/followups?status=all&q=rimborso",
        "text search, two words": "/followups?status=all&q=pacco+rimborso",
        "text search, common word (pacco)": "/followups?status=all&q=pacco",
        "complaint page": "/followups/1000",
        "other mentions, first page": "/mentions",
        "other mentions, page 20": "/mentions?page=20",
        "other mentions, text search (pacco)": "/mentions?q=pacco",
        "statistics page (not a target)": "/stats",
        "sources page (not a target)": "/sources",
    }
    print(f"{'page':<36} {'median ms':>9} {'max ms':>8} {'bytes':>7}")
    for label, url in pages.items():
        median, slowest, size = time_page(client, url, args.repeat)
        print(f"{label:<36} {median:>9.1f} {slowest:>8.1f} {size:>7}")


if __name__ == "__main__":
    main()
