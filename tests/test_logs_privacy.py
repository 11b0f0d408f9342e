"""What the logs keep: no manage or unsubscribe tokens, no recipients' addresses."""

import json
import logging

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.observability import JSONFormatter, mask_secrets
from tests.support.factories import make_event
from tests.support.forms import register
from tests.support.logs import request_lines
from tests.support.settings import FORM_SETTINGS


@pytest.fixture
def app_settings(smtp_server):
    return {**FORM_SETTINGS, **smtp_server.settings}


def test_request_logs_mask_manage_and_unsubscribe_tokens(app, client, capsys):
    slug = make_event(app)
    token = register(client, slug, email="ada@example.com")
    capsys.readouterr()
    for path in (
        f"/registrations/{token}",
        f"/registrations/{token}/cancel",
        f"/registrations/{token}/calendar.ics",
        f"/registrations/{token}?cancelled=1",
        f"/unsubscribe/{token}",
    ):
        client.get(path)
    err = capsys.readouterr().err
    assert token not in err
    paths = [line["path"] for line in request_lines(err)]
    assert paths[:3] == [
        "/registrations/[token]",
        "/registrations/[token]/cancel",
        "/registrations/[token]/calendar.ics",
    ]
    assert "/unsubscribe/[token]" in paths


def test_the_mask_covers_tokens_wherever_a_line_quotes_them():
    line = 'GET /registrations/abc.DEF-123_x/cancel?x=1 "/unsubscribe/Zz9.q" /registrations/'
    assert mask_secrets(line) == (
        'GET /registrations/[token]/cancel?x=1 "/unsubscribe/[token]" /registrations/'
    )


def test_mail_logs_name_the_message_not_the_recipient(app, client, runner, smtp_server, caplog):
    slug = make_event(app)
    register(client, slug, email="ada.private@example.com")
    with caplog.at_level(logging.INFO, logger="northlight"):
        result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.wait_for(1)) == 1
    # The lines exactly as the app writes them.
    written = [json.loads(JSONFormatter().format(record)) for record in caplog.records]
    sent = [line for line in written if line["message"].startswith("sent ")]
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.message_id))
    assert len(sent) == 1 and message_id in sent[0]["message"]
    assert "ada.private" not in json.dumps(written)
