"""Issue 16's goals beside the figures `make bench` measured, and SQL queries per request.

Every benchmark section records the figures it measured with `record()`; `print_goals()` prints
them all at the end, each beside its goal and whether it was met. Queries per request are
counted in-process (a SQLAlchemy event listener on the app's engine, the Flask test client
making the request), so they do not depend on how busy the machine is.
"""

import re
from dataclasses import dataclass

from sqlalchemy import event


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: float
    at_most: bool = False  # the goal is an upper bound (latency, × floor, MB)

    @property
    def met(self) -> bool:
        return self.value <= self.goal if self.at_most else self.value >= self.goal

    def row(self) -> list[str]:
        sign = "≤" if self.at_most else "≥"
        return [
            self.name,
            f"{self.value:,.2f} {self.unit}".strip(),
            f"{sign} {self.goal:g} {self.unit}".strip(),
            "yes" if self.met else "**no**",
        ]


FIGURES: list[Figure] = []


def record(name: str, value: float, unit: str, goal: float, at_most: bool = False) -> None:
    FIGURES.append(Figure(name, value, unit, goal, at_most))


def check(name: str, ok: bool) -> None:
    """A yes/no goal (exact seat counts, every email once)."""
    FIGURES.append(Figure(name, 1.0 if ok else 0.0, "", 1.0))


def print_goals(table) -> None:
    if not FIGURES:
        return
    print("\n## Goals (issue 16)\n")
    rows = []
    for figure in FIGURES:
        if figure.unit == "" and figure.goal == 1.0 and figure.value in (0.0, 1.0):
            rows.append([figure.name, "yes" if figure.met else "no", "yes", figure.row()[3]])
        else:
            rows.append(figure.row())
    table("figure|>measured|>goal|met", rows)


# --- queries per request ------------------------------------------------------------------


class QueryCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.on_execute)

    def on_execute(self, *args) -> None:
        self.count += 1


def staff_client(app, email: str, password: str):
    """A test client signed in as the staff user, through the real sign-in form."""
    client = app.test_client()
    html = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', html).group(1)
    response = client.post(
        "/staff/login", data={"csrf_token": token, "email": email, "password": password}
    )
    if response.status_code not in (302, 303):
        raise RuntimeError(f"staff sign-in answered {response.status_code}")
    return client


def queries_per_request(app, paths: dict[str, str], staff_paths: dict[str, str], staff) -> dict:
    """{page name: (queries for a new visitor, queries with a session cookie)}, rendered by the
    view each time (the app given has no page cache); staff pages: (None, queries)."""
    from app.extensions import db

    with app.app_context():
        counter = QueryCounter(db.engine)
    counts = {}
    form_path = next(path for path in paths.values() if path.endswith("/register"))
    visitor = app.test_client()
    visitor.get(form_path)  # the session an attendee holds after the form: a CSRF token
    staff_user = staff_client(app, *staff)
    for name, path in {**paths, **staff_paths}.items():
        measured = []
        clients = (staff_user,) if name in staff_paths else (app.test_client(), visitor)
        for client in clients:
            client.get(path)  # warm: templates compiled, per-process caches filled
            counter.count = 0
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            measured.append(counter.count)
        counts[name] = (None, measured[0]) if name in staff_paths else tuple(measured)
    return counts
