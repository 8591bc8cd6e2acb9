"""The bundled demo, and the digest written to files with --dry-run."""

from __future__ import annotations

import email
import json
from email import policy

HOSTILE = {
    "title": "Bottega Aurora <script>alert('t')</script>",
    "link": "http://blog.example/hostile",
    "guid": "hostile",
    "author": "<img src=x onerror=alert(1)>Mallory",
    # The feed's HTML holds escaped markup: the author wrote these tags as text.
    "description": "<p>Bottega Aurora never delivered. &lt;script&gt;alert(1)&lt;/script&gt; "
                   "&lt;a href='http://evil.example'&gt;refund here&lt;/a&gt;</p>",
}


def test_demo_scans_the_sample_sites_and_writes_a_digest(monitor_cli, tmp_path):
    out = tmp_path / "demo"
    result = monitor_cli("demo", "--out", str(out), timeout=60)

    assert result.returncode == 0, result.stderr
    assert "flagged as complaints" in result.stdout
    assert "'Broken forum' failed" in result.stdout
    html = (out / "digest" / "digest.html").read_text(encoding="utf-8")
    assert "non è mai arrivato" in html
    assert "<script>" not in html
    listed = monitor_cli("mentions", "--json", config=out / "settings.toml")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    titles = {row["title"] for row in rows}
    assert "Ricetta: torta di mele della nonna" not in titles  # does not name the shop
    assert "Still waiting for my refund from Bottega Aurora" in titles


def scan_and_write_digest(site, settings_file, monitor_cli, rss, tmp_path, items,
                          language="it"):
    url = site.add("/feed.xml", rss(*items))
    config = settings_file(sources=[{"name": "Blog <b>di</b> prova", "type": "feed", "url": url}],
                           digest={"language": language, "recipients": ["staff@example.com"],
                                   "sender": "monitor@example.com"})
    assert monitor_cli("scan", config=config).returncode == 0
    out = tmp_path / "digest"
    result = monitor_cli("digest", "--dry-run", "--out", str(out), config=config)
    assert result.returncode == 0, result.stderr
    return out, config


def test_digest_files_escape_hostile_text(site, settings_file, monitor_cli, tmp_path, posts, rss):
    out, _ = scan_and_write_digest(site, settings_file, monitor_cli, rss, tmp_path,
                                   [HOSTILE, posts.complaint_it])
    html = (out / "digest.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "href='http://evil.example'" not in html and 'href="http://evil.example"' not in html
    assert "Mallory" in html
    assert "Blog &lt;b&gt;di&lt;/b&gt; prova" in html
    assert "<mark>Bottega Aurora</mark>" in html


def test_digest_lists_complaints_first_in_the_owners_language(
        site, settings_file, monitor_cli, tmp_path, posts, rss):
    out, _ = scan_and_write_digest(site, settings_file, monitor_cli, rss, tmp_path,
                                   [posts.complaint_it, posts.praise_en], language="it")
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert "Reclami da seguire" in text
    assert text.index("non è mai arrivato") < text.index("Lovely napkins")
    assert "http://blog.example/pacco" in text
    message = email.message_from_bytes((out / "digest.eml").read_bytes(), policy=policy.default)
    assert message["To"] == "staff@example.com"
    assert "\n" not in message["Subject"] and "Bottega Aurora" in message["Subject"]
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None


def test_dry_run_marks_nothing(site, settings_file, monitor_cli, tmp_path, posts, rss):
    out, config = scan_and_write_digest(site, settings_file, monitor_cli, rss, tmp_path,
                                        [posts.complaint_it], language="en")
    again = monitor_cli("digest", "--dry-run", "--out", str(tmp_path / "again"), config=config)
    assert again.returncode == 0
    assert "Complaints to follow up" in (tmp_path / "again" / "digest.txt").read_text()
    assert "non è mai arrivato" in (tmp_path / "again" / "digest.txt").read_text()
