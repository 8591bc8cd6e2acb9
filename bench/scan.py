"""Scan speed against a local stand-in for the web.

N feeds (default 500) of 20 entries each, every feed on its own host name (127.0.x.y, so
per-site politeness applies as on the web), served by a local asyncio server that answers
each request after 100 ms. Prints the wall time of the first `monitor scan` and of an
unchanged rescan, the new rows of each, their peak memory, and the wall time of a plain
sequential loop of `feedparser.parse(url)` over the same feeds as the baseline, and, to
read the rescan against, what Scrapy alone costs to make the rescan's requests
(bench/scrapy_floor.py).

Targets: first scan at least 5x faster than the baseline; an unchanged rescan adds 0 rows
and costs under 20% of the first scan; peak memory under 300 MB.

Usage: python bench/scan.py [--feeds 500] [--latency 0.1] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = 20
PHRASES = [
    "Ordered from Bottega Aurora: the parcel never arrived and nobody answers my emails.",
    "Bottega Aurora napkins are lovely, soft and well sewn. Recommended!",
    "Il pacco di Bottega Aurora è arrivato rotto e aspetto ancora il rimborso.",
    "Ho comprato una tovaglia da Bottega Aurora, bellissima e arrivata in due giorni.",
    "A recipe for apple pie: three apples, two eggs, flour and butter.",
]


def host(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def feed_body(index: int) -> bytes:
    items = []
    for n in range(ENTRIES):
        text = PHRASES[(index + n) % len(PHRASES)]
        items.append(
            f"<item><title>Post {n} of blog {index}</title>"
            f"<link>http://{host(index)}/post/{n}</link><guid>blog-{index}-post-{n}</guid>"
            f"<description>{text} (post {n}, blog {index})</description>"
            f"<pubDate>Fri, 20 Nov 2026 09:{n:02d}:00 +0000</pubDate></item>"
        )
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Blog {index}</title><link>http://{host(index)}/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>").encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:12] + '"'


def serve(feeds: int, port: int, latency: float, ready) -> None:
    """Serve /feed.xml and /robots.txt on every bench host, each answer after `latency`."""
    bodies = {host(i): feed_body(i) for i in range(feeds)}
    etags = {name: etag_of(body) for name, body in bodies.items()}

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                name = writer.get_extra_info("sockname")[0]
                await asyncio.sleep(latency)
                if path == "/robots.txt":
                    status, body, extra = "200 OK", b"User-agent: *\nAllow: /\n", ""
                elif headers.get("if-none-match") == etags[name]:
                    status, body, extra = "304 Not Modified", b"", f"ETag: {etags[name]}\r\n"
                else:
                    status, body, extra = "200 OK", bodies[name], f"ETag: {etags[name]}\r\n"
                writer.write((f"HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\n"
                              f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, host=list(bodies), port=port,
                                            backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def write_settings(folder: Path, feeds: int, port: int) -> Path:
    sources = "".join(
        f'[[sources]]\nname = "blog {i}"\ntype = "feed"\nurl = "http://{host(i)}:{port}/feed.xml"\n'
        for i in range(feeds))
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


def timed_scan(config: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "scan"],
                            capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"scan failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    return elapsed, result.stdout.strip()


def timed_floor(port: int, feeds: int) -> tuple[float, str]:
    """Wall time of bench/scrapy_floor.py: Scrapy alone, the rescan's requests."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "scrapy_floor.py"),
                             str(port), "--feeds", str(feeds)],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    return time.perf_counter() - started, result.stdout.strip()


def count_rows(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("select count(*) from mentions").fetchone()[0]


def baseline(feeds: int, port: int) -> float:
    import feedparser

    started = time.perf_counter()
    for i in range(feeds):
        parsed = feedparser.parse(f"http://{host(i)}:{port}/feed.xml")
        assert len(parsed.entries) == ENTRIES, parsed.get("bozo_exception")
    return time.perf_counter() - started


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    compile_bytecode()
    port = free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.feeds, port, args.latency, ready),
                                     daemon=True)
    server.start()
    ready.wait(30)
    with tempfile.TemporaryDirectory() as folder:
        config = write_settings(Path(folder), args.feeds, port)
        database = Path(folder) / "bench.db"
        first, first_out = timed_scan(config)
        first_rows = count_rows(database)
        first_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        second, second_out = timed_scan(config)
        second_rows = count_rows(database) - first_rows
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    floor, floor_out = timed_floor(port, args.feeds)
    base = None if args.skip_baseline else baseline(args.feeds, port)
    server.terminate()

    print(f"feeds: {args.feeds} x {ENTRIES} entries on {args.feeds} hosts, "
          f"{args.latency * 1000:.0f} ms per response, download_delay 1.0 s")
    print(f"first scan:      {first:7.2f} s  new rows {first_rows:6d}  ({first_out})")
    print(f"unchanged rescan:{second:7.2f} s  new rows {second_rows:6d}  "
          f"= {100 * second / first:.0f}% of the first scan")
    print(f"Scrapy alone, the rescan's conditional requests: {floor:7.2f} s "
          f"= {100 * floor / first:.0f}% of the first scan ({floor_out}; bench/scrapy_floor.py)")
    print(f"peak memory of a scan process: {max(first_peak, peak):.0f} MB")
    if base is not None:
        print(f"baseline, sequential feedparser.parse(url): {base:7.2f} s  "
              f"-> first scan is {base / first:.1f}x faster")


if __name__ == "__main__":
    main()
