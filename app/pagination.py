"""One rule for the `page` query parameter of every paginated list, public or staff."""

from flask import abort, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db

# No list here comes near this many pages; beyond it the offset would overflow the database's
# integer (a 500 on PostgreSQL and SQLite) long before it could find a row.
LAST_POSSIBLE_PAGE = 100_000


def page_number() -> int:
    """The page asked for (1 when absent).

    :raises NotFound: when it is not a whole number from 1 to LAST_POSSIBLE_PAGE.
    """
    raw = request.args.get("page", "").strip()
    if raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(LAST_POSSIBLE_PAGE)):
        abort(404)
    page = int(raw)
    if not 1 <= page <= LAST_POSSIBLE_PAGE:
        abort(404)
    return page


def paginate(query: Select, per_page: int, total: int | None = None) -> Pagination:
    """The requested page of `query`; a page past the end is a 404, like a malformed number.

    A caller that already knows how many rows `query` has passes `total`, saving the count.
    """
    pagination = db.paginate(
        query, page=page_number(), per_page=per_page, error_out=True, count=total is None
    )
    if total is not None:
        pagination.total = total
    return pagination
