"""The digest and the follow-ups together: links into the inbox, "still open" read from
follow-up status, and retention that never deletes a mention with a follow-up."""

from __future__ import annotations

from monitor.config import load_settings
from monitor.followup.actions import change_followup
from monitor.storage import Storage
from tests.notify.helpers import database, mention, parts, seed, write_config


def test_digest_links_each_complaint_to_its_follow_up_and_drops_resolved_ones(
        settings_file, smtp_server, monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server,
                          digest={"base_url": "https://inbox.bottega.example/"})
    old_open, old_done = seed(config, mention("Pacco sparito", "Bottega Aurora: pacco sparito"),
                              mention("Rimborso lento", "Bottega Aurora: rimborso lento"))
    assert monitor_cli("digest", config=config, env=server.env()).returncode == 0
    with Storage(load_settings(config).database_path) as storage:
        done = storage.followup_ids_by_mention([old_done])[old_done]
        change_followup(storage, done, "assign", by="monitor", assignee="Anna")
        change_followup(storage, done, "contacted", by="Anna")
        change_followup(storage, done, "resolve", by="Anna")
        open_id = storage.followup_ids_by_mention([old_open])[old_open]
    [new] = seed(config, mention("Mai arrivato", "Bottega Aurora: ordine mai arrivato"))

    result = monitor_cli("digest", config=config, env=server.env())

    assert result.returncode == 0, result.stderr
    text, html = parts(server.messages[-1])
    with Storage(load_settings(config).database_path) as storage:
        new_followup = storage.followup_ids_by_mention([new])[new]
    assert f'href="https://inbox.bottega.example/followups/{new_followup}"' in html
    assert f"https://inbox.bottega.example/followups/{new_followup}" in text
    still_open = text.split("Ancora aperti")[1].split("==", 2)[1]
    assert "Pacco sparito" in still_open and "da assegnare" in still_open
    assert f"/followups/{open_id}" in still_open
    assert "Rimborso lento" not in text  # resolved: no longer open


def test_prune_keeps_a_mention_dismissed_as_not_a_complaint(settings_file, monitor_cli):
    config = settings_file(
        sources=[{"name": "Il blog di Giulia", "type": "feed", "url": "http://g.example/"}],
        storage={"keep_days": 1})
    [flagged] = seed(config, mention("Falso allarme", "Bottega Aurora: tutto bene in realtà"))
    with Storage(load_settings(config).database_path) as storage:
        followup = storage.followup_ids_by_mention([flagged])[flagged]
        change_followup(storage, followup, "dismiss", by="monitor", reason="not a complaint")
        storage.db.execute("update mentions set found_at = '2020-01-01T00:00:00+00:00'")

    result = monitor_cli("prune", config=config)

    assert result.returncode == 0, result.stderr
    with database(config) as db:
        assert db.execute("select count(*) from mentions").fetchone()[0] == 1
        assert db.execute("select human_negative from mentions").fetchone()[0] == 0
