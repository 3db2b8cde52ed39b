"""``vigilo-gen import``: an existing schema (a SQL file, or a live database) turned into a spec.

Two readers fill one neutral description of the schema (``source``: tables, columns, keys,
constraints, triggers, and what the spec cannot hold), and one writer turns that into a spec in
the house style (``to_spec``, then ``write_spec``). ``parse_sql`` reads DDL with sqlglot;
``reflect_db`` reads a database through SQLAlchemy's inspector. Whatever cannot become part of
the spec is a ``Note``: listed on stderr and as comments at the top of the spec, never dropped.
"""
