"""Paging, one way: `paginate` for a query, `ListPagination` for rows worked out in Python (a
dashboard sorted and filtered by computed standing), both the object `db.paginate` gives, so
one `pager` macro draws them. On both a page past the end shows the last one."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from .extensions import db


def paginate(query: Select, page: int | None, per_page: int) -> Pagination:
    """A page of `query`'s rows (`page` from inputs.page_arg); past the end, the last page."""
    result = db.paginate(query, page=max(page or 1, 1), per_page=per_page, error_out=False)
    if result.page > 1 and not result.items:
        result = db.paginate(query, page=max(result.pages, 1), per_page=per_page,
                             error_out=False)
    return result


class ListPagination(Pagination):
    """`Pagination` over a list already in memory. A page past the end shows the last one."""

    def __init__(self, rows: list, page: int | None, per_page: int):
        pages = max(1, -(-len(rows) // per_page))
        super().__init__(page=min(max(page or 1, 1), pages), per_page=per_page,
                         max_per_page=None, error_out=False, rows=rows)

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        start = self._query_offset
        return rows[start:start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])
