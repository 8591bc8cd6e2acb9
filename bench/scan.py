"""Scan speed and memory against a local stand-in for the web.

Feeds of 20 entries each, spread over a number of host names (127.0.x.y, so that per-site
politeness applies as on the web), served by a local asyncio server that answers each
request after 100 ms. Two setups:

- shop-sized (the default): 300 feeds on 40 hosts holding 300 new brand mentions (one per
  feed, the rest about other things). Prints the first scan (with the sentence encoder),
  the unchanged rescan (which must encode nothing), the first scan again without the
  encoder (MONITOR_ENCODER=off), the peak memory of the scan's whole process tree, and a
  plain sequential loop of `feedparser.parse(url)` over the same feeds as the baseline.
  Targets: first scan at least 3x faster than the baseline; the unchanged rescan adds and
  encodes nothing; peak memory under 500 MB.
- backlog (`--backlog`): 500 feeds on 500 hosts, 6,400 new brand mentions, far more than a
  shop's first scan; the first scan with and without the encoder (MONITOR_ENCODER=off),
  reported, no target. Also what Scrapy alone costs for the rescan's requests
  (bench/scrapy_floor.py).

Usage: python bench/scan.py [--backlog] [--feeds N --hosts N --brand-per-feed N]
       [--latency 0.1] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = 20
BRAND = [
    "Ordered from Bottega Aurora: the parcel never arrived and nobody answers my emails.",
    "Bottega Aurora napkins are lovely, soft and well sewn. Recommended!",
    "Il pacco di Bottega Aurora è arrivato rotto e aspetto ancora il rimborso.",
    "Ho comprato una tovaglia da Bottega Aurora, bellissima e arrivata in due giorni.",
]
OTHER = [
    "A recipe for apple pie: three apples, two eggs, flour and butter.",
    "Il mercato del sabato si sposta in piazza Garibaldi per i lavori.",
]


@dataclass(frozen=True)
class Setup:
    feeds: int
    hosts: int
    brand_per_feed: int  # entries naming the brand in each feed

    def host(self, index: int) -> str:
        number = index % self.hosts
        return f"127.0.{1 + number // 250}.{1 + number % 250}"

    def path(self, index: int) -> str:
        return f"/feed-{index}.xml"

    def url(self, index: int, port: int) -> str:
        return f"http://{self.host(index)}:{port}{self.path(index)}"

    def feed_body(self, index: int) -> bytes:
        items = []
        for n in range(ENTRIES):
            pool = BRAND if n < self.brand_per_feed else OTHER
            text = pool[(index + n) % len(pool)]
            items.append(
                f"<item><title>Post {n} of blog {index}</title>"
                f"<link>http://{self.host(index)}/{index}/post/{n}</link>"
                f"<guid>blog-{index}-post-{n}</guid>"
                f"<description>{text} (post {n}, blog {index})</description>"
                f"<pubDate>Fri, 20 Nov 2026 09:{n:02d}:00 +0000</pubDate></item>")
        return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                f"<title>Blog {index}</title><link>http://{self.host(index)}/</link>"
                f"<description>bench</description>{''.join(items)}</channel></rss>").encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:12] + '"'


def serve(setup: Setup, port: int, latency: float, ready) -> None:
    """Serve every feed and /robots.txt on the bench hosts, each answer after `latency`."""
    bodies = {setup.path(i): setup.feed_body(i) for i in range(setup.feeds)}
    etags = {path: etag_of(body) for path, body in bodies.items()}
    hosts = sorted({setup.host(i) for i in range(setup.feeds)})

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                await asyncio.sleep(latency)
                if path == "/robots.txt":
                    status, body, extra = "200 OK", b"User-agent: *\nAllow: /\n", ""
                elif headers.get("if-none-match") == etags[path]:
                    status, body, extra = "304 Not Modified", b"", f"ETag: {etags[path]}\r\n"
                else:
                    status, body, extra = "200 OK", bodies[path], f"ETag: {etags[path]}\r\n"
                writer.write((f"HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\n"
                              f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, host=hosts, port=port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def write_settings(folder: Path, setup: Setup, port: int) -> Path:
    sources = "".join(
        f'[[sources]]\nname = "blog {i}"\ntype = "feed"\nurl = "{setup.url(i, port)}"\n'
        for i in range(setup.feeds))
    config = folder / "settings.toml"
    config.write_text(
        '[brand]\nname = "Bottega Aurora"\n[storage]\ndatabase = "bench.db"\n'
        "[crawl]\ndownload_delay = 1.0\ntimeout = 30\nretries = 1\n" + sources,
        encoding="utf-8")
    return config


def compile_bytecode() -> None:
    """Write the project's bytecode first, as `pip install` does: otherwise, where
    PYTHONDONTWRITEBYTECODE is set, every scan would compile the project's modules again."""
    import compileall

    for package in ("monitor", "spiders"):
        compileall.compile_dir(ROOT / package, quiet=1)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of process `pid` and all its descendants, in MB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


@dataclass
class Scan:
    seconds: float
    output: str
    peak_mb: float
    new_rows: int
    encoded: int


def timed_scan(config: Path, encoder: bool = True) -> Scan:
    """Run `monitor scan`, sampling the memory of its process tree every 50 ms."""
    database = config.parent / "bench.db"
    rows_before = count_rows(database)
    env = {**os.environ, **({} if encoder else {"MONITOR_ENCODER": "off"})}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config),
                                "scan"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT, env=env)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        sys.exit(f"scan failed ({process.returncode}):\n{out}\n{err[-3000:]}")
    with sqlite3.connect(database) as db:
        encoded = db.execute("select encoded from scans order by id desc limit 1").fetchone()[0]
    return Scan(elapsed, out.strip(), peak, count_rows(database) - rows_before, encoded or 0)


def timed_floor(port: int, feeds: int) -> tuple[float, str]:
    """Wall time of bench/scrapy_floor.py: Scrapy alone, the rescan's requests."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "scrapy_floor.py"),
                             str(port), "--feeds", str(feeds)],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    return time.perf_counter() - started, result.stdout.strip()


def count_rows(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as db:
        return db.execute("select count(*) from mentions").fetchone()[0]


def baseline(setup: Setup, port: int) -> float:
    import feedparser

    started = time.perf_counter()
    for i in range(setup.feeds):
        parsed = feedparser.parse(setup.url(i, port))
        assert len(parsed.entries) == ENTRIES, parsed.get("bozo_exception")
    return time.perf_counter() - started


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def started_server(setup: Setup, latency: float) -> tuple[multiprocessing.Process, int]:
    port = free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(setup, port, latency, ready),
                                     daemon=True)
    server.start()
    ready.wait(30)
    return server, port


def line(name: str, scan: Scan) -> str:
    return (f"{name:<28}{scan.seconds:7.2f} s  new rows {scan.new_rows:5d}  encoded "
            f"{scan.encoded:5d}  peak memory {scan.peak_mb:4.0f} MB  ({scan.output})")


def shop_sized(setup: Setup, latency: float, skip_baseline: bool) -> None:
    server, port = started_server(setup, latency)
    with tempfile.TemporaryDirectory() as folder:
        config = write_settings(Path(folder), setup, port)
        first = timed_scan(config)
        rescan = timed_scan(config)
    with tempfile.TemporaryDirectory() as folder:
        without = timed_scan(write_settings(Path(folder), setup, port), encoder=False)
    base = None if skip_baseline else baseline(setup, port)
    server.terminate()
    print(f"shop-sized: {setup.feeds} feeds x {ENTRIES} entries on {setup.hosts} hosts, "
          f"{setup.brand_per_feed} naming the brand in each, {latency * 1000:.0f} ms per "
          "response, download_delay 1.0 s")
    print(line("first scan (encoder):", first))
    print(line("unchanged rescan:", rescan))
    print(line("first scan, no encoder:", without))
    if base is not None:
        print(f"baseline, sequential feedparser.parse(url): {base:7.2f} s  "
              f"-> first scan is {base / first.seconds:.1f}x faster (target 3x), "
              f"{base / without.seconds:.1f}x without the encoder")


def backlog(setup: Setup, latency: float) -> None:
    server, port = started_server(setup, latency)
    scans = {}
    for encoder in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            config = write_settings(Path(folder), setup, port)
            scans[encoder] = timed_scan(config, encoder)
            if encoder:
                scans["rescan"] = timed_scan(config)
    floor, floor_out = timed_floor(port, setup.feeds)
    server.terminate()
    print(f"backlog: {setup.feeds} feeds x {ENTRIES} entries on {setup.hosts} hosts, "
          f"{setup.brand_per_feed} naming the brand in each")
    print(line("first scan, no encoder:", scans[False]))
    print(line("first scan, encoder:", scans[True]))
    print(line("unchanged rescan:", scans["rescan"]))
    print(f"Scrapy alone, the rescan's conditional requests: {floor:7.2f} s "
          f"({floor_out}; bench/scrapy_floor.py)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", action="store_true",
                        help="500 feeds on 500 hosts, 6,400 brand mentions, with and "
                             "without the encoder")
    parser.add_argument("--feeds", type=int)
    parser.add_argument("--hosts", type=int)
    parser.add_argument("--brand-per-feed", type=int)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    defaults = (500, 500, 16) if args.backlog else (300, 40, 1)
    setup = Setup(args.feeds or defaults[0], args.hosts or defaults[1],
                  args.brand_per_feed if args.brand_per_feed is not None else defaults[2])
    compile_bytecode()
    if args.backlog:
        backlog(setup, args.latency)
    else:
        shop_sized(setup, args.latency, args.skip_baseline)


if __name__ == "__main__":
    main()
