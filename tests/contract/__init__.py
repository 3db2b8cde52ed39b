"""The HTTP contract suite of docs/runtime.md: driven by the Spec model, pointed at a base URL.

``tests/test_contract.py`` runs it against `vigilo-gen serve` on SQLite, PostgreSQL and MariaDB
for every spec with an API; any other server of the same spec (the TypeScript runtimes) runs it
with ``python -m tests.contract --spec SPEC --base-url URL --db URL`` (the server must use the
development verifier with the tokens of ``tests.contract.server.TOKENS``).
"""
