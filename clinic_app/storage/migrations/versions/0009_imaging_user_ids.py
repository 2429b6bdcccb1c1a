"""imaging: user ids without a foreign key to the local accounts

Accounts are local to each workstation and not synced (users are named by the user-id
identifier), so a study, result or review pulled from another workstation names people this
one may not have. With `imported_by`, `run_by`, `actor_id` and `assigned_to` pointing at
`users`, every such row was refused by the database and held by sync. The records tables have
never had these keys; here the imaging ones lose theirs. Columns, indexes and data stay.

SQLite can't drop a constraint, so each table is rebuilt. Not with `batch_alter_table`: it
copies into a new table, drops the old one and renames the copy, and the upgrade runs in one
transaction with foreign keys enforced (`PRAGMA foreign_keys` can't change inside it), so
dropping `imaging_studies` or `imaging_analyses` while series or reviews point at them fails,
and with the keys deferred the rename never settles the count of broken references. Instead,
with the keys deferred: the rows go to a scratch table, the table is dropped and created again
under its own name, and the rows come back, which settles each child's reference again (a
mistake leaves a reference broken and the commit, hence the whole upgrade, fails). The
table's indexes and triggers (a drop removes them) are created again from their stored SQL.

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "imaging_studies": ("imported_by",),
    "imaging_analyses": ("run_by",),
    "imaging_analysis_reviews": ("actor_id", "assigned_to"),
}
_SCRATCH = "_migration_0009_rows"


def _references_users(constraint: sa.ForeignKeyConstraint) -> bool:
    return constraint.referred_table.name == "users"


def _rebuild(name: str, *, with_user_keys: bool) -> None:
    bind = op.get_bind()
    metadata = sa.MetaData()
    old = sa.Table(name, metadata, autoload_with=bind)  # also reflects the referred tables
    if "users" not in metadata.tables:
        sa.Table("users", metadata, autoload_with=bind)
    # What this rebuild would lose (a unique or check constraint, a server default, added to
    # the table by a later migration) is refused rather than dropped silently.
    for constraint in old.constraints:
        if not isinstance(constraint, sa.PrimaryKeyConstraint | sa.ForeignKeyConstraint):
            raise RuntimeError(f"{name} has a {type(constraint).__name__} this rebuild ignores")
    if any(column.server_default is not None for column in old.columns):
        raise RuntimeError(f"{name} has a server default this rebuild ignores")
    tables = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    for other in tables.scalars().all():
        # Read from SQLite itself: SQLAlchemy's reflection misses a column's inline action.
        for key in bind.exec_driver_sql(f'PRAGMA foreign_key_list("{other}")').mappings():
            if key["table"] == name and key["on_delete"] != "NO ACTION":
                # The drop below deletes every row first: an ON DELETE action would fire.
                raise RuntimeError(f"{other} references {name} with an ON DELETE action")
    saved = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type = 'trigger', name",
        (name,),
    ).scalars()
    saved_sql = list(saved)
    columns = [column.name for column in old.columns]
    wanted = [
        (list(key.column_keys), [e.target_fullname for e in key.elements], key.name)
        for key in old.foreign_key_constraints
        if not _references_users(key)
    ]
    if with_user_keys:
        wanted += [
            ([column], ["users.id"], f"fk_{name}_{column}_users") for column in USER_COLUMNS[name]
        ]
    # In 0006's order (by column; DDL keeps the order they are made in): the way down writes
    # the very table 0006 wrote.
    keys = [
        sa.ForeignKeyConstraint(columns, targets, name=key_name)
        for columns, targets, key_name in sorted(wanted, key=lambda item: item[0])
    ]
    metadata.remove(old)
    new = sa.Table(
        name,
        metadata,
        *(
            sa.Column(column.name, column.type, nullable=column.nullable, autoincrement=False)
            for column in old.columns
        ),
        sa.PrimaryKeyConstraint(*old.primary_key.columns.keys(), name=old.primary_key.name),
        *keys,
    )
    listed = ", ".join(f'"{column}"' for column in columns)
    bind.exec_driver_sql(f'CREATE TABLE "{_SCRATCH}" AS SELECT {listed} FROM "{name}"')
    bind.exec_driver_sql(f'DROP TABLE "{name}"')
    new.create(bind)
    bind.exec_driver_sql(f'INSERT INTO "{name}" ({listed}) SELECT {listed} FROM "{_SCRATCH}"')
    bind.exec_driver_sql(f'DROP TABLE "{_SCRATCH}"')
    for sql in saved_sql:
        bind.exec_driver_sql(sql)


def _with_keys_deferred(with_user_keys: bool) -> None:
    # Left on until the upgrade's transaction ends (SQLite then switches it off): switching it
    # off earlier forgets the pending count, and a reference the rebuild broke would commit.
    # Migrations running after this one in the same transaction have their keys checked at
    # the commit too.
    op.get_bind().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    for name in USER_COLUMNS:
        _rebuild(name, with_user_keys=with_user_keys)


def upgrade() -> None:
    _with_keys_deferred(with_user_keys=False)


def downgrade() -> None:
    bind = op.get_bind()
    for name, user_columns in USER_COLUMNS.items():
        for column in user_columns:
            strangers = bind.exec_driver_sql(
                f'SELECT count(*) FROM "{name}" WHERE "{column}" IS NOT NULL '
                f'AND "{column}" NOT IN (SELECT id FROM users)'
            ).scalar()
            if strangers:
                raise RuntimeError(
                    f"{strangers} row(s) of {name} name a user who has no account here: "
                    "they can't point at the local accounts again"
                )
    _with_keys_deferred(with_user_keys=True)
