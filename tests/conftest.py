import pytest

from tests.support import TextSnapshot


@pytest.fixture
def snapshot(snapshot):
    """Every snapshot is a readable text file under tests/snapshots/."""
    return snapshot.use_extension(TextSnapshot)


from tests.engines import *  # noqa: E402,F401,F403  (database engine fixtures: pg_server, fresh_db, ...)
