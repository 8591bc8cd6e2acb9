"""`monitor demo`: the whole path on bundled sample sites, offline, in a few seconds."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from monitor.collect.scan import run_scan
from monitor.config import load_settings
from monitor.notify.digest import build_digest, write_digest
from monitor.storage import Storage

SITES = Path(__file__).parent / "sites"

DEMO_SETTINGS = """\
# Written by `monitor demo`: the demo's sources on the local sample server.
[brand]
name = "Bottega Aurora"
aliases = ["BottegaAurora"]

[storage]
database = "monitor.db"

[crawl]
download_delay = 0.1
timeout = 10
retries = 0

[[sources]]
name = "Il blog di Giulia"
type = "feed"
url = "{base}/giulia/feed.xml"

[[sources]]
name = "Home & Table Reviews"
type = "feed"
url = "{base}/techreview/atom.xml"

[[sources]]
name = "Broken forum"
type = "feed"
url = "{base}/broken/feed.xml"

[digest]
language = "{language}"
recipients = ["support@bottega-aurora.example"]
sender = "monitor@bottega-aurora.example"
"""


class DemoHandler(SimpleHTTPRequestHandler):
    """Serves the sample sites; /broken/ answers 500, a source that fails."""

    def do_GET(self):
        if self.path.startswith("/broken/"):
            self.send_error(500, "Internal Server Error")
            return
        super().do_GET()

    def log_message(self, format, *args):
        pass


def serve_sites(root: Path = SITES) -> ThreadingHTTPServer:
    """Start a threaded HTTP server for `root` on a free port of 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(DemoHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_demo(out_dir: Path, language: str = "it") -> str:
    """Scan the sample sites into `out_dir`, write the digest there; return a report."""
    server = serve_sites()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        config = out_dir / "settings.toml"
        config.write_text(DEMO_SETTINGS.format(base=base, language=language), encoding="utf-8")
        settings = load_settings(config)
        result = run_scan(settings)
    finally:
        server.shutdown()
    with Storage(settings.database_path) as storage:
        digest = build_digest(storage, settings)
        negatives = storage.mentions(negative=True)
    paths = write_digest(digest, out_dir / "digest", settings.digest.sender,
                         settings.digest.recipients)
    lines = [
        f"Scanned {len(settings.sources)} sources: {result.new_mentions} mentions of "
        f"{settings.brand.name} stored, {len(negatives)} flagged as complaints.",
        *(f"  source {name!r} failed (as the demo intends): {error}"
          for name, error in result.errors.items()),
        f"Digest: {paths[0]}",
        f"        {paths[1]}",
        f"        {paths[2]}",
        f"Database: {settings.database_path}",
        f"Try: monitor --config {config} mentions --negative",
    ]
    return "\n".join(lines)
