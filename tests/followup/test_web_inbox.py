"""The web inbox in a real headless Chromium, against a real server on 127.0.0.1 (English)."""

from __future__ import annotations

import pytest

from tests.followup.helpers import HOSTILE_TEXT, make_settings, seeded_storage

WRONG = "wrong password"


@pytest.fixture
def inbox(tmp_path, serve_inbox):
    """A seeded database and the English web inbox serving it."""
    settings = make_settings(tmp_path, web={"language": "en"})
    storage = seeded_storage(settings)
    yield {"url": serve_inbox(settings, storage), "storage": storage}
    storage.close()


@pytest.fixture
def page(open_page):
    return open_page()  # a phone


def followup_id(storage, key: str) -> int:
    return storage.db.execute("select f.id from followups f join mentions m on"
                              " m.id = f.mention_id where m.key = ?", [key]).fetchone()[0]


def test_a_page_without_login_redirects_to_the_login_page_and_back(inbox, page):
    target = followup_id(inbox["storage"], "late")
    page.goto(f"{inbox['url']}/followups/{target}")
    assert "/login?next=" in page.url
    assert page.locator("h1").inner_text() == "Log in to the complaints inbox"
    page.select_option("#name", "Anna")
    page.fill("#password", WRONG)
    page.click("#log-in")
    assert "Wrong name or password" in page.locator(".flash").inner_text()
    page.fill("#password", "sole-di-maggio")
    page.click("#log-in")
    assert page.url.endswith(f"/followups/{target}")
    assert page.locator("h1").inner_text() == "Consegna in ritardo"


def test_staff_filter_open_assign_contact_and_resolve_a_complaint(inbox, page, log_in):
    storage, url = inbox["storage"], inbox["url"]
    log_in(page, url)
    assert page.locator("article.followup").count() == 3
    page.select_option("select[name=severity]", "critical")
    page.click("button:has-text('Filter')")
    assert page.locator("article.followup a").all_inner_texts() == ["Una truffa?"]
    page.goto(f"{url}/followups")
    page.fill("input[name=q]", "ritardo")
    page.press("input[name=q]", "Enter")
    assert page.locator("article.followup a").all_inner_texts() == ["Consegna in ritardo"]

    page.click("article.followup a")
    target = followup_id(storage, "late")
    assert page.url.endswith(f"/followups/{target}")
    page.select_option("form[action$='/assign'] select[name=assignee]", "Marco")
    page.click("#assign")
    assert page.locator("#status").inner_text() == "assigned"
    assert page.locator("#assignee").inner_text() == "Marco"
    page.fill("form[action$='/contacted'] input[name=note]", "Telefonato, pacco rispedito")
    page.click("#contacted")
    assert page.locator("#status").inner_text() == "customer contacted"
    page.click("#resolve")
    assert page.locator("#status").inner_text() == "resolved"
    assert page.locator("#resolve").count() == 0  # closed: notes, or reopen

    history = page.locator("#history").inner_text()
    assert "Telefonato, pacco rispedito" in history
    assert "customer contacted → resolved" in history
    row = storage.followup(target)
    assert (row["status"], row["assignee"]) == ("resolved", "Marco")
    assert row["first_contact_at"] and row["resolved_at"]
    events = storage.followup_events(target)
    assert [(e["action"], e["by"]) for e in events] == [
        ("open", "monitor"), ("assign", "Anna"), ("contacted", "Anna"), ("resolve", "Anna")]
    # A phone screen shows it all without scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_refused_action_says_why(inbox, page, log_in):
    log_in(page, inbox["url"])
    target = followup_id(inbox["storage"], "fraud")
    page.goto(f"{inbox['url']}/followups/{target}")
    page.click("#resolve")
    assert "mark it contacted before resolving it" in page.locator(".flash").inner_text()
    assert inbox["storage"].followup(target)["status"] == "new"


def test_a_hostile_review_shows_as_text(inbox, page, log_in):
    log_in(page, inbox["url"])
    target = followup_id(inbox["storage"], "hostile")
    page.goto(f"{inbox['url']}/followups/{target}")
    assert page.locator("#text").inner_text() == HOSTILE_TEXT
    assert page.locator("#text script, #text img").count() == 0
    assert page.title() != "pwned"
    page.goto(f"{inbox['url']}/followups?q=onerror")
    assert page.locator("article.followup img, article.followup script").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("article.followup").inner_text()


def test_a_form_post_without_csrf_token_is_refused(inbox, page, log_in):
    storage = inbox["storage"]
    log_in(page, inbox["url"])
    target = followup_id(storage, "fraud")
    before = len(storage.followup_events(target))
    response = page.request.post(f"{inbox['url']}/followups/{target}/note",
                                 form={"note": "forged"})
    assert response.status == 400 and "Form refused" in response.text()
    assert len(storage.followup_events(target)) == before
    anonymous = page.context.browser.new_context()
    try:
        response = anonymous.request.post(f"{inbox['url']}/followups/{target}/note",
                                          form={"note": "forged"}, max_redirects=0)
        assert response.status in (302, 400)
    finally:
        anonymous.close()
    assert len(storage.followup_events(target)) == before


def test_sources_and_statistics_pages(inbox, page, log_in):
    log_in(page, inbox["url"])
    page.click("a:has-text('Sources')")
    assert page.locator("section.card strong").all_inner_texts() == ["Blog", "Recensioni"]
    page.click("a:has-text('Statistics')")
    bars = page.locator("figure svg").first.locator("rect")
    assert bars.count() == 30
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(30)]
    assert heights[-1] > 0  # today's complaints
    assert "under 1 day" in page.locator("#ages").inner_text()
