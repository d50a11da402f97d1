"""Models and migrations agree (``alembic check``), and a database upgrades from the baseline."""

from alembic import command
from sqlalchemy import create_engine, inspect

from pipeline.archive.db import alembic_config, current_revision, make_engine, upgrade
from pipeline.archive.models import Base


def test_models_and_migrations_agree(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    command.check(alembic_config(engine))  # raises if autogenerate would find a difference
    engine.dispose()


def test_upgrade_from_baseline_creates_every_table(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    upgrade(engine)  # to head
    tables = set(inspect(create_engine(db_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    engine.dispose()
