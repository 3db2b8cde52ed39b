"""Read a SQL file (DDL in one of the dialects we write) into a ``Source``, with sqlglot.

Statements are split on the token stream (so that each keeps its ``line:col``), then parsed
one by one: ``CREATE TABLE`` (columns, keys, uniques, foreign keys, checks, inline comments),
``CREATE [UNIQUE] INDEX``, ``ALTER TABLE ... ADD CONSTRAINT`` (relations added afterwards),
``COMMENT ON``, triggers (kept as text for ``to_spec`` to recognise our own) and functions.
Anything else (a view, a sequence, an INSERT) is a note, not silently skipped.
"""

from __future__ import annotations

import bisect
import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType
from vigilo_gen.errors import UsageError, offset_position

from . import recognise
from .clients import without_client_lines
from .gaps import read_gaps
from .source import Check, Column, ForeignKey, Key, Source, Table, Trigger, named

# The sql emitter's dialect names -> the sqlglot dialect that reads them (ours write MySQL
# through a MySQL subclass, which sqlglot's mysql reads; sqlglot's duckdb reader drops VARCHAR
# lengths, and the DDL we write for DuckDB is PostgreSQL's syntax).
READERS: dict[str, str] = {
    "postgres": "postgres",
    "mysql": "mysql",
    "sqlite": "sqlite",
    "duckdb": "postgres",
    "tsql": "tsql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "trino": "trino",
    "clickhouse": "clickhouse",
}

_TRIGGER = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>[`\"\[]?[\w$.]+[`\"\]]?)"
    r".*?\bON\s+(?P<table>[`\"\[]?[\w$.]+[`\"\]]?)",
    re.I | re.S,
)


# Words that end a column's DEFAULT expression (the column's next constraint).
_AFTER_DEFAULT = {
    "NOT",
    "NULL",
    "CONSTRAINT",
    "ON",
    "COMMENT",
    "CHECK",
    "REFERENCES",
    "PRIMARY",
    "UNIQUE",
    "GENERATED",
    "AUTO_INCREMENT",
    "COLLATE",
    "IDENTITY",
    "AUTOINCREMENT",
}


# Statements that describe no schema object, read without a line: a session's settings, a
# migration file's transaction, a dump's rows (INSERT, COPY) and the queries around them.
NOT_SCHEMA = (
    exp.Pragma, exp.Set, exp.Transaction, exp.Commit,
    exp.Insert, exp.Copy, exp.Update, exp.Delete, exp.Select, exp.TruncateTable,
)


def _head(chunk: str) -> str:
    """A statement on one line, shortened to 60 characters, for a report line."""
    head = " ".join(chunk.split())
    return head if len(head) <= 60 else head[:57] + "..."


def _unquote(name: str) -> str:
    name = name.split(".")[-1]
    return name.strip('`"[]')


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    at = offset_position(text, offset)
    return at.line, at.column


def _trigger_header(tokens: list[Token]) -> bool:
    """Whether a statement so far is ``CREATE ... TRIGGER`` (so its BEGIN opens a body): the
    word TRIGGER before any ON, wherever the clauses before it put it (``OR REPLACE``, MySQL's
    ``DEFINER = `root`@`localhost```, ``TEMP``, PostgreSQL's ``CONSTRAINT``)."""
    if not tokens or tokens[0].text.upper() != "CREATE":
        return False
    for token in tokens[1:]:
        word = token.text.upper()
        if word == "TRIGGER":
            return True
        if word == "ON":  # CREATE INDEX ... ON: not a trigger
            return False
    return False


def statements(text: str, dialect: str) -> list[tuple[int, str, list[Token]]]:
    """(start offset, text, tokens) of each statement. A trigger's body (BEGIN ... END) keeps
    its inner semicolons."""
    tokens = sqlglot.Dialect.get_or_raise(READERS[dialect]).tokenize(text)
    result, current, depth = [], [], 0
    for token in tokens:
        if token.token_type is TokenType.SEMICOLON and depth == 0:
            if current:
                result.append(current)
            current = []
            continue
        if token.token_type is TokenType.BEGIN or token.text.upper() == "BEGIN" and current:
            if _trigger_header(current):
                depth += 1
        elif token.text.upper() == "END" and depth:
            depth -= 1
        current.append(token)
    if current:
        result.append(current)
    return [(chunk[0].start, text[chunk[0].start : chunk[-1].end + 1], chunk) for chunk in result]


def read_sql(text: str, dialect: str, file: str) -> Source:
    if dialect not in READERS:
        from vigilo_gen.errors import choice_hint

        raise UsageError(f"bad value {dialect!r} for --dialect ({choice_hint(dialect, READERS)})")
    source = Source(dialect=dialect)
    try:
        chunks = statements(without_client_lines(text, dialect), dialect)
    except TokenError as exc:
        raise UsageError(f"{file}: cannot read the SQL: {exc}") from None
    source.gaps = read_gaps(text)
    source.gaps.file = file
    for line, message in source.gaps.lost:
        source.note(f"{file}:{line}:1", message)
    reader = _Reader(source, dialect, file, text)
    for start, chunk, tokens in chunks:
        reader.tokens = tokens
        reader.statement(start, chunk)
    return source


class _Reader:
    def __init__(self, source: Source, dialect: str, file: str, text: str):
        self.source = source
        self.dialect = dialect
        self.read = READERS[dialect]
        self.file = file
        self.text = text
        self.lines = text.split("\n")
        # Offsets where each line starts, for line:col of an offset without rescanning.
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def title(self, where: str) -> str | None:
        """The one-line ``-- text`` comment right above a statement (our SQL writes
        ``-- Model: description`` there), or None."""
        line = int(where.rsplit(":", 2)[1])
        above = self.lines[line - 2].strip() if line >= 2 else ""
        return above[2:].strip() if above.startswith("--") else None

    def where(self, offset: int) -> str:
        line = bisect.bisect_right(self.line_starts, offset)
        return f"{self.file}:{line}:{offset - self.line_starts[line - 1] + 1}"

    def statement(self, start: int, chunk: str) -> None:
        self.chunk = chunk
        self.start = start
        self.check_places = None
        where = self.where(start)
        match = _TRIGGER.match(chunk)
        if match:
            self.source.triggers.append(
                Trigger(_unquote(match["name"]), _unquote(match["table"]), chunk, where)
            )
            return
        try:
            # sqlglot logs a warning when it keeps a statement as a plain command (a function
            # body): that statement is reported below, as a note, instead.
            logging.getLogger("sqlglot").setLevel(logging.ERROR)
            tree = sqlglot.parse_one(chunk, read=self.read, error_level=sqlglot.ErrorLevel.RAISE)
        except ParseError as exc:
            if not _READ.match(chunk):
                # not a statement the import reads (a function, a procedure, a grant):
                # reported as any other, whatever sqlglot makes of it
                self.source.note(where, f"not imported: statement {_head(chunk)!r}")
                return
            detail = exc.errors[0] if exc.errors else {}
            line, col = position(self.text, start)
            if detail.get("line"):
                line, col = line + detail["line"] - 1, detail.get("col", col)
            why = re.sub(
                r"<Token token_type: \S+ text: (.*?), line: .*?>",
                r"'\1'",
                str(detail.get("description") or exc).splitlines()[0],
            )
            raise UsageError(
                f"{self.file}:{line}:{col}: cannot parse this statement as "
                f"{self.dialect} SQL: {why}"
            ) from None
        # (kind is text, or a flag on some statements: COPY ... FROM has kind=True)
        handler = HANDLERS.get((type(tree), str(tree.args.get("kind") or "").upper()))
        if handler is None:
            self.other(tree, chunk, where)
        else:
            handler(self, tree, where)

    # -- statements ----------------------------------------------------------------------------

    def other(self, tree: exp.Expression, chunk: str, where: str) -> None:
        kind = tree.args.get("kind")
        if (
            isinstance(tree, exp.Create)
            and str(kind).upper() == "FUNCTION"
            or (
                isinstance(tree, exp.Command)
                and re.match(
                    r"\s*CREATE\s+(OR\s+REPLACE\s+)?"
                    r"FUNCTION",
                    chunk,
                    re.I,
                )
            )
        ):
            name = re.search(r"FUNCTION\s+([`\"\w.$]+)", chunk, re.I)
            self.source.functions.append((_unquote(name[1]) if name else "?", where))
            return
        if isinstance(tree, NOT_SCHEMA) or (
            isinstance(tree, exp.Command) and tree.name.upper() in ("SET", "PRAGMA")
        ):
            return  # session settings, BEGIN ... COMMIT, the rows of a dump: not the schema
        if isinstance(tree, exp.Create) and kind:
            # CREATE SCHEMA's name is the Table's db part (sqlglot reads it as a qualifier)
            name = tree.this.name or tree.this.text("db")
            self.source.note(where, f"not imported: {str(kind).lower()} {name}")
            return
        self.source.note(where, f"not imported: statement {_head(chunk)!r}")

    def create_table(self, tree: exp.Create, where: str) -> None:
        schema = tree.this
        if not isinstance(schema, exp.Schema):  # CREATE TABLE ... AS SELECT
            self.source.note(where, f"not imported: table {tree.this.name} created from a query")
            return
        table = Table(name=schema.this.name, where=where)
        table.title = self.title(where)
        defaults = iter(self.default_texts())
        # Each CHECK of the table at its own line:col (tree order is text order).
        self.check_places = iter(
            [
                self.where(self.start + t.start - self.tokens[0].start)
                for t in self.tokens
                if t.text.upper() == "CHECK"
            ]
        )
        for item in schema.expressions:
            if isinstance(item, exp.ColumnDef):
                for constraint in item.args.get("constraints") or []:
                    if isinstance(constraint.args.get("kind"), exp.DefaultColumnConstraint):
                        constraint.kind.meta["text"] = next(defaults, None)
                self.column_def(table, item)
            else:
                self.table_constraint(table, item, where)
        properties = tree.args.get("properties")
        for prop in properties.expressions if properties else ():
            if isinstance(prop, exp.SchemaCommentProperty):
                table.comment = prop.this.name
        self.source.tables.append(table)

    def default_texts(self) -> list[str]:
        """Each column default of a CREATE TABLE as written (an SQL expression default is kept
        in its author's spelling, not sqlglot's), in order."""
        texts, depth, tokens = [], 0, self.tokens
        base = tokens[0].start
        for i, token in enumerate(tokens):
            if token.token_type is TokenType.L_PAREN:
                depth += 1
            elif token.token_type is TokenType.R_PAREN:
                depth -= 1
            elif token.token_type is TokenType.DEFAULT and depth == 1:
                inner, j = 0, i + 1
                while j < len(tokens):
                    t = tokens[j]
                    if t.token_type is TokenType.L_PAREN:
                        inner += 1
                    elif t.token_type is TokenType.R_PAREN:
                        if inner == 0:
                            break
                        inner -= 1
                    elif inner == 0 and (
                        t.token_type is TokenType.COMMA or t.text.upper() in _AFTER_DEFAULT
                    ):
                        break
                    j += 1
                if j > i + 1:
                    texts.append(
                        self.chunk[tokens[i + 1].start - base : tokens[j - 1].end - base + 1]
                    )
        return texts

    def column_def(self, table: Table, item: exp.ColumnDef) -> None:
        column = Column(name=item.name, type=item.args["kind"])
        for constraint in item.args.get("constraints") or []:
            kind = constraint.args.get("kind")
            name = constraint.name or None
            if isinstance(kind, exp.NotNullColumnConstraint):
                column.nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                column.default = kind.this
                column.default_text = kind.meta.get("text")
            elif isinstance(
                kind, (exp.GeneratedAsIdentityColumnConstraint, exp.AutoIncrementColumnConstraint)
            ):
                column.identity = True
            elif isinstance(kind, exp.OnUpdateColumnConstraint):
                column.on_update_now = True
            elif isinstance(kind, exp.CommentColumnConstraint):
                column.comment = kind.this.name
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                table.primary_key = Key(name or "", (column.name,))
                column.nullable = False
            elif isinstance(kind, exp.UniqueColumnConstraint):
                table.uniques.append(Key(name or "", (column.name,)))
            elif isinstance(kind, exp.CheckColumnConstraint):
                table.checks.append(
                    Check(name or "", kind.this, next(self.check_places, table.where))
                )
            elif isinstance(kind, exp.Reference):
                self.foreign_key(table, name or "", (column.name,), kind, table.where)
            else:
                self.source.note(
                    table.where,
                    f"not imported: {table.name}.{column.name} "
                    f"{kind.sql(self.read) if kind else constraint.sql(self.read)}",
                )
        if self.dialect == "postgres":
            recognise.sequence_generated(column)
        table.columns.append(column)

    def table_constraint(self, table: Table, item: exp.Expression, where: str) -> None:
        name = ""
        kinds = [item]
        if isinstance(item, exp.Constraint):
            name, kinds = item.name, item.expressions
        # SQL Server's PRIMARY KEY [NON]CLUSTERED (cols): the key, then where its columns are
        if (
            len(kinds) == 2
            and isinstance(kinds[0], exp.PrimaryKeyColumnConstraint)
            and _clustered_columns(kinds[1]) is not None
        ):
            kinds = [exp.PrimaryKey(expressions=_clustered_columns(kinds[1]))]
        for kind in kinds:
            if isinstance(kind, exp.PrimaryKey):
                table.primary_key = Key(name, tuple(_names(kind.expressions)))
                for column in table.columns:
                    if column.name in table.primary_key.columns:
                        column.nullable = False
            elif isinstance(kind, exp.UniqueColumnConstraint):
                # MySQL's UNIQUE KEY name (cols) names the key in its column list's place
                named_key = kind.this.this if isinstance(kind.this, exp.Schema) else None
                key_name = name or (
                    named_key.name if isinstance(named_key, exp.Identifier) else ""
                )
                clustered = _clustered_columns(kind.this)  # SQL Server's UNIQUE [NON]CLUSTERED
                columns = clustered if clustered is not None else kind.this.expressions
                table.uniques.append(Key(key_name, tuple(_names(columns))))
            elif isinstance(kind, exp.CheckColumnConstraint):
                places = getattr(self, "check_places", None)
                table.checks.append(
                    Check(name, kind.this, next(places, where) if places else where)
                )
            elif isinstance(kind, exp.ForeignKey):
                self.foreign_key(
                    table, name, tuple(_names(kind.expressions)), kind.args["reference"], where
                )
            elif isinstance(kind, exp.IndexColumnConstraint) and _plain_index(kind):
                # MySQL's index inside CREATE TABLE (KEY name (cols)): CREATE INDEX's meaning
                table.indexes.append(Key(kind.name, tuple(c.name for c in kind.expressions)))
            else:
                self.source.note(
                    where,
                    f"not imported: {named('constraint', name)} of "
                    f"{table.name}: {kind.sql(self.read)}",
                )

    def foreign_key(
        self,
        table: Table,
        name: str,
        columns: tuple[str, ...],
        reference: exp.Reference,
        where: str,
    ) -> None:
        target = reference.this
        target_table = target.this.name if isinstance(target, exp.Schema) else target.name
        target_columns = tuple(_names(target.expressions)) if isinstance(target, exp.Schema) else ()
        actions = {"DELETE": None, "UPDATE": None}
        for option in reference.args.get("options") or []:
            text = " ".join(str(option).upper().split())
            for event in actions:
                prefix = f"ON {event} "
                if text.startswith(prefix):
                    actions[event] = text[len(prefix) :]
        table.foreign_keys.append(
            ForeignKey(
                name,
                columns,
                target_table,
                target_columns,
                actions["DELETE"],
                actions["UPDATE"],
                where,
            )
        )

    def create_index(self, tree: exp.Create, where: str) -> None:
        index = tree.this
        table = self.source.table(index.args["table"].name)
        params = index.args.get("params")
        columns = params.args.get("columns") if params else []
        columns = [
            c.this if isinstance(c, exp.Ordered) and not c.args.get("desc") else c
            for c in columns or []
        ]
        if tree.args.get("unique") and columns and all(_null_skipping(c) for c in columns):
            # Oracle's unique key with a nullable column (our OracleDDL): each key is
            # CASE WHEN <every column IS NOT NULL> THEN column END, so that a row with a NULL
            # is not in the index, as NULLs never collide elsewhere: the same unique key.
            keys = [_null_skipping(c) for c in columns]
            if all(set(k[1]) == {k[0].name for k in keys} for k in keys):
                columns = [k[0] for k in keys]
        names = [c.name for c in columns]
        plain = all(isinstance(c, exp.Column) for c in columns)
        if table is None:
            self.source.note(
                where,
                f"not imported: index {index.name} on unknown table {index.args['table'].name}",
            )
        elif tree.args.get("unique") and plain and _not_null_filter(params, names):
            # SQL Server's unique key with a nullable column (our TSQLDDL): a unique index
            # filtered on IS NOT NULL of its columns, so that NULLs never collide, as they
            # never do in a UNIQUE constraint elsewhere: the same unique key.
            table.uniques.append(Key(index.name, tuple(names)))
        elif params.args.get("where") is not None:
            self.source.note(
                where,
                f"not imported: partial index {index.name} on "
                f"{table.name} (WHERE {params.args['where'].this.sql(self.read)})",
            )
        elif not plain or not names:
            self.source.note(
                where,
                f"not imported: index {index.name} on {table.name} "
                "over expressions or with a sort order",
            )
        else:
            keys = table.uniques if tree.args.get("unique") else table.indexes
            keys.append(Key(index.name, tuple(names)))

    def alter_table(self, tree: exp.Alter, where: str) -> None:
        table = self.source.table(tree.this.name)
        actions = tree.args.get("actions") or []
        if table is None or not all(isinstance(a, exp.AddConstraint) for a in actions):
            self.source.note(where, f"not imported: {' '.join(tree.sql(self.read).split())[:80]}")
            return
        for action in actions:
            for item in action.expressions:
                self.table_constraint(table, item, where)

    def comment(self, tree: exp.Comment, where: str) -> None:
        kind = str(tree.args.get("kind")).upper()
        target = tree.this
        text = tree.args["expression"].name
        if kind == "TABLE" and (table := self.source.table(target.name)):
            table.comment = text
            return
        if kind == "COLUMN":
            table = self.source.table(target.table)
            column = table.column(target.name) if table else None
            if column is not None:
                column.comment = text
                return
        self.source.note(where, f"not imported: comment on {kind.lower()} {target.sql(self.read)}")


def _null_skipping(key: exp.Expression) -> tuple[exp.Column, list[str]] | None:
    """(column, the columns its condition requires not NULL) of a key
    ``CASE WHEN a IS NOT NULL AND ... THEN column END``, or None."""
    if not isinstance(key, exp.Case) or key.args.get("default") or len(key.args["ifs"]) != 1:
        return None
    branch = key.args["ifs"][0]
    if not isinstance(branch.args.get("true"), exp.Column):
        return None
    names = _not_null_columns(branch.this)
    return (branch.args["true"], names) if names else None


def _not_null_filter(params: exp.IndexParameters, names: list[str]) -> bool:
    """A WHERE of ``c IS NOT NULL`` conditions (AND), each on a column of the index."""
    where = params.args.get("where")
    found = _not_null_columns(where.this) if where is not None else None
    return bool(found) and set(found) <= set(names)


def _not_null_columns(condition: exp.Expression) -> list[str] | None:
    """The columns of a condition ``a IS NOT NULL AND b IS NOT NULL ...``, or None."""
    parts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    names = []
    for part in parts:
        if isinstance(part, exp.Not) and isinstance(part.this, exp.Is):
            part = part.this  # sqlglot reads "x IS NOT NULL" as NOT (x IS NULL)
            if not isinstance(part.expression, exp.Null):
                return None
        elif not (isinstance(part, exp.Is) and isinstance(part.expression, exp.Not)):
            return None
        if not isinstance(part.this, exp.Column):
            return None
        names.append(part.this.name)
    return names


def _clustered_columns(node: exp.Expression | None) -> list[exp.Expression] | None:
    """The columns of SQL Server's CLUSTERED or NONCLUSTERED (cols) (its order of the index
    does not change what the key holds), or None for another node."""
    if not isinstance(node, (exp.ClusteredColumnConstraint, exp.NonClusteredColumnConstraint)):
        return None
    return [c.this if isinstance(c, exp.Ordered) else c for c in node.this]


def _plain_index(index: exp.IndexColumnConstraint) -> bool:
    """An index of whole columns in ascending order, of the B-tree kind (MySQL's default; not
    FULLTEXT, SPATIAL or HASH, not a prefix of a column): the spec's `index`."""
    return (
        not index.args.get("kind")
        and str(index.args.get("index_type") or "BTREE").upper() == "BTREE"
        and bool(index.expressions)
        and all(isinstance(c, exp.Column) for c in index.expressions)
    )


def _names(items) -> list[str]:
    return [(i.this if isinstance(i, exp.Ordered) else i).name for i in items]


# The statements the import reads (HANDLERS'): one it cannot parse stops the import, where
# another is only reported, since a table read wrong is a spec that says something else.
_READ = re.compile(
    r"\s*(?:CREATE\s+(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP\w*\s+)?TABLE|(?:UNIQUE\s+)?INDEX)|"
    r"ALTER\s+TABLE|COMMENT\s+ON\s+(?:TABLE|COLUMN))\b",
    re.I,
)

HANDLERS = {
    (exp.Create, "TABLE"): _Reader.create_table,
    (exp.Create, "INDEX"): _Reader.create_index,
    (exp.Alter, "TABLE"): _Reader.alter_table,
    (exp.Comment, "TABLE"): _Reader.comment,
    (exp.Comment, "COLUMN"): _Reader.comment,
}
