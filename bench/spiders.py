"""Benchmark of the review and blog spiders: a first scan and an unchanged rescan.

Serves, on local addresses 127.0.0.x (one site each, so per-site politeness applies as on
the web), SITES review sites of 10 pages each (5 schema.org reviews a page, linked by
rel="next") and SITES WordPress-like blogs whose feed lists 10 posts with 5 comments each:
200 review pages and 200 posts by default. Every response comes after 100 ms, as a stand-in
for network latency. Each scan runs as `monitor scan` in a subprocess; its peak memory is
that child's maximum resident set size (os.wait4 gives the child's own rusage, the figure
resource.getrusage(RUSAGE_CHILDREN) would give for one child).

    python bench/spiders.py [--sites 20] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pages import (  # noqa: E402
    jsonld_review_page,
    review,
    rss_of_posts,
    wordpress_post,
)
from tests.support.settings import write_settings  # noqa: E402
from tests.support.sites import LocalSite  # noqa: E402

PAGES_PER_SITE = 10
REVIEWS_PER_PAGE = 5
COMMENTS_PER_POST = 5
SCAN_LINE = re.compile(r"(\d+) new mentions, (\d+) updated")


def review_site(host: str, latency: float) -> LocalSite:
    site = LocalSite(host=host)
    for page in range(1, PAGES_PER_SITE + 1):
        first = (page - 1) * REVIEWS_PER_PAGE
        reviews = [review(n, rating=1 + n % 5) for n in range(first, first + REVIEWS_PER_PAGE)]
        following = f"/reviews/{page + 1}" if page < PAGES_PER_SITE else None
        site.add(f"/reviews/{page}", jsonld_review_page(reviews, following), delay=latency,
                 content_type="text/html; charset=utf-8")
    return site


def blog_site(host: str, latency: float) -> LocalSite:
    site = LocalSite(host=host)
    posts = []
    for number in range(PAGES_PER_SITE):
        path = f"/{2026 - number}/post-{number}/"
        text = ["Oggi parliamo di ceramiche fatte a mano e di come scegliere i piatti."] * 8
        if number % 4 == 0:
            text.append("Li ho comprati da Bottega Aurora e sono arrivati in tre giorni.")
        comments = [{"id": number * 100 + c, "author": f"Lettore {c}",
                     "date": f"2026-11-{c + 1:02d}T10:00:00+01:00",
                     "text": ("Da Bottega Aurora il pacco non è mai arrivato." if c == 0
                              else f"Bell'articolo, grazie! ({c})")}
                    for c in range(COMMENTS_PER_POST)]
        site.add(path, wordpress_post(f"Post {number}", text, comments,
                                      feed_url=site.url("/feed/")),
                 delay=latency, content_type="text/html; charset=utf-8")
        posts.append((f"Post {number}", site.url(path)))
    site.add("/feed/", rss_of_posts(site.base, posts), delay=latency)
    return site


def run_scan(config: Path) -> dict:
    """Run `monitor scan` in a child process; its wall time, counts and peak memory."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config),
                                    "scan"], stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    match = SCAN_LINE.search(stdout)
    if not match:
        raise SystemExit(f"scan failed ({process.returncode}):\n{stdout}\n{stderr[-2000:]}")
    return {"wall": wall, "new": int(match.group(1)), "updated": int(match.group(2)),
            "peak_mb": usage.ru_maxrss / 1024, "errors": stderr.count("failed:")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20, help="review sites, and as many blogs")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    args = parser.parse_args()
    sites = [review_site(f"127.0.0.{10 + i}", args.latency) for i in range(args.sites)]
    blogs = [blog_site(f"127.0.1.{10 + i}", args.latency) for i in range(args.sites)]
    sources = [{"name": f"reviews-{i}", "type": "reviews", "url": site.url("/reviews/1")}
               for i, site in enumerate(sites)]
    sources += [{"name": f"blog-{i}", "type": "blog", "url": blog.url("/feed/")}
                for i, blog in enumerate(blogs)]
    with tempfile.TemporaryDirectory() as folder:
        config = write_settings(Path(folder) / "settings.toml", sources=sources,
                                crawl={"download_delay": 0, "timeout": 30})
        print(f"{args.sites} review sites x {PAGES_PER_SITE} pages, {args.sites} blogs x "
              f"{PAGES_PER_SITE} posts x {COMMENTS_PER_POST} comments, "
              f"{args.latency * 1000:.0f} ms per response")
        for label in ("first scan", "unchanged rescan"):
            for site in sites + blogs:
                site.requests.clear()
            result = run_scan(config)
            pages = sum(len([p for p in s.paths() if p != "/robots.txt"])
                        for s in sites + blogs)
            stored = result["new"] + result["updated"]
            print(f"{label:>16}: {result['wall']:6.2f} s, {pages} pages "
                  f"({pages / result['wall']:.1f} pages/s), {result['new']} new + "
                  f"{result['updated']} updated mentions ({stored / result['wall']:.1f} "
                  f"mentions/s), peak memory {result['peak_mb']:.0f} MB, "
                  f"{result['errors']} failed sources")
    for site in sites + blogs:
        site.close()


if __name__ == "__main__":
    main()
