"""Email: the outbox, its delivery (background thread or worker), messages and calendar files."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire up delivery (the background sender in thread mode) and `flask outbox`."""
    from app.mail import cli, sender

    sender.init_app(app)
    app.cli.add_command(cli.outbox)
