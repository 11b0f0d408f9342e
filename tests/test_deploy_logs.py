"""The privacy notice's log retention is what the shipped deployment files configure."""

import configparser
import re

from app.config import ROOT


def notice_log_days(client) -> int:
    html = client.get("/privacy").get_data(as_text=True)
    match = re.search(r"keeps ordinary access logs for up to (\d+) days", html)
    assert match, "the privacy notice no longer says how long access logs are kept"
    return int(match.group(1))


def test_nginx_access_logs_are_rotated_away_after_the_days_the_notice_promises(client):
    rules = (ROOT / "deploy" / "logrotate-northlight").read_text()
    assert "/var/log/nginx/northlight.access.log {" in rules
    assert re.search(r"^\s*daily$", rules, re.M)
    assert int(re.search(r"^\s*rotate (\d+)$", rules, re.M).group(1)) == notice_log_days(client)
    # The file nginx writes is the one rotated.
    assert (
        "/var/log/nginx/northlight.access.log northlight;"
        in (ROOT / "deploy" / "nginx.conf").read_text()
    )


def test_the_apps_journal_lines_expire_after_the_days_the_notice_promises(client):
    journald = configparser.ConfigParser()
    journald.read(ROOT / "deploy" / "journald-northlight.conf")
    assert journald["Journal"]["MaxRetentionSec"] == f"{notice_log_days(client)}day"
