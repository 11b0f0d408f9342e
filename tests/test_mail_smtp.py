"""The test SMTP server itself: receives, stops, and comes back on the same port."""

import smtplib
from email.message import EmailMessage

import pytest


def send(server, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["To"] = "b@example.com"
    message["Subject"] = subject
    message.set_content("hello")
    with smtplib.SMTP(server.host, server.port) as connection:
        connection.send_message(message)


def test_server_receives_stops_and_restarts_on_the_same_port(smtp_server):
    send(smtp_server, "first")
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(OSError):
        send(smtp_server, "lost")
    smtp_server.start()
    assert smtp_server.port == port
    send(smtp_server, "second")
    assert [m["Subject"] for m in smtp_server.wait_for(2)] == ["first", "second"]
    assert smtp_server.to("b@example.com")[0].get_content().strip() == "hello"
