"""Paging, one way (course_app.paging): a query's pages and a list's pages behave alike."""

from sqlalchemy import select

from course_app.auth.models import User
from course_app.paging import ListPagination, paginate


def test_a_page_past_the_end_of_a_query_is_its_last_page(factory):
    for n in range(5):
        factory.user(name=f"Person {n}")
    query = select(User).where(User.name.like("Person %")).order_by(User.name)
    assert [u.name for u in paginate(query, 2, 2).items] == ["Person 2", "Person 3"]
    last = paginate(query, 99, 2)
    assert (last.page, [u.name for u in last.items]) == (3, ["Person 4"])
    assert paginate(query, None, 2).page == paginate(query, -3, 2).page == 1
    empty = paginate(query.where(User.id < 0), 4, 2)
    assert (empty.page, empty.items, empty.pages) == (1, [], 0)


def test_a_list_pages_as_a_query_does():
    rows = [f"Person {n}" for n in range(5)]
    assert ListPagination(rows, 2, 2).items == ["Person 2", "Person 3"]
    last = ListPagination(rows, 99, 2)
    assert (last.page, last.items, last.total) == (3, ["Person 4"], 5)
    assert ListPagination(rows, None, 2).page == ListPagination(rows, -3, 2).page == 1
    assert ListPagination([], 4, 2).items == []
