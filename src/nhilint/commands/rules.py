"""The catalogue on the command line: `nhilint rules`, `nhilint explain`, `nhilint checkov-dir`."""

from __future__ import annotations

import click

from nhilint.commands.common import fail


@click.command(name="rules")
def list_rules() -> None:
    """List every rule: ID, slug, severity, OWASP item and summary."""
    from nhilint import catalogue

    checks = catalogue.load().values()
    width = max(len(c.slug) for c in checks)
    for check in checks:
        click.echo(
            f"{check.id}  {check.slug:<{width}}  {check.severity:<7}  {check.owasp:<5}  {check.summary}"
        )


@click.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain one rule: what it finds, why it matters, how to fix it."""
    from nhilint import catalogue
    from nhilint.catalogue.docs import rule_markdown

    check = catalogue.load().get(rule_id.upper())
    if check is None:
        fail(f"unknown rule {rule_id!r}; `nhilint rules` lists them")
    click.echo(rule_markdown(check))


@click.command(name="checkov-dir")
def checkov_dir() -> None:
    """Print checkov's external-checks directory: checkov --external-checks-dir "$(nhilint checkov-dir)"."""
    from nhilint.integrations.checkov import checks_dir

    click.echo(str(checks_dir()))
