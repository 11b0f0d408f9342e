"""`flask users create EMAIL --role ROLE [--password-stdin]`: staff accounts from the shell."""

import sys

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import ROLES
from app.staff.services.passwords import MIN_PASSWORD_LENGTH
from app.staff.services.users import AccountError, create_user

users_command = AppGroup("users", help="Manage staff accounts.")


@users_command.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in ROLES]),
    required=True,
    help="What the account may do.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
def create_command(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; asks for the password unless --password-stdin is given."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        user = create_user(email, role, password)
        db.session.commit()
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}.")
