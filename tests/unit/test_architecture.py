"""The structure newcomers read in docs/architecture.md is the structure the code has."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_the_import_contract_holds():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_architecture_doc_lists_the_contracts_layers():
    """Each layer of the contract appears in docs/architecture.md's stack, in the same order."""
    config = (ROOT / ".importlinter").read_text()
    block = config.split("layers =", 1)[1].split("\n\n", 1)[0]
    layers = [line.strip() for line in block.strip().splitlines()]
    doc = (ROOT / "docs" / "architecture.md").read_text()
    stack = doc.split("```text", 1)[1].split("```", 1)[0]
    drawn = [re.split(r"\s{2,}", line.strip())[0] for line in stack.strip().splitlines()]
    assert [set(n.strip() for n in d.split("|")) for d in drawn] == \
        [set(n.strip() for n in layer.split("|")) for layer in layers]


def test_no_module_is_past_about_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "course_app").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 420}
    assert not long, long


def test_every_clock_reading_is_clock_utcnow():
    """One clock: the server's own zone never decides a date (the demo had started its cohort
    on the server's local date, a day off from every page's UTC one)."""
    local = re.compile(r"\bdate\.today\(|\bdatetime\.(?:now|utcnow|today)\(")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "course_app").rglob("*.py")
             if p.name != "clock.py"
             for n, line in enumerate(p.read_text().splitlines(), 1) if local.search(line)]
    assert not found, found


def test_an_upward_import_breaks_the_contract(tmp_path):
    """A broken setup must not pass silently: copy the package, add an import from a domain
    up to a page package, and the same contract fails."""
    import shutil

    shutil.copytree(ROOT / "course_app", tmp_path / "course_app",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    target = tmp_path / "course_app" / "cohorts" / "services.py"
    target.write_text(target.read_text() + "\nfrom ..learner import bp as _upward  # noqa\n")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert re.search(r"course_app\.cohorts\.services -> course_app\.learner", result.stdout)


def test_contributing_names_functions_that_exist():
    """CONTRIBUTING.md says where each rule lives ("`permissions.py: can_reply`, `can_edit`"):
    each module and name it gives must be there, so a rename that forgets it fails here."""
    import importlib

    name = r"[A-Za-z_][\w.]*(?:\(\))?"
    named = re.compile(rf"`([\w/]+)\.py: ({name})`((?:, `{name}`)*)")
    missing, checked = [], 0
    for match in named.finditer((ROOT / "CONTRIBUTING.md").read_text()):
        module = "course_app." + match.group(1).replace("/", ".")
        for found in [match.group(2), *re.findall(r"`([^`]+)`", match.group(3))]:
            target = importlib.import_module(module)
            try:
                for part in found.removesuffix("()").split("."):
                    target = getattr(target, part)
            except AttributeError:
                missing.append(f"{module}: {found}")
            checked += 1
    assert checked > 60
    assert not missing, "CONTRIBUTING.md names what is not there:\n" + "\n".join(missing)
