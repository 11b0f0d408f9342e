"""The app's CLI commands, each kept with its feature: `flask seed`, `flask users`."""

from flask import Flask

from app.demo.seed import seed_command


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    from app.staff.cli import users_command

    app.cli.add_command(users_command)
