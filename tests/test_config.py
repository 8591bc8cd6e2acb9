"""settings.toml is validated at start: each error names its key and exits with 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_example_settings_are_valid():
    settings = load_settings(ROOT / "settings.toml")
    assert settings.brand.name == "Bottega Aurora"
    assert settings.crawl.obey_robots is True
    assert all(source.url.startswith("https://") for source in settings.sources)


def test_shipped_example_comments_every_key():
    lines = (ROOT / "settings.toml").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith("["):
            above = index - 1
            while lines[above].startswith("["):  # a table header documented just above it
                above -= 1
            previous = lines[above].strip()
            assert previous.startswith("#") or "=" in previous, f"uncommented key: {line}"


@pytest.mark.parametrize("change, message", [
    ({"brand": {"colour": "red"}}, "brand.colour: unknown key"),
    ({"crawl": {"download_delay": "fast"}}, "crawl.download_delay: must be a number"),
    ({"crawl": {"obey_robots": 1}}, "crawl.obey_robots: must be true or false"),
    ({"digest": {"language": "fr"}}, "digest.language: must be one of en, it"),
    ({"web": {"language": "de"}}, "web.language: must be one of en, it"),
    ({"web": {"signature": "{staff} di {shop}"}}, "web.signature: unknown placeholder {shop}"),
    ({"web": {"signature": "Bottega {"}}, "web.signature: Single '{' encountered"),
    ({"web": {"signature": "x" * 501}}, "web.signature: at most 500 characters"),
    ({"digest": {"time": "8 o'clock"}}, "digest.time: must be HH:MM"),
    ({"digest": {"timezone": "Mars/Olympus"}}, "digest.timezone: unknown time zone"),
    ({"smtp": {"security": "tls"}}, "smtp.security: must be one of none, starttls, ssl"),
    ({"storage": {"database": 3}}, "storage.database: must be a string"),
    ({"cache": {"size": 3}}, "cache: unknown section"),
    ({"brand": {"aliases": "BA"}}, "brand.aliases: must be a list of strings"),
])
def test_bad_values_name_their_key(tmp_path, change, message, write_settings):
    path = write_settings(tmp_path / "settings.toml", **change)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings(path)


@pytest.mark.parametrize("sources, message", [
    ([{"name": "a", "type": "feed"}], "sources[0].url: missing"),
    ([{"name": "a", "type": "rss", "url": "http://x/"}], "sources[0].type: must be one of"),
    ([{"name": "a", "type": "feed", "url": "ftp://x/"}], "sources[0].url: must start with"),
    ([{"name": "a", "type": "feed", "url": "http://x/"},
      {"name": "a", "type": "feed", "url": "http://y/"}], "sources[1].name: 'a' is used twice"),
    ([{"name": "a", "type": "reviews", "url": "http://x/",
       "selectors": {"review": ".r", "stars": ".s"}}],
     "sources[0].selectors.stars: unknown key"),
    ([{"name": "a", "type": "feed", "url": "http://x/", "full_text": "sometimes"}],
     "sources[0].full_text: must be one of auto, always, never, not 'sometimes'"),
    ([{"name": "a", "type": "blog", "url": "http://x/", "full_text": "never"}],
     'sources[0].full_text: only for type = "feed" or "search" sources'),
    ([{"name": "a", "type": "search", "engine": "reddit", "full_text": True}],
     "sources[0].full_text: must be a string"),
    ([{"name": "a", "type": "feed", "url": "http://x/", "selectors": {"comment": ".c"}}],
     'sources[0].selectors: only for type = "reviews" or "blog" sources'),
    ([{"name": "a", "type": "blog", "url": "http://x/", "selectors": {"comment_body": ".b"}}],
     "sources[0].selectors.comment: missing (the CSS selector of one comment"),
    ([{"name": "a", "type": "blog", "url": "http://x/", "selectors": {"comment": "div[["}}],
     "sources[0].selectors.comment: not a CSS selector: 'div[['"),
    ([{"name": "a", "type": "reviews", "url": "http://x/",
       "selectors": {"review": ".r", "comment": ".c"}}],
     "sources[0].selectors.comment: unknown key for a reviews source"),
])
def test_bad_sources_name_their_index(tmp_path, sources, message, write_settings):
    path = write_settings(tmp_path / "settings.toml", sources=sources)
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_missing_brand_and_broken_toml(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[storage]\ndatabase = 'x.db'\n")
    with pytest.raises(ConfigError, match="brand: missing"):
        load_settings(path)
    path.write_text("[brand\nname = 'x'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_database_path_is_relative_to_the_settings_file(tmp_path, write_settings):
    (tmp_path / "conf").mkdir()
    path = write_settings(tmp_path / "conf" / "settings.toml", storage={"database": "data/m.db"})
    assert load_settings(path).database_path == tmp_path / "conf" / "data" / "m.db"


def test_cli_exits_2_with_the_key_for_a_bad_config(tmp_path, write_settings):
    path = write_settings(tmp_path / "settings.toml", crawl={"timeout": "soon"})
    result = CliRunner().invoke(main, ["--config", str(path), "mentions"])
    assert result.exit_code == 2
    assert "crawl.timeout: must be a number" in result.output


def test_config_from_environment_and_missing_file(tmp_path, write_settings):
    path = write_settings(tmp_path / "brand-a.toml", brand={"aliases": ["BA"]})
    result = CliRunner().invoke(main, ["mentions"], env={"MONITOR_CONFIG": str(path)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "monitor.db").exists()
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "mentions"])
    assert result.exit_code == 2
    assert "nope.toml: file not found" in result.output


def test_init_writes_a_valid_commented_settings_file(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--brand", 'Caffè "Lulù"'])
    assert result.exit_code == 0, result.output
    settings = load_settings(tmp_path / "settings.toml")
    assert settings.brand.name == 'Caffè "Lulù"'
    assert "# The brand to watch" in (tmp_path / "settings.toml").read_text()
    again = CliRunner().invoke(main, ["init", str(tmp_path), "--brand", "x"])
    assert again.exit_code == 2 and "already exists" in again.output
