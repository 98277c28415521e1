"""The template `flask db migrate` writes new migrations from: what it writes passes ruff as
it stands (imports in ruff's order), so a new migration needs no hand-sorting."""

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.util import format_as_comma
from mako.template import Template

ROOT = Path(__file__).resolve().parents[2]
UPGRADE = ("with op.batch_alter_table('users', schema=None) as batch_op:\n"
           "        batch_op.add_column(sa.Column('x', {type}, nullable=True))")
DOWNGRADE = ("with op.batch_alter_table('users', schema=None) as batch_op:\n"
             "        batch_op.drop_column('x')")


def generated(imports: str, column_type: str) -> str:
    """A migration as alembic's autogenerate writes it from migrations/script.py.mako."""
    return Template(filename=str(ROOT / "migrations" / "script.py.mako")).render(
        message="add x", up_revision="0123456789ab", down_revision="ba9876543210",
        create_date="2027-01-04 09:00:00", branch_labels=None, depends_on=None,
        comma=format_as_comma,
        imports=imports, upgrades=UPGRADE.format(type=column_type), downgrades=DOWNGRADE)


@pytest.mark.parametrize("imports, column_type", [
    ("", "sa.DateTime()"),
    ("from sqlalchemy.dialects import postgresql", "postgresql.JSONB()"),
])
def test_a_generated_migration_passes_ruff(imports, column_type):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(ROOT / "pyproject.toml"),
         "--stdin-filename", str(ROOT / "migrations" / "versions" / "new.py"), "-"],
        input=generated(imports, column_type), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
