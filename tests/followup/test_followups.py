"""Follow-ups: the state machine, its history, the metrics on a fixed clock, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import ConfigError, load_settings
from monitor.followup.actions import change_followup, followup_metrics, open_followups
from monitor.followup.states import TransitionRefused, compute_metrics, plan_change
from tests.followup.helpers import add_mention, make_settings, seeded_storage

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def followup(status: str, assignee: str | None = None) -> dict:
    return {"id": 7, "status": status, "assignee": assignee}


@pytest.mark.parametrize("status, action, kwargs, message", [
    ("new", "resolve", {}, "follow-up 7 is not assigned: mark it contacted before resolving"),
    ("assigned", "resolve", {}, "follow-up 7 is assigned: mark it contacted before"),
    ("contacted", "contacted", {}, "already marked contacted: add a note"),
    ("resolved", "assign", {"assignee": "Anna"}, "follow-up 7 is already resolved: it can "
     "take notes only, or be reopened"),
    ("dismissed", "contacted", {}, "already dismissed"),
    ("new", "dismiss", {"reason": "boring"}, "must be one of 'not a complaint' / 'not ours'"),
    ("new", "assign", {}, "say who to assign it to"),
    ("new", "note", {"note": "  "}, "a note needs some text"),
    ("new", "close", {}, "unknown action 'close'"),
    ("assigned", "reopen", {"reason": "wrote again"}, "follow-up 7 is assigned, not resolved "
     "or dismissed: there is nothing to reopen"),
    ("resolved", "reopen", {"reason": "  "}, "follow-up 7: say why it is reopened"),
])
def test_invalid_transitions_are_refused_with_the_reason(status, action, kwargs, message):
    with pytest.raises(TransitionRefused, match=message):
        plan_change(followup(status), action, by="Anna", at="2026-11-20T10:00:00+00:00",
                    **kwargs)


def test_the_whole_path_new_assigned_contacted_resolved():
    at = "2026-11-20T10:00:00+00:00"
    change = plan_change(followup("new"), "assign", by="Marco", at=at, assignee="Anna")
    assert (change.from_status, change.to_status) == ("new", "assigned")
    assert change.updates["assignee"] == "Anna"
    change = plan_change(followup("assigned", "Anna"), "contacted", by="Anna", at=at)
    assert change.to_status == "contacted" and change.updates["first_contact_at"] == at
    change = plan_change(followup("contacted", "Anna"), "resolve", by="Anna", at=at)
    assert change.to_status == "resolved" and change.updates["closed_at"] == at
    # Re-assigning a contacted follow-up keeps it contacted.
    change = plan_change(followup("contacted", "Anna"), "assign", by="Anna", at=at,
                         assignee="Marco")
    assert change.to_status == "contacted"


def test_history_keeps_every_change_and_the_label_of_a_dismissal(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))
    assert storage.open_followups_for_new_negatives() == 0  # idempotent
    first = storage.list_followups(order="oldest")[0]["id"]
    change_followup(storage, first, "assign", by="Marco", assignee="Anna", now=NOW)
    change_followup(storage, first, "note", by="Anna", note="Chiamata, nessuna risposta",
                            now=NOW + timedelta(hours=1))
    with pytest.raises(TransitionRefused, match="mark it contacted before resolving"):
        change_followup(storage, first, "resolve", by="Anna")
    change_followup(storage, first, "dismiss", by="Anna", reason="not a complaint",
                            now=NOW + timedelta(hours=2))
    events = storage.followup_events(first)
    assert [(e["action"], e["from_status"], e["to_status"], e["by"]) for e in events] == [
        ("open", None, "new", "monitor"), ("assign", "new", "assigned", "Marco"),
        ("note", "assigned", "assigned", "Anna"), ("dismiss", "assigned", "dismissed", "Anna")]
    assert events[2]["note"] == "Chiamata, nessuna risposta"
    assert events[3]["reason"] == "not a complaint"
    row = storage.followup(first)
    assert storage.mention(row["mention_id"])["human_negative"] is False
    # The human label makes it no complaint: no follow-up is opened again for it.
    assert storage.open_followups_for_new_negatives() == 0
    assert all(r["id"] != first for r in open_followups(storage, NOW))


def test_a_mention_marked_negative_by_a_person_opens_a_followup(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))
    praise = storage.db.execute("select id from mentions where key = 'praise'").fetchone()[0]
    storage.mark_mention(praise, True)
    assert storage.followup_counts()["status"]["new"] == 4  # opened at once, by trigger
    assert storage.open_followups_for_new_negatives() == 0
    opened = storage.list_followups(search="perfetto")[0]
    assert [e["action"] for e in storage.followup_events(opened["id"])] == ["open"]


def test_open_followups_for_new_negatives_catches_up_on_older_mentions(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))
    storage.db.execute("drop trigger followups_open_au")  # as before migration m040
    praise = storage.db.execute("select id from mentions where key = 'praise'").fetchone()[0]
    storage.mark_mention(praise, True)
    assert storage.followup_counts()["status"]["new"] == 3
    assert storage.open_followups_for_new_negatives() == 1
    assert storage.open_followups_for_new_negatives() == 0
    assert storage.followup_counts()["status"]["new"] == 4


def test_text_search_finds_words_without_accents_and_takes_operators_literally(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))
    assert [r["title"] for r in storage.list_followups(search="e IN RITARDO")] == [
        "Consegna in ritardo"]
    assert [r["title"] for r in storage.list_followups(search="truffa")] == ["Una truffa?"]
    assert storage.list_followups(search='"NEAR( AND') == []
    assert storage.list_followups(search="perfetto") == []  # praise has no follow-up


def test_other_mentions_search_every_word_newest_first_page_by_page(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))  # "Tutto perfetto" is not flagged
    for n in range(5):
        add_mention(storage, f"pacco-{n}", title=f"Pacco {n}", text="Il pacco è arrivato.",
                    negative=False, severity="low", categories=())
    add_mention(storage, "altro", title="Altro", text="Il pacco di un altro negozio.",
                negative=True, severity="low", categories=())

    def titles(search, offset=0):
        return [row["title"] for row in storage.unflagged_mentions(search=search, limit=2,
                                                                   offset=offset)]

    assert titles("PACCO arrivato") == ["Pacco 4", "Pacco 3"]  # complaints are not here
    assert titles("pacco arrivato", offset=4) == ["Pacco 0"]
    assert titles("perfetto") == ["Bellissimo"]
    assert titles(None) == ["Pacco 4", "Pacco 3"]
    assert titles('"NEAR( AND') == []


def metric_row(status, opened, contact=None, resolved=None):
    iso = lambda moment: moment and moment.isoformat()  # noqa: E731
    return {"status": status, "opened_at": iso(opened), "first_contact_at": iso(contact),
            "resolved_at": iso(resolved)}


def test_metrics_on_a_fixed_clock():
    hours = lambda n: timedelta(hours=n)  # noqa: E731
    rows = [
        metric_row("new", NOW - hours(2)),                                  # under 1 day
        metric_row("assigned", NOW - hours(30)),                            # 1-3 days
        metric_row("contacted", NOW - hours(100), NOW - hours(96)),         # 3-7 days, 4 h
        metric_row("new", NOW - timedelta(days=20)),                        # over 7 days
        metric_row("resolved", NOW - hours(50), NOW - hours(48), NOW - hours(40)),  # 2 h, 10 h
        metric_row("resolved", NOW - timedelta(days=9), NOW - timedelta(days=9) + hours(6),
                   NOW - timedelta(days=8)),                                # 6 h, 24 h
        metric_row("dismissed", NOW - hours(5)),
    ]
    metrics = compute_metrics(rows, NOW, weeks=3)
    assert [b["count"] for b in metrics["open_by_age"]] == [1, 1, 1, 1]
    assert metrics["open_total"] == 4
    assert metrics["median_hours_to_contact"] == 4.0   # of 2, 4 and 6
    assert metrics["median_hours_to_resolve"] == 17.0  # of 10 and 24
    weeks = {w["week"]: w for w in metrics["weeks"]}
    assert list(weeks) == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert weeks["2026-11-16"]["opened"] == 5  # 20 Nov is a Friday: Mon 16 to now
    assert weeks["2026-11-16"]["median_hours_to_contact"] == 3.0
    assert weeks["2026-11-16"]["median_hours_to_resolve"] == 10.0
    assert weeks["2026-11-09"] == {"week": "2026-11-09", "opened": 1, "contacted": 1,
                                   "median_hours_to_contact": 6.0, "resolved": 1,
                                   "median_hours_to_resolve": 24.0}
    assert weeks["2026-11-02"]["median_hours_to_contact"] is None


def test_storage_metrics_and_open_followups_use_the_given_clock(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))
    later = datetime.now(UTC) + timedelta(days=4)
    rows = open_followups(storage, later)
    assert len(rows) == 3 and {r["age"] for r in rows} == {"3-7 days"}
    assert {"title", "url", "source", "severity", "status", "age_days"} <= set(rows[0])
    links = storage.followup_ids_by_mention([r["mention_id"] for r in rows] + [999])
    assert links == {r["mention_id"]: r["id"] for r in rows}
    assert followup_metrics(storage, later)["open_by_age"][2]["count"] == 3


@pytest.mark.parametrize("staff, message", [
    ('[[staff]]\nemail = "a@b.example"\n', r"staff\[0\].name: missing"),
    ('[[staff]]\nname = "Anna"\nemail = "nope"\n', r"staff\[0\].email: not an e-mail"),
    ('[[staff]]\nname = "Anna"\n[[staff]]\nname = "Anna"\n', r"staff\[1\].name: 'Anna' is "
     "used twice"),
    ('[[staff]]\nname = "Anna"\nphone = "1"\n', r"staff\[0\].phone: unknown key"),
    ('[web]\nport = 70000\n', "web.port: must be between 1 and 65535"),
    ('[web]\nbase_url = "inbox.example"\n', "web.base_url: must start with http"),
])
def test_bad_staff_and_web_settings_name_the_key(tmp_path, staff, message, write_settings):
    path = write_settings(tmp_path / "settings.toml")
    path.write_text(path.read_text() + staff)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_cli_follows_a_complaint_to_the_end(tmp_path, monitor_cli):
    settings = make_settings(tmp_path)
    seeded_storage(settings).close()
    config = settings.path

    listed = monitor_cli("followup", "list", "--json", config=config)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 3 and {r["status"] for r in rows} == {"new"}
    target = next(r["id"] for r in rows if r["title"] == "Una truffa?")

    refused = monitor_cli("followup", "resolve", str(target), "--by", "Anna", config=config)
    assert refused.returncode == 2
    assert f"follow-up {target} is not assigned: mark it contacted before resolving" \
        in refused.stderr
    italian = monitor_cli("followup", "resolve", str(target), "--by", "Anna", config=config,
                          env={"LANG": "it_IT.UTF-8"})
    assert f"reclamo {target} è da assegnare: segnalalo come cliente contattato" \
        in italian.stderr
    stranger = monitor_cli("followup", "assign", str(target), "Luca", "--by", "Anna",
                           config=config)
    assert stranger.returncode == 2 and "'Luca' is not a staff member" in stranger.stderr

    for args in (["assign", str(target), "Anna", "--by", "Marco"],
                 ["note", str(target), "Scritto al cliente", "--by", "Anna"],
                 ["contacted", str(target), "--by", "Anna", "--note", "Telefonato"],
                 ["resolve", str(target), "--by", "Anna"]):
        result = monitor_cli("followup", *args, config=config)
        assert result.returncode == 0, result.stderr
    assert "resolved, assigned to Anna" in result.stdout

    shown = monitor_cli("followup", "show", str(target), "--json", config=config)
    history = json.loads(shown.stdout)["history"]
    assert [e["to_status"] for e in history] == ["new", "assigned", "assigned", "contacted",
                                                 "resolved"]
    mine = monitor_cli("followup", "list", "--status", "all", "--assignee", "Anna",
                       config=config)
    assert mine.stdout.count("resolved") == 1 and "1 follow-up" in mine.stderr

    refused = monitor_cli("followup", "reopen", str(target), "--by", "Anna", config=config)
    assert refused.returncode == 2 and "--reason" in refused.stderr
    reopened = monitor_cli("followup", "reopen", str(target), "--by", "Marco",
                           "--reason", "Il cliente ha riscritto", config=config)
    assert reopened.returncode == 0, reopened.stderr
    assert f"Follow-up {target}: assigned, assigned to Anna." in reopened.stdout
    history = json.loads(monitor_cli("followup", "show", str(target), "--json",
                                     config=config).stdout)["history"]
    assert (history[-1]["action"], history[-1]["from_status"], history[-1]["to_status"],
            history[-1]["reason"], history[-1]["by"]) == (
        "reopen", "resolved", "assigned", "Il cliente ha riscritto", "Marco")
    row = json.loads(monitor_cli("followup", "show", str(target), "--json",
                                 config=config).stdout)
    assert row["resolved_at"] is None and row["first_contact_at"]


def test_cli_sets_a_staff_password_hashed(tmp_path, monitor_cli):
    settings = make_settings(tmp_path)
    result = monitor_cli("staff", "set-password", "Anna", "--password-stdin",
                         config=settings.path, input="correct horse\n")
    assert result.returncode == 0, result.stderr
    short = monitor_cli("staff", "set-password", "Anna", "--password-stdin",
                        config=settings.path, input="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    unknown = monitor_cli("staff", "set-password", "Luca", "--password-stdin",
                          config=settings.path, input="correct horse\n")
    assert unknown.returncode == 2 and "'Luca' is not a staff member" in unknown.stderr
    from werkzeug.security import check_password_hash

    from monitor.storage import Storage

    with Storage(settings.database_path) as storage:
        stored = storage.staff_password_hash("Anna")
    assert "correct horse" not in stored and check_password_hash(stored, "correct horse")


def test_reopening_a_not_a_complaint_dismissal_labels_it_negative_again(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))
    first = storage.list_followups(order="oldest")[0]["id"]
    change_followup(storage, first, "dismiss", by="Anna", reason="not a complaint")
    mention_id = storage.followup(first)["mention_id"]
    assert storage.mention(mention_id)["human_negative"] is False
    change_followup(storage, first, "reopen", by="Marco", reason="Era davvero un reclamo")
    row = storage.followup(first)
    assert (row["status"], row["dismiss_reason"], row["closed_at"]) == ("new", None, None)
    assert storage.mention(mention_id)["human_negative"] is True
    assert any(r["id"] == first for r in open_followups(storage, NOW))
    last = storage.followup_events(first)[-1]
    assert (last["action"], last["reason"], last["by"]) == (
        "reopen", "Era davvero un reclamo", "Marco")


def test_open_complaints_most_severe_first_then_unanswered_then_oldest(tmp_path):
    storage = seeded_storage(make_settings(tmp_path))  # late (medium), fraud (critical),
    for key, severity in (("high-old", "high"), ("high-new", "high")):  # hostile (medium)
        add_mention(storage, key, title=key, text=key, severity=severity)
    storage.db.execute("update followups set opened_at = '2026-11-01T00:00:00+00:00'"
                       " where mention_id = (select id from mentions where key = 'high-old')")
    late = next(r["id"] for r in storage.list_followups() if r["title"] == "Consegna in "
                "ritardo")
    change_followup(storage, late, "contacted", by="Anna")
    titles = [r["title"] for r in storage.list_followups(order="need")]
    assert titles == ["Una truffa?", "high-old", "high-new", "Nessuno risponde",
                      "Consegna in ritardo"]
    # The mention re-classified: its follow-up moves with it.
    storage.db.execute("update mentions set severity = 'critical' where key = 'high-new'")
    assert storage.list_followups(order="need", severity="critical")[1]["title"] == "high-new"
    counts = storage.followup_counts()
    assert counts["severity"] == {"critical": 2, "high": 1, "medium": 2, "low": 0, "": 0}
    assert counts["status"]["contacted"] == 1
