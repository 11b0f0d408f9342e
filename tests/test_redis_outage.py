"""Redis going away (it holds the rate limits and the page cache's generation): sign-ups, sign-in
and pages go on; each process keeps counting the limits on its own; when Redis is back the
limits are shared again. Redis is a server of the test's own, stopped and started for real."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.extensions import db
from tests.support.factories import make_event
from tests.support.forms import open_form, submit
from tests.support.redis_server import REDIS_SERVER, RedisServer
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import create_user, sign_in

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="no redis-server binary")


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_settings(redis_server):
    return {
        **FORM_SETTINGS,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_server.url,
        "REGISTRATION_RATE_LIMIT": "3/minute",
        "PAGE_CACHE_SECONDS": 60,
    }


def limit_keys(redis_server) -> list[bytes]:
    return redis_server.client().keys("LIMITS*")


def test_sign_ups_go_on_without_redis_limited_per_process_then_shared_again(
    app, client, redis_server
):
    slug = make_event(app, capacity=None)
    hidden = open_form(client, slug)
    assert submit(client, slug, hidden=hidden, email="before@example.com").status_code == 303
    assert limit_keys(redis_server), "the limit is counted in Redis while it is up"

    redis_server.stop()
    started = time.monotonic()
    # A new address (a fresh count in this process's memory): three sign-ups, then the limit.
    address = {"REMOTE_ADDR": "192.0.2.44"}
    other = app.test_client()
    form = open_form(other, slug)
    statuses = [
        other.post(
            f"/events/{slug}/register",
            data={**form, "name": f"Away {n}", "email": f"away{n}@example.com", "consent": "y"},
            environ_base=address,
        ).status_code
        for n in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    assert time.monotonic() - started < 5, "a Redis that is down must not hold requests up"
    # Pages (the page cache reads its generation from Redis) and staff sign-in still answer.
    assert client.get(f"/events/{slug}").status_code == 200
    assert client.get("/").status_code == 200
    with app.app_context():
        staff_email = create_user("staff").email
        db.session.commit()
    assert sign_in(app.test_client(), staff_email).status_code == 302  # signed in

    redis_server.start()
    assert not limit_keys(redis_server)  # a new, empty Redis
    # Back on Redis within a few seconds: the limiter looks again after 1, 2, 4 … s (bounded).
    deadline = time.monotonic() + 20
    n = 0
    while not limit_keys(redis_server) and time.monotonic() < deadline:
        n += 1
        response = submit(client, slug, hidden=hidden, email=f"after{n}@example.com", consent=None)
        assert response.status_code in (422, 429)
        time.sleep(0.5)
    assert limit_keys(redis_server), "the limits did not go back to Redis"


# A site of its own: a process with one app (the limiter is one per process), signing up
# once from one address; prints the status.
ONE_SIGN_UP = """
import json, sys
from tests.support.database import make_app
from tests.support.forms import submit
settings = json.loads(sys.argv[1])
client = make_app(settings.pop("url"), **settings).test_client()
print(submit(client, sys.argv[2], email=sys.argv[3]).status_code)
"""


def test_sites_sharing_one_redis_count_apart_under_their_own_key_prefix(
    app, database_url, app_settings, redis_server
):
    """RATELIMIT_KEY_PREFIX: another site on the same Redis has counts of its own for the same
    address; a site under the same prefix shares them."""
    slug = make_event(app, capacity=None)
    settings = {**app_settings, "url": database_url, "REGISTRATION_RATE_LIMIT": "1/minute"}

    def sign_up(prefix: str, email: str) -> str:
        site = {**settings, "RATELIMIT_KEY_PREFIX": prefix}
        command = [sys.executable, "-c", ONE_SIGN_UP, json.dumps(site), slug, email]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.split()[-1]

    assert sign_up("site-a", "first@example.com") == "303"
    assert sign_up("site-a", "second@example.com") == "429"  # one a minute, counted together
    assert sign_up("site-b", "third@example.com") == "303"  # its own count
    keys = limit_keys(redis_server)
    assert any(b"/site-a/" in key for key in keys) and any(b"/site-b/" in key for key in keys)
