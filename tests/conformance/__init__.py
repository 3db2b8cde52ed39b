"""The conformance matrix: every target builds its schema on every engine it supports, each
database is reflected into one normalized description, and all descriptions for one engine must
be equal (except the differences listed, with their reasons, in ``allowed.py``).

    build.py    builds one target's schema in a fresh database (our SQL, SQLAlchemy, Peewee,
                Prisma's schema engine, drizzle-kit)
    reflect.py  reflects a database into a normalized, comparable description
    compare.py  diffs two descriptions, filtering the allowed differences
    allowed.py  the short, explicit list of allowed differences (shown in docs/conformance.md)
    matrix.py   runs everything and prints targets x engines (``make conformance``)
"""
