"""Which commits make kept pages stale: SQLAlchemy session events note what a transaction
wrote to the tables public pages are made from, and after the commit bump the content
generation (after, so a page rendered from the old rows can never be stored under the new
token). An edit empties this process's cache at once; a seat count only replaces the shared
token, which every process (this one too) reads at its next check.
"""

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.sql.elements import TextClause

from app.extensions import db
from app.http.page_store import EXTENSION

# Tables whose rows appear on public pages (seat counts included).
CONTENT_TABLES = frozenset(
    {"article", "article_tag", "author", "tag", "event", "registration", "slug_redirect"}
    | {"programme_session", "session_speaker", "agenda_choice"}  # the programme (issue 15)
)
# Sign-ups change only seat counts: those may show up to a check interval late (see bump).
SEAT_TABLES = frozenset({"registration", "agenda_choice"})
# Tables with seat counters of their own: a row whose only change is a count is a seat change.
COUNTED_TABLES = frozenset({"event", "programme_session"})
SEAT_COLUMNS = frozenset({"seats_taken", "waitlist_issued", "updated_at"})
# session.info key: what the transaction changed, "content" or "seats".
CHANGED = "northlight.page_cache.changed"


def note_change(session, kind: str) -> None:
    """Remember what this transaction changed: "content" outranks "seats"."""
    if session.info.get(CHANGED) != "content":
        session.info[CHANGED] = kind


def change_kind(session, instance) -> str | None:
    """What a flushed row means for public pages: nothing, seat counts only, or content."""
    table = getattr(type(instance), "__table__", None)
    if table is None or table.name not in CONTENT_TABLES:
        return None
    if table.name in SEAT_TABLES:
        return "seats"
    if table.name in COUNTED_TABLES and instance in session.dirty:
        state = inspect(instance)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        if changed <= SEAT_COLUMNS:
            return "seats"
    return "content"


def note_content_write(session, *args) -> None:
    """after_flush: remember that this transaction changed something public."""
    for instance in (*session.new, *session.dirty, *session.deleted):
        kind = change_kind(session, instance)
        if kind is not None:
            note_change(session, kind)
            if kind == "content":
                return


def note_content_statement(state) -> None:
    """do_orm_execute: bulk UPDATE/INSERT/DELETE statements (seat counters) change content."""
    statement = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(statement, "table", None)
        if table is None or table.name in CONTENT_TABLES:
            note_change(state.session, statement_kind(state, table))
    elif isinstance(statement, TextClause):
        # Hand-written SQL: assume the worst if it writes at all.
        verb = statement.text.lstrip()[:6].upper()
        if verb in ("UPDATE", "INSERT", "DELETE"):
            note_change(state.session, "content")


def statement_kind(state, table) -> str:
    if table is not None and table.name in SEAT_TABLES:
        return "seats"
    if state.execution_options.get("northlight_seat_counter"):
        return "seats"  # an UPDATE of seat counters only (app.db.SEAT_COUNTER)
    return "content"


def bump_after_commit(session) -> None:
    """after_commit: the change is visible to everyone now, so stored pages are stale."""
    kind = session.info.pop(CHANGED, None)
    if kind is None or not has_app_context():
        return
    cache = current_app.extensions.get(EXTENSION)
    if cache is not None:
        # An edit shows at once here; a seat count, like any change made elsewhere, at the next
        # check (a sign-up rush would otherwise empty this process's cache with every commit).
        cache.bump(at_once=kind == "content")


_listening = False


def listen_for_writes() -> None:
    global _listening
    if _listening:
        return
    event.listen(db.session, "after_flush", note_content_write)
    event.listen(db.session, "do_orm_execute", note_content_statement)
    event.listen(db.session, "after_commit", bump_after_commit)
    _listening = True
