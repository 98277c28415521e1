"""The course folder as a zip: download, change and upload it; an upload's problems with
file and line; an upload waits for drafts."""

import html
import io

import pytest

from conftest import login
from course_app.clock import utcnow
from course_app.design import services
from course_app.extensions import db
from designing import etivity, form_of


def test_download_then_upload_a_changed_zip(client, course, author):
    import io
    import zipfile

    login(client, author)
    download = client.get(f"/design/{course.slug}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    source = zipfile.ZipFile(io.BytesIO(download.data))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("listen-first.md"):
                data = data.replace(b"title: Listen first", b"title: Listen well")
            if not info.filename.endswith("pass-it-on.md"):
                archive.writestr(info.filename, data)
    response = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(changed.getvalue()), "course.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)  # no cohorts: at once
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen well"
    assert etivity(course, "pass-it-on").retired


def test_an_upload_with_problems_lists_each_with_file_and_line(client, course, author):
    import io
    import zipfile

    login(client, author)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("course.yaml", "title: T\nsummary: S\naudience: A\nstages: []\n")
        archive.writestr("etivities/1-01-x.md", "---\nslug: x\nminutes: lots\n---\nSpark\n")
        archive.writestr("../escape.md", "x")
    response = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(broken.getvalue()), "course.zip")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "leads outside the course folder" in page
    clean = io.BytesIO()
    with zipfile.ZipFile(clean, "w") as archive:
        archive.writestr("course.yaml", "title: T\nsummary: S\naudience: A\nstages: []\n")
        archive.writestr("etivities/1-01-x.md", "---\nslug: x\nminutes: lots\n---\nSpark\n")
    page = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(clean.getvalue()), "course.zip")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "engaging-online/etivities/1-01-x.md:3: minutes" in page
    assert "engaging-online/course.yaml" in page
    db.session.expire_all()
    assert course.title == "Engaging online"


def test_an_upload_waits_for_drafts_to_be_published_or_discarded(client, course, author):
    import io

    login(client, author)
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(etivity(course, "listen-first"), title="Pending"))
    response = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(b"not a zip"), "course.zip")}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/publish")
    said = html.unescape(client.get(response.location).get_data(as_text=True))
    assert ("The zip was not uploaded: 1 draft waits to be published; publish or discard it "
            "first, so nothing is lost, then choose the zip again on the upload page.") in said
    assert "publish or discard" in client.get(
        f"/design/{course.slug}/upload").get_data(as_text=True)


def test_the_zip_is_not_handed_to_a_page_loading_it_as_a_picture(client, course, author):
    login(client, author)
    url = f"/design/{course.slug}/download"
    assert client.get(url, headers={"Sec-Fetch-Dest": "image"}).status_code == 400
    assert client.get(url, headers={"Sec-Fetch-Dest": "document"}).status_code == 200


def test_an_upload_with_a_number_too_big_is_refused_with_its_line(client, course, author):
    """A number past the database's integer used to pass the check and fail in the insert
    (a 500); every whole number has a most, so the check names it."""
    login(client, author)
    changed = _downloaded_with(client, course, "listen-first.md", rb"\nminutes: \d+",
                               b"\nminutes: " + b"1" + b"0" * 25)
    response = _upload(client, course, changed, "course.zip")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "listen-first.md:" in page
    assert "minutes: must be from 1 to 1000, not a 26-digit number" in page
    db.session.expire_all()
    assert etivity(course, "listen-first").minutes < 1000


@pytest.mark.parametrize("typed, shown", [
    (b"0x" + b"f" * 4000, "not a number that long"),
    (b"1" * 5000, "not a 5000-digit number"),
])
def test_an_upload_with_a_number_too_long_to_read_is_refused_not_a_500(client, course, author,
                                                                       typed, shown):
    """Python reads and writes no int of more than 4300 digits: such a number was a 500."""
    login(client, author)
    changed = _downloaded_with(client, course, "course.yaml", rb"\nweekly_minutes: \d+",
                               b"\nweekly_minutes: " + typed)
    response = _upload(client, course, changed, "course.zip")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"weekly_minutes: must be from 1 to 2400, {shown}" in page
    db.session.expire_all()
    assert course.weekly_minutes < 2400


def _downloaded_with(client, course, file_end: str, pattern: bytes, replacement: bytes
                     ) -> bytes:
    """The course's zip as the designer downloads it, with one file's text changed."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(client.get(f"/design/{course.slug}/download").data))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(file_end):
                data = re.sub(pattern, replacement, data)
            archive.writestr(info.filename, data)
    return changed.getvalue()


def _upload(client, course, data: bytes, name: str):
    return client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_zip_of_another_course_is_refused_and_changes_nothing(client, course, author):
    """A zip holds its course's folder; uploaded on a copy's page it used to be published
    over the copy at once (its title too)."""
    copy = services.duplicate(course, "eo-copy", "My copy", author, utcnow())
    db.session.commit()
    login(client, author)
    theirs = client.get(f"/design/{course.slug}/download").data
    response = _upload(client, copy, theirs, "engaging-online.zip")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert ("engaging-online.zip holds the course “engaging-online”, not “eo-copy”: upload it "
            "on that course's page, or rename its folder to eo-copy and zip it again.") in page
    assert 'id="archive-error"' in page  # beside the box, and in the summary
    db.session.expire_all()
    assert copy.title == "My copy"
    assert "uploaded" not in {c.action for c in db.session.scalars(services.history(copy))}


def test_a_file_that_is_not_a_zip_is_named_as_it_was_uploaded(client, course, author):
    login(client, author)
    response = _upload(client, course, b"just some text", "notzip.zip")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert ("notzip.zip isn't a zip file that can be read; download the course again, or zip "
            "its folder.") in page
    assert "engaging-online.zip" not in page and "Problems in the zip" not in page
