"""The `monitor` command line: one Click group, one module per group of commands.

Each module below defines its commands and imports only `monitor.cli.context`; this one
puts them together on `main`. Exit codes: see `monitor.cli.context`.
"""

from __future__ import annotations

import click

from monitor.cli import collect, detect, detector, followups, mail, mentions, service
from monitor.cli.context import Context, configure_logging
from monitor.i18n import environment_language, set_language


@click.group()
@click.version_option(package_name="monitor")
@click.option("--config", "config", metavar="PATH", envvar="MONITOR_CONFIG",
              help="Settings file (default ./settings.toml, or $MONITOR_CONFIG).")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Least important log messages shown on stderr.")
@click.pass_context
def main(ctx, config, log_level):
    """Watch feeds, review sites and blogs for mentions of your brand, flag complaints,
    and mail a daily digest of what to follow up personally."""
    configure_logging(log_level.upper())
    set_language(environment_language())
    ctx.obj = Context(config)



for command in (collect.init, collect.scan, collect.sources, mentions.mentions,
                detect.classify, detect.evaluate, detect.demo, detector.detector,
                mail.digest, mail.alerts,
                service.run, service.status, service.prune, service.export,
                followups.followup, followups.staff, followups.web):
    main.add_command(command)
