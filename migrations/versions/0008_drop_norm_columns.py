"""drop the *_norm columns and their indexes: nothing reads them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:30:00

Ingest wrote folded names (offenders, aliases, travel) and normalised document numbers
(documents, travel) beside the text as given, and three indexes kept them; matching never read
them: it normalises names and numbers itself, into many more forms than one column holds.
Measured on a 10k register x 100k travel night (issue 20), reading them in matching saved
nothing worth their cost at load, so they go. A downgrade adds them back and fills them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_NORMS = {"family_name_norm": "family_name", "given_names_norm": "given_names"}
DOCUMENT_NORMS = {"doc_number_norm": "doc_number"}
# table: (its norm columns -> the column each is made from, the indexes on them)
NORMS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "offenders": (NAME_NORMS, {"ix_offenders_family_name_norm": "family_name_norm"}),
    "aliases": (NAME_NORMS, {"ix_aliases_family_name_norm": "family_name_norm"}),
    "documents": (DOCUMENT_NORMS, {"ix_documents_doc_number_norm": "doc_number_norm"}),
    "travel_records": ({**NAME_NORMS, **DOCUMENT_NORMS}, {}),
}
NULLABLE = {("travel_records", "doc_number_norm")}  # a traveller without a document


def _type(column: str) -> sa.types.TypeEngine:
    return sa.String(length=64) if column == "doc_number_norm" else sa.Text()


def upgrade() -> None:
    for table, (columns, indexes) in NORMS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
            for column in columns:
                batch_op.drop_column(column)


def downgrade() -> None:
    from tracker.matching.documents import normalise_document_number
    from tracker.matching.names import fold_name

    makers: dict[str, Callable[[str | None], str]] = {
        "family_name_norm": fold_name,
        "given_names_norm": fold_name,
        "doc_number_norm": normalise_document_number,
    }
    for table, (columns, indexes) in NORMS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, _type(column), nullable=True))
        _fill(table, columns, makers)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                if (table, column) not in NULLABLE:
                    batch_op.alter_column(column, existing_type=_type(column), nullable=False)
            for name, column in indexes.items():
                batch_op.create_index(name, [column], unique=False)


def _fill(
    table: str, columns: dict[str, str], makers: dict[str, Callable[[str | None], str]]
) -> None:
    """Each norm column made from its source column, as ingest made it (a missing travel
    document number stays missing)."""
    sources = sorted(set(columns.values()))
    rows = sa.table(table, sa.column("id"), *map(sa.column, [*sources, *columns]))
    bind = op.get_bind()
    found = bind.execute(sa.select(rows.c.id, *(rows.c[s] for s in sources))).mappings().all()
    if not found:
        return
    made: dict[tuple[str, str | None], str | None] = {}

    def norm(column: str, value: str | None) -> str | None:
        if value is None and (table, column) in NULLABLE:
            return None
        key = (column, value)
        if key not in made:
            made[key] = makers[column](value)
        return made[key]

    statement = (
        sa.update(rows)
        .where(rows.c.id == sa.bindparam("row_id"))
        .values({column: sa.bindparam(f"new_{column}") for column in columns})
    )
    bind.execute(
        statement,
        [
            {
                "row_id": row["id"],
                **{f"new_{c}": norm(c, row[source]) for c, source in columns.items()},
            }
            for row in found
        ],
    )
