"""Alembic environment: runs against the engine the application hands over (or sqlalchemy.url)."""

from alembic import context

from pipeline.archive.models import Base

config = context.config
target_metadata = Base.metadata
# Made by migration 0004 in each dialect's own way (FTS5 / tsvector), so not in the models.
NOT_MODELLED = ("search_index", "minutes_view", "references_view", "documents_view")


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name and name.startswith(NOT_MODELLED))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from pipeline.archive.db import make_engine, resolve_db_url

        engine = make_engine(config.get_main_option("sqlalchemy.url") or resolve_db_url())
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes migrating a fresh database at once: the second waits, then finds it done.
            # (SQLite's BEGIN IMMEDIATE does the same.)
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
