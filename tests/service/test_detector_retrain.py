"""Learning from the shop's own labels: `monitor detector retrain` refits a head on them and
adopts it only when cross-validation says it is no worse; `monitor evaluate` shows the
shipped detector and the shop's head side by side; `monitor run` retrains every 20 labels."""

from __future__ import annotations

import json

from monitor.service.detector import retrain_due
from monitor.storage import Storage
from tests.service.helpers import ServiceProcess, wait_until

COMPLAINTS = [
    "Bottega Aurora: ordine pagato il 3 marzo, ancora niente e nessuna risposta alle email.",
    "Il pacco di Bottega Aurora è arrivato con il vaso rotto, chiedo il rimborso.",
    "Bottega Aurora non risponde al telefono da una settimana, sono molto deluso.",
    "Tracking di Bottega Aurora fermo da dieci giorni, nessuno sa dove sia il pacco.",
    "Reso spedito a Bottega Aurora un mese fa, il rimborso non è mai arrivato.",
    "Bottega Aurora mi ha addebitato due volte lo stesso ordine.",
    "Le tazze di Bottega Aurora si sono crepate al primo lavaggio.",
    "Bottega Aurora: colore completamente diverso dalla foto, pessima esperienza.",
    "Never again with Bottega Aurora: the parcel never arrived and support ignores me.",
    "Bottega Aurora sent the wrong size and refuses the return.",
    "The Bottega Aurora mug arrived chipped and nobody answered my two emails.",
    "Bottega Aurora charged my card but the order was cancelled without a refund.",
    "Bottega Aurora, consegna in ritardo di tre settimane senza avvisi.",
]
PRAISE = [
    "Bottega Aurora ha spedito in due giorni, tutto perfetto.",
    "Tovaglie bellissime da Bottega Aurora, imballate con cura.",
    "Servizio clienti di Bottega Aurora gentilissimo, consigliato.",
    "Da Bottega Aurora ho trovato il regalo perfetto per mia madre.",
    "Reso gestito da Bottega Aurora in un giorno, rimborso immediato.",
    "Le ceramiche di Bottega Aurora sono ancora più belle dal vivo.",
    "Lovely napkins from Bottega Aurora, fast delivery.",
    "Bottega Aurora packed everything beautifully, five stars.",
    "Great experience with Bottega Aurora, will order again.",
    "Bottega Aurora answered my question within an hour.",
    "Bottega Aurora's linen is soft and well made.",
    "Ordine da Bottega Aurora arrivato in anticipo, bravi.",
    "Bottega Aurora ha colori stupendi e prezzi onesti.",
]


def labelled_database(site, settings_file, monitor_cli, rss, env=None, labels=None,
                      **sections) -> tuple:
    """A database of the scanned COMPLAINTS and PRAISE, the first `labels` of them (all by
    default) marked by staff; returns (settings file, database)."""
    items = [{"title": text[:40], "link": f"http://blog.example/{n}", "guid": f"g{n}",
              "description": text} for n, text in enumerate(COMPLAINTS + PRAISE)]
    url = site.add("/feed.xml", rss(*items))
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}],
                           storage={"database": "monitor.db"}, **sections)
    assert monitor_cli("scan", config=config, env=env).returncode == 0
    database = config.parent / "monitor.db"
    with Storage(database) as storage:
        for row in storage.mentions()[:labels]:
            storage.mark_mention(row["id"], row["text"] in COMPLAINTS)
    return config, database


def model_of_a_new_complaint(site, monitor_cli, rss, config, database, env) -> str:
    """Scan a feed with one new complaint; return the model its mention records."""
    item = {"title": "Nuovo", "link": "http://blog.example/new", "guid": "new",
            "description": "Bottega Aurora: il pacco non è mai arrivato."}
    site.add("/feed.xml", rss(item))
    assert monitor_cli("scan", config=config, env=env).returncode == 0
    with Storage(database) as storage:
        return next(row["model"] for row in storage.mentions() if row["title"] == "Nuovo")


def test_retrain_refits_on_the_labels_and_evaluate_shows_both(
        site, settings_file, monitor_cli, rss, encoder_on):
    config, database = labelled_database(site, settings_file, monitor_cli, rss, encoder_on)
    with Storage(database) as storage:
        assert retrain_due(storage)  # 26 labels, no refit yet

    result = monitor_cli("detector", "retrain", config=config, env=encoder_on)

    assert result.returncode == 0, result.stderr
    assert "Refit on 26 labels" in result.stdout
    with Storage(database) as storage:
        head = storage.last_head()
        assert not retrain_due(storage)
    assert head["labels"] == 26 and head["model"] == "shop-1"
    assert ("adopted: shop-1" in result.stdout) == bool(head["adopted"])
    evaluate = monitor_cli("evaluate", config=config, env=encoder_on)
    assert evaluate.returncode == 0, evaluate.stderr
    assert "shipped detector:" in evaluate.stdout and "shop's own head:" in evaluate.stdout
    status = monitor_cli("status", "--json", config=config, env=encoder_on)
    detector = json.loads(status.stdout)["detector"]
    assert detector["last_refit"]["labels"] == 26 and detector["labels"] == 26


def test_a_scan_after_an_adopted_refit_records_the_shops_model(
        site, settings_file, monitor_cli, rss, encoder_on):
    config, database = labelled_database(site, settings_file, monitor_cli, rss, encoder_on)
    assert monitor_cli("detector", "retrain", config=config, env=encoder_on).returncode == 0
    with Storage(database) as storage:
        adopted = storage.adopted_head()
    model = model_of_a_new_complaint(site, monitor_cli, rss, config, database, encoder_on)
    assert model == (adopted["model"] if adopted else model)
    assert model.startswith("shop-" if adopted else "e5")


def test_a_head_fitted_for_an_earlier_shipped_model_is_not_applied_until_refit(
        site, settings_file, monitor_cli, rss, encoder_on):
    config, database = labelled_database(site, settings_file, monitor_cli, rss, encoder_on)
    assert monitor_cli("detector", "retrain", config=config, env=encoder_on).returncode == 0
    with Storage(database) as storage:  # as a release with another shipped model finds it
        head = storage.last_head()
        weights = json.loads(head["weights"]) | {"base": "e5-0"}
        storage.db["detector_heads"].update(head["id"], {"weights": json.dumps(weights),
                                                         "adopted": 1})
        assert retrain_due(storage)
    model = model_of_a_new_complaint(site, monitor_cli, rss, config, database, encoder_on)
    assert model.startswith("e5-") and model != "e5-0"
    status = monitor_cli("status", "--json", config=config, env=encoder_on)
    assert json.loads(status.stdout)["detector"]["shop_head"] is None
    assert monitor_cli("detector", "retrain", config=config, env=encoder_on).returncode == 0
    with Storage(database) as storage:
        assert json.loads(storage.last_head()["weights"])["base"] == model
        assert not retrain_due(storage)


def test_retrain_without_the_encoder_says_why_and_keeps_the_shipped_detector(
        site, settings_file, monitor_cli, rss):
    config, database = labelled_database(site, settings_file, monitor_cli, rss)

    result = monitor_cli("detector", "retrain", config=config, env={"MONITOR_ENCODER": "off"})

    assert result.returncode == 1
    assert "encoder" in result.stderr and "MONITOR_ENCODER" in result.stderr
    with Storage(database) as storage:
        assert storage.last_head() is None



def test_run_refits_once_the_shop_has_given_twenty_new_labels(
        site, settings_file, monitor_cli, rss, encoder_on, tmp_path):
    config, database = labelled_database(
        site, settings_file, monitor_cli, rss, encoder_on, labels=19,
        schedule={"scan_every": "2s", "scan_timeout": "60s", "stop_grace": "10s"})

    def heads() -> list[int]:
        with Storage(database) as storage:
            last = storage.last_head()
        return [last["labels"]] if last else []

    def scans_started() -> int:
        return service.log.count("started `monitor scan`")

    service = ServiceProcess(config, tmp_path / "run.log", env=encoder_on)
    try:
        # 19 labels: scans go on, no refit.
        wait_until(lambda: scans_started() >= 3, 60, "three scheduled scans")
        assert heads() == [] and "started `monitor detector retrain`" not in service.log
        # The 20th label: the next scan is followed by a refit on the 20.
        with Storage(database) as storage:
            row = next(row for row in storage.mentions() if row["human_negative"] is None)
            storage.mark_mention(row["id"], row["text"] in COMPLAINTS)
        wait_until(lambda: heads() == [20], 90, "a refit on the 20 labels")
        # Scans go on; with no new label there is no second refit.
        scans = scans_started()
        wait_until(lambda: scans_started() >= scans + 2, 60, "two more scheduled scans")
        assert service.log.count("started `monitor detector retrain`") == 1, service.log
        assert service.stop() == 0
    finally:
        service.kill()
