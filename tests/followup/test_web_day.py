"""A support person's day in the inbox, in Italian and in English, in a real Chromium on
a phone: log in, the critical complaint first, open it, copy the reply draft, mark the
customer contacted, resolve, reopen. Also: the language kept with the account, hostile
text in the draft, and the screenshots in docs/screenshots/ that README.md shows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.i18n.labels import SEVERITY_COLORS
from tests.followup.helpers import add_mention, make_settings, morning_storage

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SIGNATURE = "{staff}\nBottega Aurora, servizio clienti"
ORDER = ["Addebitato due volte, sembra una truffa", "Pacco in ritardo di due settimane",
         "Arrived crushed", "Tracking che non funziona", "Pricey"]
WORDS = {
    "it": {"critical": "CRITICO: 1", "badge": "CRITICO", "contacted": "cliente contattato",
           "resolved": "risolto", "assigned": "assegnato", "reopened": "riaperto",
           "what_to_do": "Urgente: il titolare contatti il cliente di persona",
           "copied": "Copiata", "age": "giorni fa", "reason": "reclamo"},
    "en": {"critical": "CRITICAL: 1", "badge": "CRITICAL", "contacted": "customer contacted",
           "resolved": "resolved", "assigned": "assigned", "reopened": "reopened",
           "what_to_do": "Urgent: the owner should contact the customer personally",
           "copied": "Copied", "age": "days ago", "reason": "complaint"},
}


@pytest.fixture
def morning(tmp_path, serve_inbox):
    """The inbox of a shop whose staff read it in `language` (set per test)."""
    opened = []

    def start(language: str):
        (tmp_path / language).mkdir()
        settings = make_settings(tmp_path / language, web={"language": language,
                                                           "signature": SIGNATURE})
        storage = morning_storage(settings)
        opened.append(storage)
        return serve_inbox(settings, storage), storage

    yield start
    for storage in opened:
        storage.close()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_critical_complaint_first_then_draft_contact_resolve_and_reopen(
        language, morning, open_page, log_in):
    words = WORDS[language]
    url, storage = morning(language)
    page = open_page()  # a phone
    log_in(page, url)

    assert page.locator("html").get_attribute("lang") == language
    assert words["critical"] in page.locator("#severity-counts").inner_text()
    first = page.locator("article.followup").first
    assert first.get_attribute("data-severity") == "critical"
    assert page.locator("article.followup a").all_inner_texts() == ORDER
    assert words["badge"] in first.inner_text() and words["age"] in first.inner_text()

    first.locator("a").click()
    assert words["what_to_do"] in page.locator("#what-to-do").inner_text()
    assert words["reason"] in page.locator("section.card").first.inner_text()
    draft = page.locator("#draft").input_value()
    # The customer wrote in Italian: the draft is Italian whatever the inbox's language.
    assert draft.startswith("Gentile Marco B.,\n")
    assert "il suo ordine e il suo pagamento" in draft
    assert "«addebitato due volte» e «sembra una truffa»" in draft
    assert draft.endswith("Cordiali saluti,\nAnna\nBottega Aurora, servizio clienti")
    assert page.locator("#draft").get_attribute("lang") == "it"
    page.fill("#draft", draft + "\nP.S. Ci sentiamo oggi.")
    page.click("#copy-draft")
    page.locator("#copy-status").filter(has_text=words["copied"]).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == draft + "\nP.S. Ci sentiamo oggi."
    assert page.locator("#original").get_attribute("href").startswith("http://reviews.example/")

    page.click("#contacted")
    assert page.locator("#status").inner_text() == words["contacted"]
    page.click("#resolve")
    assert page.locator("#status").inner_text() == words["resolved"]
    page.fill("#reopen-reason", "Ha scritto di nuovo")
    page.click("#reopen")
    assert page.locator("#status").inner_text() == words["assigned"]
    history = page.locator("#history").inner_text()
    assert words["reopened"] in history and "Ha scritto di nuovo" in history
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = storage.followup(int(page.url.rsplit("/", 1)[1]))
    assert (row["status"], row["assignee"], row["resolved_at"]) == ("assigned", "Anna", None)


def test_each_person_keeps_their_own_language(morning, open_page, log_in):
    url, storage = morning("it")
    anna = open_page()
    log_in(anna, url, "Anna")
    assert anna.locator("h1").first.inner_text().startswith("Reclami")
    with anna.expect_navigation():
        anna.select_option("#language", "en")  # the script sends the form
    assert anna.locator("h1").first.inner_text().startswith("Complaints")
    assert storage.staff_language("Anna") == "en"
    marco = open_page()
    log_in(marco, url, "Marco")
    assert marco.locator("h1").first.inner_text().startswith("Reclami")
    again = open_page()
    log_in(again, url, "Anna")
    assert again.locator("h1").first.inner_text().startswith("Complaints")


def test_hostile_text_stays_text_in_the_draft(morning, open_page, log_in):
    url, storage = morning("en")
    add_mention(storage, "hostile-draft", title="Hostile", language="en",
                author='</textarea><script>document.title="pwned"</script>',
                reasons=['complaint: "<img src=x onerror=alert(1)>" (delivery)'])
    target = storage.db.execute("select f.id from followups f join mentions m on"
                                " m.id = f.mention_id where m.key = 'hostile-draft'").fetchone()[0]
    page = open_page()
    log_in(page, url)
    page.goto(f"{url}/followups/{target}")
    draft = page.locator("#draft").input_value()
    assert draft.startswith('Dear </textarea><script>document.title="pwned"</script>,')
    assert "“<img src=x onerror=alert(1)>”" in draft
    assert page.locator("script:not([src]), img").count() == 0
    assert page.title() != "pwned"


def test_the_inbox_wears_the_digest_colours():
    css = (ROOT / "monitor/followup/web/static/inbox.css").read_text(encoding="utf-8")
    for severity, colour in SEVERITY_COLORS.items():
        assert f".sev-{severity} {{ background: {colour};" in css


@pytest.mark.parametrize("device, viewport", [("desktop", {"width": 1280, "height": 900}),
                                              ("phone", {"width": 390, "height": 844})])
def test_screenshots_of_the_italian_inbox(device, viewport, morning, open_page, log_in,
                                          tmp_path):
    """The list and a complaint's page: into docs/screenshots/ (README.md shows them) with
    `make screenshots` (MONITOR_SCREENSHOTS=1), else into a temporary folder, so that a test
    run leaves the checkout as it was."""
    folder = SCREENSHOTS if os.environ.get("MONITOR_SCREENSHOTS") == "1" else tmp_path
    url, _ = morning("it")
    page = open_page(viewport)
    log_in(page, url)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"inbox-{device}.png", full_page=True)
    page.locator("article.followup a").first.click()
    page.screenshot(path=folder / f"complaint-{device}.png", full_page=True)
    for name in (f"inbox-{device}.png", f"complaint-{device}.png"):
        assert (folder / name).stat().st_size > 10_000


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_missed_complaint_is_marked_from_the_other_mentions(
        language, morning, open_page, log_in):
    url, storage = morning(language)
    missed = add_mention(storage, "missed", title="Ordine sparito",
                         text="Ho scritto due volte <b>e nessuno</b> mi ha risposto, boh.",
                         negative=False, severity="low", categories=())
    add_mention(storage, "praise", title="Tovaglie belle", text="Tutto perfetto.",
                negative=False, severity="low", categories=())
    page = open_page()
    log_in(page, url)

    page.click("nav >> text=" + {"it": "Altre menzioni", "en": "Other mentions"}[language])
    cards = page.locator("article.mention")
    assert cards.locator("strong").all_inner_texts() == ["Tovaglie belle", "Ordine sparito"]
    assert "<b>e nessuno</b>" in cards.nth(1).inner_text()  # web text stays text
    cards.nth(1).locator("button").click()

    assert page.url.rsplit("/", 1)[1] == str(storage.followup_ids_by_mention([missed])[missed])
    assert page.locator("h1").first.inner_text() == "Ordine sparito"
    assert storage.mention(missed)["human_negative"] is True
    assert page.locator("article.mention").count() == 0  # the complaint page now
    page.goto(url + "/mentions")
    assert page.locator("article.mention strong").all_inner_texts() == ["Tovaglie belle"]
