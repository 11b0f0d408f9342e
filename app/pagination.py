"""One rule for the `page` query parameter of every paginated list, public or staff."""

from flask import abort, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select

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


class RowPagination(SelectPagination):
    """A page of a select of columns, `params` bound at execution: its items are rows
    (attribute access by column name), not ORM objects, which in a long list cost several
    times more to load than the query itself."""

    def _query_items(self) -> list:
        page = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return self._query_args["session"].execute(page, self._query_args["params"]).all()

    def _query_count(self) -> int:
        listed = self._query_args["select"].order_by(None).subquery()
        count = select(func.count()).select_from(listed)
        return self._query_args["session"].scalar(count, self._query_args["params"])


def paginate(
    query: Select, per_page: int, total: int | None = None, *, params: dict | None = None
) -> Pagination:
    """The requested page of `query`; a page past the end is a 404, like a malformed number.

    A caller that already knows how many rows `query` has passes `total`, saving the count.
    With `params` (the values of `query`'s bindparams), `query` selects columns and the
    page's items are rows (RowPagination); without, ORM objects.
    """
    page = {"page": page_number(), "per_page": per_page, "max_per_page": None}
    page |= {"error_out": True, "count": total is None, "session": db.session()}
    if params is None:
        pagination = SelectPagination(select=query, **page)
    else:
        pagination = RowPagination(select=query, params=params, **page)
    if total is not None:
        pagination.total = total
    return pagination
