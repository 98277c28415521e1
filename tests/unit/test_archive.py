"""Zipped course folders: made by the designer's download, read from an upload without
trusting anything in the zip."""

import io
import stat
import zipfile

import pytest

from conftest import DEFAULT_COURSE
from course_app.content import check_files, load_course
from course_app.content.archive import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    files_from_zip,
    whole_zip,
    zip_bytes,
)


def folder_files() -> dict[str, str]:
    return {p.relative_to(DEFAULT_COURSE).as_posix(): p.read_text(encoding="utf-8")
            for p in DEFAULT_COURSE.rglob("*") if p.is_file()}


def make_zip(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            if name in links:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_a_downloaded_zip_reads_back_as_the_same_course():
    files, problems, skipped = files_from_zip(zip_bytes("engaging-online", folder_files()),
                                              "engaging-online")
    assert problems == [] and skipped == []
    spec, problems = check_files("engaging-online", files)
    assert problems == [] and spec == load_course(DEFAULT_COURSE)


def test_files_at_the_top_of_the_zip_work_too_and_others_are_left_out():
    entries = {name: text.encode() for name, text in folder_files().items()}
    files, problems, skipped = files_from_zip(make_zip({**entries, "images/a.png": b"\x89PNG"}),
                                              "x")
    assert problems == [] and "course.yaml" in files and skipped == ["images/a.png"]


@pytest.mark.parametrize("name, words", [
    ("../evil.md", "outside"), ("x/../../evil.md", "outside"), ("/etc/passwd", "relative"),
    ("C:/x.md", "relative"), ("etivities\\x.md", "relative"),
])
def test_names_that_escape_are_refused(name, words):
    _files, problems, _ = files_from_zip(make_zip({name: b"x", "course.yaml": b"t"}), "x")
    assert any(words in p.message for p in problems), problems


def test_links_are_refused():
    _files, problems, _ = files_from_zip(
        make_zip({"course.yaml": b"/etc/passwd"}, links=("course.yaml",)), "x")
    assert "is a link" in problems[0].message


def test_a_zip_bomb_stops_at_the_limit():
    bomb = make_zip({"etivities/1-01-a.md": b"0" * (MAX_FILE_BYTES * 8)})
    assert len(bomb) < 20_000
    files, problems, _ = files_from_zip(bomb, "x")
    assert files == {} and "larger than" in problems[0].message


def test_too_many_files_and_not_a_zip():
    many = make_zip({f"etivities/{n}.md": b"x" for n in range(MAX_ENTRIES + 1)})
    assert "at most" in files_from_zip(many, "x")[1][0].message
    assert "isn't a zip" in files_from_zip(b"not a zip at all", "x")[1][0].message


def test_not_utf8_is_reported():
    _files, problems, _ = files_from_zip(make_zip({"course.yaml": "é".encode("latin-1")}), "x")
    assert "UTF-8" in problems[0].message


def _patched(data: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    """`data` with `value` written `offset` bytes after each `signature`."""
    out, start = bytearray(data), 0
    while (at := out.find(signature, start)) >= 0:
        out[at + offset:at + offset + len(value)] = value
        start = at + 4
    return bytes(out)


def test_a_damaged_or_encrypted_entry_is_reported_and_the_rest_read():
    good = b"title: x\n"
    damaged = make_zip({"course.yaml": good, "etivities/1-01-a.md": b"spark " * 400})
    # break the compressed data of the second entry (past its local header and name)
    second = damaged.find(b"PK\x03\x04", 4)
    body = second + 30 + len("etivities/1-01-a.md")
    damaged = damaged[:body + 2] + bytes(b ^ 0xFF for b in damaged[body + 2:body + 12]) \
        + damaged[body + 12:]
    files, problems, _ = files_from_zip(damaged, "c")
    assert files == {"course.yaml": "title: x\n"}
    assert [p.file for p in problems] == ["c.zip: etivities/1-01-a.md"]
    assert "damaged or encrypted" in problems[0].message

    # the "encrypted" flag in the local and central headers: zipfile asks for a password
    encrypted = _patched(_patched(make_zip({"course.yaml": good}), b"PK\x03\x04", 6,
                                  b"\x01\x00"), b"PK\x01\x02", 8, b"\x01\x00")
    files, problems, _ = files_from_zip(encrypted, "c")
    assert files == {} and "without a password" in problems[0].message


def test_a_zip_of_another_courses_folder_is_refused_before_anything_is_read():
    """Its top folder names the course it is: uploaded on another course's page it used to
    replace that course, title and all."""
    files, problems, skipped = files_from_zip(zip_bytes("test-course", folder_files()),
                                              "eo-copy", "test-course.zip")
    assert files == {} and skipped == []
    assert [(p.file, p.message) for p in problems] == [(
        "test-course.zip", "holds the course “test-course”, not “eo-copy”: upload it on that "
        "course's page, or rename its folder to eo-copy and zip it again")]
    assert files_from_zip(zip_bytes("eo-copy", folder_files()), "eo-copy")[1] == []


def test_a_zip_of_only_the_etivities_folder_is_not_taken_for_a_course_folder():
    """(Once its files were read as if at the top of the course folder, and left out.)"""
    files, problems, _ = files_from_zip(make_zip({"etivities/1-01-a.md": b"x"}), "x")
    assert problems == [] and files == {"etivities/1-01-a.md": "x"}


def test_problems_name_the_zip_as_it_was_uploaded():
    problems = files_from_zip(b"not a zip", "test-course", "notzip.zip")[1]
    assert [p.file for p in problems] == ["notzip.zip"]
    assert whole_zip(problems[0], "notzip.zip", "test-course")
    problems = files_from_zip(make_zip({"course.yaml": b"\xff"}), "c", "C:\\Users\\me\\c.zip")[1]
    assert [p.file for p in problems] == ["c.zip: course.yaml"]
    assert not whole_zip(problems[0], "C:\\Users\\me\\c.zip", "c")
