"""Benchmark of the review and blog spiders and of full-text follow-through: a first scan,
an unchanged rescan, and a rescan after a new comment on an old post of every blog.

Serves, on local addresses 127.0.x.y (one site each, so per-site politeness applies as on
the web), SITES review sites of 10 pages each (5 schema.org reviews a page, linked by
rel="next"), SITES WordPress-like blogs whose feed lists 10 posts with 5 comments each,
and SITES blogs whose feed is a WordPress "Summary" feed (excerpts only: each entry is
followed to its post, 10 posts with 5 comments each). Every page and feed has an ETag,
as most servers give. Every response comes after 100 ms, as a stand-in for network
latency. Each scan runs as `monitor scan` in a subprocess; its peak memory is that
child's maximum resident set size and its CPU time the user + system time of the child
and of its worker processes (os.wait4 gives the child's rusage, with the children it
waited for).

Printed for each scan: requests made, how many got a page's body (200), a 304 or were
robots.txt, the most requests one site got, new and updated mentions, wall and CPU time.
Each site is read one request at a time, `--delay` seconds apart (monitor's default
download_delay is 1.0): with it, compare the first scan's wall time with the unchanged
rescan's, which makes as many requests a site and next to no work: a first scan taking
about as long is bounded by politeness, not CPU.

    python bench/spiders.py [--sites 20] [--latency 0.1] [--delay 0]
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
    rss_of_excerpts,
    rss_of_posts,
    wordpress_post,
)
from tests.support.settings import write_settings  # noqa: E402
from tests.support.sites import LocalSite  # noqa: E402

PAGES_PER_SITE = 10
REVIEWS_PER_PAGE = 5
COMMENTS_PER_POST = 5
SCAN_LINE = re.compile(r"(\d+) new mentions, (\d+) updated")
PAGE = "text/html; charset=utf-8"


def review_site(host: str, latency: float) -> LocalSite:
    site = LocalSite(host=host)
    for page in range(1, PAGES_PER_SITE + 1):
        first = (page - 1) * REVIEWS_PER_PAGE
        reviews = [review(n, rating=1 + n % 5) for n in range(first, first + REVIEWS_PER_PAGE)]
        following = f"/reviews/{page + 1}" if page < PAGES_PER_SITE else None
        site.add(f"/reviews/{page}", jsonld_review_page(reviews, following), delay=latency,
                 content_type=PAGE, etag=True)
    return site


def post_comments(number: int, count: int = COMMENTS_PER_POST) -> list[dict]:
    return [{"id": number * 100 + c, "author": f"Lettore {c}",
             "date": f"2026-11-{c + 1:02d}T10:00:00+01:00",
             "text": ("Da Bottega Aurora il pacco non è mai arrivato." if c % 5 == 0
                      else f"Bell'articolo, grazie! ({c})")} for c in range(count)]


def post_text(number: int) -> list[str]:
    text = ["Oggi parliamo di ceramiche fatte a mano e di come scegliere i piatti."] * 8
    if number % 4 == 0:  # named in the body only: the excerpt does not say it
        text.append("Li ho comprati da Bottega Aurora e sono arrivati in tre giorni.")
    return text


def blog_site(host: str, latency: float, excerpts: bool) -> LocalSite:
    site = LocalSite(host=host)
    site.latency = latency
    posts = []
    for number in range(PAGES_PER_SITE):
        path = f"/{2026 - number}/post-{number}/"
        site.add(path, wordpress_post(f"Post {number}", post_text(number), post_comments(number),
                                      feed_url=site.url("/feed/")),
                 delay=latency, content_type=PAGE, etag=True)
        posts.append((f"Post {number}", site.url(path), post_text(number)[0]))
    feed = (rss_of_excerpts(site.base, posts) if excerpts
            else rss_of_posts(site.base, [post[:2] for post in posts]))
    site.add("/feed/", feed, delay=latency, etag=True)
    return site


def add_comment(site: LocalSite) -> None:
    """A new comment naming the brand on the blog's oldest post (its feed is unchanged)."""
    number = PAGES_PER_SITE - 1
    site.add(f"/{2026 - number}/post-{number}/",
             wordpress_post(f"Post {number}", post_text(number),
                            post_comments(number, COMMENTS_PER_POST + 1),
                            feed_url=site.url("/feed/")),
             delay=site.latency, content_type=PAGE, etag=True)


def run_scan(config: Path) -> dict:
    """Run `monitor scan` in a child process; its wall and CPU time, counts, peak memory."""
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
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "new": int(match.group(1)),
            "updated": int(match.group(2)), "peak_mb": usage.ru_maxrss / 1024,
            "errors": stderr.count("failed:")}


def report(label: str, result: dict, sites: list[LocalSite]) -> None:
    requests = [r for site in sites for r in site.requests]
    bodies = sum(1 for r in requests if r.status == 200 and r.path != "/robots.txt")
    not_modified = sum(1 for r in requests if r.status == 304)
    busiest = max(len(site.requests) for site in sites)
    print(f"{label:>23}: {len(requests)} requests ({bodies} page bodies, {not_modified} 304s, "
          f"{len(requests) - bodies - not_modified} robots.txt), {busiest} on the busiest "
          f"site; {result['new']} new + {result['updated']} updated mentions; "
          f"{result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU, peak memory "
          f"{result['peak_mb']:.0f} MB, {result['errors']} failed sources")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20,
                        help="review sites, and as many blogs and excerpt feeds")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="[crawl] download_delay (monitor's default is 1.0)")
    args = parser.parse_args()
    reviews = [review_site(f"127.0.1.{10 + i}", args.latency) for i in range(args.sites)]
    blogs = [blog_site(f"127.0.2.{10 + i}", args.latency, False) for i in range(args.sites)]
    summaries = [blog_site(f"127.0.3.{10 + i}", args.latency, True) for i in range(args.sites)]
    sources = [{"name": f"reviews-{i}", "type": "reviews", "url": site.url("/reviews/1")}
               for i, site in enumerate(reviews)]
    sources += [{"name": f"blog-{i}", "type": "blog", "url": blog.url("/feed/")}
                for i, blog in enumerate(blogs)]
    sources += [{"name": f"excerpts-{i}", "type": "feed", "url": blog.url("/feed/")}
                for i, blog in enumerate(summaries)]
    everything = reviews + blogs + summaries
    with tempfile.TemporaryDirectory() as folder:
        config = write_settings(Path(folder) / "settings.toml", sources=sources,
                                crawl={"download_delay": args.delay, "timeout": 30})
        print(f"{args.sites} review sites x {PAGES_PER_SITE} pages, {args.sites} blogs and "
              f"{args.sites} excerpt feeds x {PAGES_PER_SITE} posts x {COMMENTS_PER_POST} "
              f"comments, {args.latency * 1000:.0f} ms per response")
        for label in ("first scan", "unchanged rescan", "new comment on old post"):
            if label == "new comment on old post":
                for blog in blogs:
                    add_comment(blog)
            for site in everything:
                site.requests.clear()
            result = run_scan(config)
            report(label, result, everything)
    for site in everything:
        site.close()


if __name__ == "__main__":
    main()
