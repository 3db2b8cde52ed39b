import pytest

from tests.support import TextSnapshot


@pytest.fixture
def snapshot(snapshot):
    """Every snapshot is a readable text file under tests/snapshots/."""
    return snapshot.use_extension(TextSnapshot)
