"""The example service: the generated router over a database named by DATABASE_URL.

    uvicorn app.main:app            # SQLite file ./vigilo.db, schema from sql/schema.sqlite.sql

Tokens for development come from VIGILO_TOKENS ("token=owner,..."); plug a JWT or session
check by passing your own ``verify(token) -> owner | None``.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, inspect

from .router import create_app, token_verifier

HERE = Path(__file__).resolve().parent.parent
url = os.environ.get("DATABASE_URL", "sqlite:///vigilo.db")
engine = create_engine(url)
tokens = dict(
    item.split("=", 1) for item in os.environ.get("VIGILO_TOKENS", "").split(",") if "=" in item
)
app = create_app(engine, token_verifier(tokens) if tokens else None)


@app.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, bool]:
    return {"ok": True}


# First run on SQLite: create the schema from the generated SQL (triggers included).
if engine.dialect.name == "sqlite" and not inspect(engine).get_table_names():
    script = (HERE / "sql" / "schema.sqlite.sql").read_text()
    raw = engine.raw_connection()
    try:
        raw.driver_connection.executescript(script)
    finally:
        raw.close()
