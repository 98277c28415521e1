"""A course folder as a zip: made from `writing.folder_files`, and read back from an upload
without trusting anything in it.

An uploaded zip may be hostile: every name is checked (no absolute paths, no `..`, no
backslashes or drive letters, no links), and sizes are counted while reading, never taken
from the zip's own headers, so a small file that inflates to gigabytes stops at the limit.
Only course.yaml and etivities/*.md are read; anything else is reported, not written.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from pathlib import PurePosixPath

from .specs import Problem

MAX_ENTRIES = 300  # files and folders in the zip
# What reading one entry of a damaged or unusual zip raises: a wrong checksum or header
# (BadZipFile), damaged compressed data (zlib.error), an encrypted entry (RuntimeError), a
# compression method zipfile can't unpack (NotImplementedError), a cut-off file (EOFError,
# OSError, ValueError).
UNREADABLE_ENTRY = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
                    EOFError, OSError, ValueError)
MAX_FILE_BYTES = 256 * 1024  # one file, uncompressed
MAX_TOTAL_BYTES = 4 * 1024 * 1024  # every file, uncompressed
WANTED = re.compile(r"course\.yaml|etivities/[^/]+\.md")


def zip_bytes(slug: str, files: dict[str, str]) -> bytes:
    """The course's files under one folder named `slug`, as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, text in sorted(files.items()):
            archive.writestr(f"{slug}/{relative}", text.encode("utf-8"))
    return buffer.getvalue()


def _name_problem(name: str) -> str | None:
    if "\\" in name or ":" in name or name.startswith("/"):
        return "has a name that isn't a plain relative path; zip the course folder itself"
    if any(part in ("..", "") for part in PurePosixPath(name).parts) or "/../" in f"/{name}/":
        return "leads outside the course folder (it has '..' in its name)"
    return None


def files_from_zip(data: bytes, slug: str, filename: str | None = None
                   ) -> tuple[dict[str, str], list[Problem], list[str]]:
    """{path inside the course folder: text} from an uploaded zip, every problem with it, and
    the names of files left out (not part of the format, e.g. images). The zip may hold the
    folder's files at its top or inside one folder, named `slug` as the download names it: a
    folder of another name is another course's, refused before anything in it is read.

    Problems name the zip as it was uploaded (`filename`; `slug`.zip without one); one about
    the whole zip (`whole_zip`) names no file in it."""
    problems: list[Problem] = []
    shown = zip_name(filename, slug)

    def add(file: str, message: str) -> None:
        problems.append(Problem(shown if not file else f"{shown}: {file}", None, None, message))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        add("", "isn't a zip file that can be read; download the course again, or zip its "
                "folder")
        return {}, problems, []
    if len(entries) > MAX_ENTRIES:
        add("", f"holds {len(entries)} files and folders; a course has at most {MAX_ENTRIES}")
        return {}, problems, []
    prefix = _prefix(entries)
    if prefix and prefix != f"{slug}/":
        other = prefix.rstrip("/")
        add("", f"holds the course “{other}”, not “{slug}”: upload it on that course's page, "
                f"or rename its folder to {slug} and zip it again")
        return {}, problems, []
    files: dict[str, str] = {}
    skipped: list[str] = []
    total = 0
    for entry in entries:
        name = entry.filename
        problem = _name_problem(name)
        if problem:
            add(name, problem)
            continue
        if stat.S_ISLNK(entry.external_attr >> 16):
            add(name, "is a link; put the real file in the zip instead")
            continue
        if entry.is_dir():
            continue
        try:
            with archive.open(entry) as stream:
                raw = stream.read(MAX_FILE_BYTES + 1)
        except UNREADABLE_ENTRY:
            add(name, "can't be unpacked (damaged or encrypted); zip the folder again "
                      "without a password")
            continue
        if len(raw) > MAX_FILE_BYTES:
            add(name, f"is larger than {MAX_FILE_BYTES // 1024} KB unpacked")
            continue
        total += len(raw)
        if total > MAX_TOTAL_BYTES:
            add("", f"unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB")
            return {}, problems, []
        relative = name.removeprefix(prefix)
        if not WANTED.fullmatch(relative):
            skipped.append(name)
            continue
        try:
            files[relative] = raw.decode("utf-8")
        except UnicodeDecodeError:
            add(name, "is not UTF-8 text; save it again as UTF-8")
    return files, problems, skipped


def zip_name(filename: str | None, slug: str) -> str:
    """The uploaded file's own name (without any folders a browser sent with it), as the
    problems name the zip."""
    return PurePosixPath((filename or "").replace("\\", "/")).name or f"{slug}.zip"


def whole_zip(problem: Problem, filename: str | None, slug: str) -> bool:
    """Whether a problem of `files_from_zip` is about the zip as a whole (not a zip, too big,
    another course's) rather than one file in it."""
    return problem.file == zip_name(filename, slug)


def _prefix(entries: list[zipfile.ZipInfo]) -> str:
    """"folder/" when everything in the zip is inside that one folder (not the course
    folder's own etivities/), else ""."""
    tops = {e.filename.split("/", 1)[0] for e in entries}
    if len(tops) == 1 and tops != {"etivities"} and all("/" in e.filename for e in entries):
        return f"{tops.pop()}/"
    return ""
