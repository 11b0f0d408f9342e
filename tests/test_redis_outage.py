"""Redis going away (it holds the rate limits and the page cache's generation): sign-ups, sign-in
and pages go on; each process keeps counting the limits on its own; when Redis is back the
limits are shared again. Redis is a server of the test's own, stopped and started for real."""

import time

import pytest

from app.extensions import db
from tests.support.factories import make_event
from tests.support.forms import open_form, submit
from tests.support.redis_server import REDIS_SERVER, RedisServer
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import create_user, sign_in

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
