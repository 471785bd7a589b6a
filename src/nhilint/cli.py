"""Command line: parse options, call the library, choose the exit code. Nothing else lives here.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from nhilint import __version__

SEVERITY = click.Choice(["error", "warning", "note"])


def _fail(message: str) -> None:
    click.echo(f"nhilint: error: {message}", err=True)
    sys.exit(2)


def _prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    import re

    out = tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())
    for prefix in out:
        if not re.fullmatch(r"NHI\d{0,3}", prefix):
            raise click.BadParameter(f"{prefix!r} is not a rule ID or prefix like NHI101 or NHI2")
    return out


def _use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nhilint")
def main() -> None:
    """Stop risky non-human identities before they are deployed."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")
@click.option("--select", multiple=True, help="Only these rule IDs or prefixes (NHI101, NHI2). Repeatable.")
@click.option("--ignore", multiple=True, help="Never these rule IDs or prefixes. Repeatable.")
@click.option("--fail-on", type=SEVERITY, help="Lowest severity that fails the scan (default: warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the scan.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Configuration file (default: nearest .nhilint.yaml or pyproject.toml [tool.nhilint]).")
def scan(paths: tuple[Path, ...], fmt: str, output: Path | None, select: tuple[str, ...],
         ignore: tuple[str, ...], fail_on: str | None, exit_zero: bool, config_path: Path | None) -> None:
    """Scan PATHS (files or directories; default: the current directory)."""
    from nhilint import config as configuration
    from nhilint import engine
    from nhilint.findings import severity_rank
    from nhilint.report import render

    targets = list(paths) or [Path(".")]
    try:
        config = configuration.read_file(config_path) if config_path else configuration.discover(targets[0])
        config = config.with_overrides(select=_prefixes(select), ignore=_prefixes(ignore), fail_on=fail_on)
        result = engine.scan(targets, config)
    except configuration.ConfigError as exc:
        _fail(str(exc))
    except click.BadParameter as exc:
        _fail(exc.format_message())
    except FileNotFoundError as exc:
        _fail(f"path does not exist: {exc.args[0]}")
    stream = sys.stdout if output is None else None
    report = render(result, fmt, color=fmt == "text" and stream is not None and _use_color(stream))
    if output is None:
        click.echo(report, nl=False)
    else:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror}")
    threshold = severity_rank(config.fail_on)
    failing = [f for f in result.active if severity_rank(f.severity) >= threshold]
    sys.exit(1 if failing and not exit_zero else 0)


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: ID, slug, severity, OWASP item and summary."""
    from nhilint import catalogue

    checks = catalogue.load().values()
    width = max(len(c.slug) for c in checks)
    for check in checks:
        click.echo(f"{check.id}  {check.slug:<{width}}  {check.severity:<7}  {check.owasp:<5}  {check.summary}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain one rule: what it finds, why it matters, how to fix it."""
    from nhilint import catalogue
    from nhilint.docs import rule_markdown

    check = catalogue.load().get(rule_id.upper())
    if check is None:
        _fail(f"unknown rule {rule_id!r}; `nhilint rules` lists them")
        return
    click.echo(rule_markdown(check))


@main.command(name="checkov-dir")
def checkov_dir() -> None:
    """Print checkov's external-checks directory: checkov --external-checks-dir "$(nhilint checkov-dir)"."""
    from nhilint.integrations.checkov import checks_dir

    click.echo(str(checks_dir()))


if __name__ == "__main__":  # pragma: no cover
    main()
