"""Models and migrations agree (``alembic check``), and a database upgrades from the baseline."""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from pipeline.archive.db import alembic_config, current_revision, make_engine, upgrade
from pipeline.archive.models import Base


def test_models_and_migrations_agree(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    command.check(alembic_config(engine))  # raises if autogenerate would find a difference
    engine.dispose()


def test_the_schema_revision_read_commands_expect_is_alembics_head():
    from alembic.script import ScriptDirectory

    from pipeline.archive.db import SCHEMA_REVISION

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_REVISION


def test_upgrade_from_baseline_creates_every_table(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    upgrade(engine)  # to head
    tables = set(inspect(create_engine(db_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    engine.dispose()


def test_minute_source_counts_filled_in_for_an_existing_archive(db_url, sample_items_file):
    """An archive from before migration 0013 gets each minute's first source and number of
    sources from its minute_sources, as the writer would have kept them."""
    from pipeline.archive.blobs import BlobStore
    from pipeline.archive.db import blob_root, open_archive_engine
    from pipeline.archive.writer import Archive
    from tests.archive_snapshot import assert_source_counts_kept
    from tests.spider_items import load_items, store_items

    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    archive.engine.dispose()
    engine = make_engine(db_url)
    command.downgrade(alembic_config(engine), "0012")
    assert "source_count" not in {c["name"] for c in inspect(engine).get_columns("minutes")}
    upgrade(engine)
    assert_source_counts_kept(engine)
    with engine.connect() as conn:
        counts = conn.execute(text("SELECT source_count, first_source_url FROM minutes")).all()
    assert counts and all(n >= 1 and url.startswith("http") for n, url in counts)
    engine.dispose()
