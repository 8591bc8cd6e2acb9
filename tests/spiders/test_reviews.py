"""Reviews sources, scanned as the user scans: `monitor scan` in a subprocess against local
sites serving real saved pages (../shared/realworld) and our own fixtures."""

from __future__ import annotations

from pathlib import Path

from tests.spiders.helpers import by_source, mentions, schemaorg_example

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "tests" / "fixtures"


RECIPES = "/recipe-scrapers/tests/test_data"
EXTRUCT = "/extruct/tests/samples"
LAYOUT_MESSAGE = "no reviews found: has the page layout changed?"
ITALIAN_SELECTORS = {"review": "div.recensione", "author": ".autore", "date": ".data",
                     "rating": ".voto", "body": ".testo", "title": ".titolo"}


def test_reviews_from_real_schema_org_pages(realworld_site, site, settings_file, monitor_cli):
    broken_then_valid = (
        (SHARED / "realworld/extruct/tests/samples/custom.invalid/JSONLD_with_JS_comment.html")
        .read_text(encoding="utf-8").replace("</head>", schemaorg_example("0010", "JSON")
                                             .split("<body>")[1].split("</body>")[0] + "</head>"))
    sources = {
        "carrot": realworld_site.url(f"{RECIPES}/theclevercarrot.com/theclevercarrot_1.testhtml"),
        "chef": realworld_site.url(f"{RECIPES}/chefjeanpierre.com/chefjeanpierre_1.testhtml"),
        "misya": realworld_site.url(f"{RECIPES}/misya.info/misya.testhtml"),
        "songkick": realworld_site.url(
            f"{EXTRUCT}/songkick/Years%20&%20Years%20Tickets,%20Tour%20Dates%202015%20"
            "&%20Concerts.html"),
        "microdata": site.add("/microdata.html", schemaorg_example("0010", "MICRODATA")),
        "broken-jsonld": site.add("/broken.html", broken_then_valid),
    }
    config = settings_file(sources=[{"name": name, "type": "reviews", "url": url}
                                    for name, url in sources.items()])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = by_source(mentions(monitor_cli, config))
    carrot = [row for row in rows["carrot"] if row["kind"] == "review"]
    assert len(carrot) == 30
    rose = next(row for row in carrot if row["author"] == "Rose")
    assert (rose["rating"], rose["best_rating"]) == (4.0, 5.0)
    assert rose["text"].startswith("The second time was definitely better.")
    assert rose["published_at"] == "2023-05-19"
    assert "Denise J Ragozzino" in {row["author"] for row in carrot}
    # the page repeats its 12 reviews in two JSON-LD graphs: each is stored once
    chef = [row for row in rows["chef"] if row["kind"] == "review"]
    assert len(chef) == 12 and len({row["author"] for row in chef}) == 12
    assert [(r["kind"], r["rating"], r["best_rating"]) for r in rows["misya"]] == [
        ("rating", 4.8, 5.0)]
    assert "Tortino cuore caldo" in rows["misya"][0]["title"]
    # one review marked up twice (microdata and JSON-LD) is one review
    assert [row["author"] for row in rows["songkick"]] == ["benjolley1"]
    assert "Report as inappropriate" not in rows["songkick"][0]["text"]
    for name in ("microdata", "broken-jsonld"):
        found = {row["author"]: row for row in rows[name] if row["kind"] == "review"}
        assert set(found) == {"Ellie", "Lucas"}, name
        assert (found["Ellie"]["rating"], found["Ellie"]["best_rating"]) == (1.0, 5.0)
        assert found["Ellie"]["negative"] is True  # the 1/5 rating reached the detector
        assert found["Lucas"]["title"] == 'Kenmore White 17" Microwave — Value purchase'


def test_italian_page_without_markup_is_read_with_configured_selectors(
        site, settings_file, monitor_cli):
    url = site.add("/negozio.html", (FIXTURES / "reviews/negozio-it.html").read_bytes(),
                   content_type="text/html; charset=utf-8")
    config = settings_file(sources=[
        {"name": "recensioni", "type": "reviews", "url": url, "selectors": ITALIAN_SELECTORS},
        {"name": "brand-only", "type": "reviews", "url": url, "selectors": ITALIAN_SELECTORS,
         "all_reviews_are_mentions": False}])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    found = mentions(monitor_cli, config)
    # no review names the brand: only the source that takes every review stores them
    assert {row["source"] for row in found} == {"recensioni"}
    rows = {row["author"]: row for row in found}
    assert set(rows) == {"Marco Rossi", "Giulia B.", "Anna"}
    marco = rows["Marco Rossi"]
    assert (marco["rating"], marco["best_rating"]) == (1.0, 5.0)
    assert marco["published_at"] == "2024-03-12"
    assert marco["url"] == url + "#rec-9101"
    assert marco["negative"] is True
    assert (rows["Anna"]["rating"], rows["Anna"]["best_rating"]) == (4.0, 5.0)
    assert rows["Giulia B."]["rating"] == 5.0
    for row in rows.values():
        for navigation in ("Chi siamo", "Accedi", "Dormibene", "Tutti i diritti", "Segnala"):
            assert navigation not in row["text"] and navigation not in row["title"]


def test_rescan_of_unchanged_reviews_fetches_one_page(site, settings_file, monitor_cli, pages):
    def publish(reviews):
        chunks = [reviews[start:start + 3] for start in range(0, len(reviews), 3)]
        for prefix in ("/r/", "/capped/"):
            for number, page in enumerate(chunks, start=1):
                following = f"{prefix}{number + 1}.html" if number < len(chunks) else None
                site.add(f"{prefix}{number}.html", pages.jsonld_review_page(page, following))

    def fetched(prefix="/r/"):
        return [path for path in site.paths() if path.startswith(prefix)]

    publish([pages.review(n) for n in range(9, 0, -1)])
    config = settings_file(sources=[
        {"name": "shop", "type": "reviews", "url": site.url("/r/1.html")},
        {"name": "capped", "type": "reviews", "url": site.url("/capped/1.html"),
         "max_pages": 2}])

    first = monitor_cli("scan", config=config)
    assert first.returncode == 0, first.stderr
    assert "15 new mentions" in first.stdout  # 9 + 6: max_pages stops the second source
    assert fetched() == ["/r/1.html", "/r/2.html", "/r/3.html"]
    assert fetched("/capped/") == ["/capped/1.html", "/capped/2.html"]
    site.requests.clear()

    second = monitor_cli("scan", config=config)
    assert "0 new mentions, 0 updated" in second.stdout
    assert fetched() == ["/r/1.html"]
    site.requests.clear()

    # a new review pushes the others one place down: pages 1 and 2 are read, not 3
    publish([pages.review(n) for n in range(10, 0, -1)])
    third = monitor_cli("scan", config=config)
    assert "2 new mentions, 0 updated" in third.stdout  # one per source
    assert fetched() == ["/r/1.html", "/r/2.html"]
    assert len([row for row in mentions(monitor_cli, config) if row["source"] == "shop"]) == 10


def test_edited_review_updates_its_row(site, settings_file, monitor_cli, pages):
    site.add("/reviews.html", pages.jsonld_review_page(
        [pages.review(1), pages.review(2, body="Ottimo negozio.")]))
    config = settings_file(sources=[{"name": "shop", "type": "reviews",
                                     "url": site.url("/reviews.html")}])
    assert "2 new mentions" in monitor_cli("scan", config=config).stdout
    edited = pages.review(2, rating=1, body="Aggiornamento: il secondo pacco non è mai arrivato, "
                                      "nessuno risponde.")
    site.add("/reviews.html", pages.jsonld_review_page([pages.review(1), edited]))

    result = monitor_cli("scan", config=config)

    assert "0 new mentions, 1 updated" in result.stdout
    rows = {row["author"]: row for row in mentions(monitor_cli, config)}
    assert len(rows) == 2
    assert rows["Cliente 2"]["text"].startswith("Aggiornamento")
    assert rows["Cliente 2"]["rating"] == 1.0 and rows["Cliente 2"]["negative"] is True


def test_review_page_disallowed_by_robots_txt_is_not_fetched(
        site, settings_file, monitor_cli, pages):
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    url = site.add("/private/reviews.html", pages.jsonld_review_page([pages.review(1)]))
    config = settings_file(sources=[{"name": "hidden", "type": "reviews", "url": url}])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 1
    assert "/private/reviews.html" not in site.paths()
    assert "source 'hidden' failed" in result.stderr and "robots.txt" in result.stderr


def test_source_whose_layout_changed_fails_and_then_shows_broken(
        site, settings_file, monitor_cli):
    fixture = FIXTURES / "reviews"
    url = site.add("/negozio.html", (fixture / "negozio-it.html").read_bytes(),
                   content_type="text/html; charset=utf-8")
    config = settings_file(sources=[{"name": "recensioni", "type": "reviews", "url": url,
                                     "selectors": ITALIAN_SELECTORS}])
    assert monitor_cli("scan", config=config).returncode == 0
    site.add("/negozio.html", (fixture / "negozio-it-redesign.html").read_bytes(),
             content_type="text/html; charset=utf-8")

    results = [monitor_cli("scan", config=config) for _ in range(3)]

    assert [r.returncode for r in results] == [1, 1, 1]
    assert LAYOUT_MESSAGE in results[0].stderr
    listing = monitor_cli("sources", config=config)
    assert listing.returncode == 0
    line = next(line for line in listing.stdout.splitlines() if line.startswith("recensioni"))
    assert "reviews" in line and LAYOUT_MESSAGE in line and "BROKEN" in line
    assert line.split()[-1] == "BROKEN" and " 3 " in line
