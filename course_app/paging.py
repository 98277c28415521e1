"""Paging for rows worked out in Python (a dashboard sorted and filtered by computed
standing), with the same object `db.paginate` gives a query: one `pager` macro draws both."""

from flask_sqlalchemy.pagination import Pagination


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
