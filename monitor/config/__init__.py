"""Read and validate settings.toml.

Every section is a frozen dataclass (`sections.py`); its fields are the keys the file may
hold, with their types and defaults. `load_settings` (`loading.py`) stops with a
`ConfigError` naming the key (``sources[2].url: missing``) on unknown keys, wrong types and
missing required keys.
"""

from monitor.config.loading import config_path, load_settings, parse_settings
from monitor.config.sections import (
    DEFAULT_CONFIG,
    SOURCE_TYPES,
    Alerts,
    Brand,
    ConfigError,
    Crawl,
    Digest,
    Discovery,
    Schedule,
    Settings,
    Smtp,
    Source,
    StaffMember,
    Storage,
    Web,
    parse_duration,
)

__all__ = ["DEFAULT_CONFIG", "SOURCE_TYPES", "Alerts", "Brand", "ConfigError", "Crawl",
           "Digest", "Discovery", "Schedule", "Settings", "Smtp", "Source", "StaffMember",
           "Storage", "Web", "config_path", "load_settings", "parse_duration",
           "parse_settings"]
