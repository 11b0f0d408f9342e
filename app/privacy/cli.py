"""`flask privacy purge [--dry-run]`: apply the retention settings now."""

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.privacy.retention import purge


@click.group("privacy")
def privacy() -> None:
    """Retention and erasure of personal data."""


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would change; change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    counts = purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run, nothing changed. Would change:")
    else:
        db.session.commit()
    for kind, number in counts.as_dict().items():
        click.echo(f"{kind}: {number}")
