"""The one running server of a contract test module: its suite, its database and the folder it
was built in. A module keeps one at a time (its cases are ordered by server), and replaces it
when a case needs another: one server at a time keeps the two cores' load flat.

Each module subclasses Served, so each has its own (class-level) slot."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


class Served:
    key: tuple | None = None
    server: Any = None  # a started ServeProcess (or one of its subclasses)
    suite: Any = None  # the Suite pointed at it
    database: Any = None  # a Database to drop afterwards, when the test made one
    app: Path | None = None  # a folder to remove afterwards (a copied app)

    @classmethod
    def stop(cls) -> None:
        if cls.suite is not None:
            cls.suite.close()
        if cls.server is not None:
            cls.server.stop()
        if cls.database is not None:
            cls.database.drop()
        if cls.app is not None:
            shutil.rmtree(cls.app, ignore_errors=True)
        cls.key = cls.server = cls.suite = cls.database = cls.app = None
