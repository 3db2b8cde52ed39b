"""Build the DDL of a Spec as sqlglot expression trees and render them for one dialect.

The tree is the same for every dialect; what differs is a *profile* per dialect (a table, in
the manner of sqlglot's own dialect modules): the column types it needs spelt differently,
which constraints it enforces, how ``updated_at`` is maintained. Whatever a dialect cannot
express goes through one path, ``Gaps.unsupported``, and ends up as a comment at the top of
the output, so a reader knows what the database will not enforce.

Hand-written SQL text exists only for triggers, which sqlglot has no expression for; it is one
template per dialect in ``UPDATED_AT_TRIGGERS`` (plus, on PostgreSQL, the one trigger function
every table's trigger calls, ``UPDATED_AT_FUNCTIONS``).

Descriptions reach the database's catalogue, where every tool that reads it shows them
(psql's ``\\d+``, DBeaver, ``information_schema``, SQLAlchemy's inspector): ``COMMENT ON``
statements or inline ``COMMENT`` clauses, per the dialect's ``comments`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.mysql import MySQL
from vigilo_gen.emitter import Provenance
from vigilo_gen.model import NOW, Check, Field, FieldType, Model, OnDelete, Spec
from vigilo_gen.naming import constraint_name

T = FieldType
DT = exp.DataType.Type

# Enforcement levels of a constraint kind in a dialect.
ENFORCED, INFORMATIONAL, ABSENT = "enforced", "informational", "absent"
# Ways a dialect stores descriptions (Profile.comments).
COMMENT_ON, INLINE = "comment-on", "inline"


class MySQLCompat(MySQL):
    """MySQL as both MySQL 8 and MariaDB accept it: ``col REGEXP 'x'`` instead of
    REGEXP_LIKE(), which MariaDB lacks."""

    class Generator(MySQL.Generator):
        TRANSFORMS = {
            **MySQL.Generator.TRANSFORMS,
            exp.RegexpLike: lambda self, e: self.binary(e, "REGEXP"),
        }


@dataclass(frozen=True)
class Profile:
    """What one dialect needs and supports. Defaults describe a full-featured database."""

    write: str | type[Dialect]  # sqlglot dialect used to render
    # Exact type spellings where sqlglot's generic mapping is not what we want (text rendered
    # as written). Everything else goes through sqlglot's type mapping.
    types: dict[FieldType, str] = field(default_factory=dict)
    datetime_precision: bool = True  # TIMESTAMP(3) accepted
    checks: str = ENFORCED
    regex: bool = True  # CHECK can match a regular expression
    regex_prefix: str = ""  # added to every pattern (e.g. to force case-sensitivity)
    primary_key: str = ENFORCED
    unique: str = ENFORCED
    foreign_keys: str = ENFORCED
    on_delete: frozenset[OnDelete] = frozenset(OnDelete)  # actions the dialect accepts
    indexes: bool = True
    defaults: bool = True
    now_precision: bool = False  # CURRENT_TIMESTAMP(3), required by MySQL for DATETIME(3)
    bool_as_int: bool = False  # boolean literals written as 1/0
    text_default_parens: bool = False  # TEXT defaults must be expressions: DEFAULT ('x')
    updated_at: str | None = None  # key of UPDATED_AT_TRIGGERS, or "on-update" (MySQL)
    # How descriptions reach the catalogue: COMMENT ON statements, inline COMMENT clauses
    # (MySQL's column and table comments), or not at all (a gap).
    comments: str | None = COMMENT_ON
    table_suffix: str = ""  # e.g. ClickHouse's ENGINE clause
    notes: tuple[str, ...] = ()


PROFILES: dict[str, Profile] = {
    "postgres": Profile(write="postgres", updated_at="postgres"),
    "mysql": Profile(
        write=MySQLCompat,
        types={T.DATETIME: "DATETIME(3)", T.BOOL: "BOOLEAN", T.FLOAT: "DOUBLE"},
        # MariaDB's REGEXP ignores case under the usual case-insensitive collations.
        regex_prefix="(?-i)",
        now_precision=True,
        text_default_parens=True,  # MySQL 8 refuses a plain literal default on TEXT
        updated_at="on-update",
        comments=INLINE,
        notes=("Works on MySQL 8.0.16+ and MariaDB 10.4+.",),
    ),
    "sqlite": Profile(
        write="sqlite",
        # SQLite keeps any declared type name; we declare the names the ORMs declare, so that
        # every target creates the same schema (type affinity is what SQLite enforces).
        types={T.ID: "VARCHAR(36)", T.REF: "VARCHAR(36)", T.STRING: "VARCHAR({n})",
               T.ENUM: "VARCHAR({n})", T.TEXT: "TEXT", T.INT: "INTEGER", T.BIGINT: "BIGINT",
               T.FLOAT: "REAL", T.DECIMAL: "DECIMAL({p}, {s})", T.BOOL: "BOOLEAN",
               T.DATE: "DATE", T.DATETIME: "DATETIME"},
        regex=False,
        updated_at="sqlite",
        comments=None,
        notes=("Foreign keys are enforced only with PRAGMA foreign_keys = ON (per connection).",
               "VARCHAR lengths are not enforced by SQLite."),
    ),
    "duckdb": Profile(
        write="duckdb",
        types={T.ID: "VARCHAR(36)", T.REF: "VARCHAR(36)", T.STRING: "VARCHAR({n})",
               T.ENUM: "VARCHAR({n})", T.TEXT: "TEXT"},
        datetime_precision=False,
        on_delete=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),
        notes=("VARCHAR lengths are not enforced by DuckDB.",),
    ),
    "tsql": Profile(write="tsql", regex=False, bool_as_int=True, comments=None,
                    on_delete=frozenset({OnDelete.CASCADE, OnDelete.SET_NULL,
                                         OnDelete.NO_ACTION})),
    "oracle": Profile(write="oracle",
                      on_delete=frozenset({OnDelete.CASCADE, OnDelete.SET_NULL,
                                           OnDelete.NO_ACTION})),
    "snowflake": Profile(write="snowflake", checks=ABSENT, primary_key=INFORMATIONAL,
                         unique=INFORMATIONAL, foreign_keys=INFORMATIONAL, indexes=False),
    "bigquery": Profile(write="bigquery", datetime_precision=False, checks=ABSENT, comments=None,
                        primary_key=INFORMATIONAL, unique=ABSENT, foreign_keys=INFORMATIONAL,
                        on_delete=frozenset(), indexes=False),
    "redshift": Profile(write="redshift", datetime_precision=False, checks=ABSENT,
                        primary_key=INFORMATIONAL, unique=INFORMATIONAL,
                        foreign_keys=INFORMATIONAL, on_delete=frozenset(), indexes=False),
    "databricks": Profile(write="databricks", datetime_precision=False, checks=ABSENT,
                          primary_key=INFORMATIONAL, unique=ABSENT,
                          foreign_keys=INFORMATIONAL, on_delete=frozenset(), indexes=False,
                          defaults=False, comments=None),
    "trino": Profile(write="trino", checks=ABSENT, primary_key=ABSENT, unique=ABSENT,
                     foreign_keys=ABSENT, indexes=False, defaults=False),
    "clickhouse": Profile(write="clickhouse", regex=True, primary_key=INFORMATIONAL, comments=None,
                          unique=ABSENT, foreign_keys=ABSENT, indexes=False,
                          table_suffix="ENGINE=MergeTree ORDER BY ({pk})"),
}

# Logical type -> sqlglot type (with its parameters), rendered by each dialect's own mapping.
GENERIC_TYPES: dict[FieldType, tuple[DT, str]] = {
    T.ID: (DT.VARCHAR, "length"),
    T.REF: (DT.VARCHAR, "length"),
    T.STRING: (DT.VARCHAR, "length"),
    T.ENUM: (DT.VARCHAR, "length"),
    T.TEXT: (DT.TEXT, ""),
    T.INT: (DT.INT, ""),
    T.BIGINT: (DT.BIGINT, ""),
    T.FLOAT: (DT.DOUBLE, ""),
    T.DECIMAL: (DT.DECIMAL, "precision"),
    T.BOOL: (DT.BOOLEAN, ""),
    T.DATE: (DT.DATE, ""),
    T.DATETIME: (DT.TIMESTAMPTZ, "datetime"),
}

# The function every updated_at trigger of a dialect calls, written once per schema ({function}
# is its quoted name, UPDATED_AT_FUNCTION). PostgreSQL's row is a composite value: the column
# named by the trigger's argument is replaced through jsonb_populate_record, so one function
# serves every table. OR REPLACE: two specs may share a database.
UPDATED_AT_FUNCTION = "vigilo_gen_set_updated_at"
UPDATED_AT_FUNCTIONS: dict[str, str] = {
    "postgres": (
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], "
        "CURRENT_TIMESTAMP));\n"
        "  RETURN NEW;\n"
        "END;\n"
        "$$;"
    ),
}

# Triggers that keep updated_at current, for dialects that need one. {table}, {column},
# {trigger}, {function}, {pk} are quoted identifiers; {column_literal} the column's name as a
# string literal.
UPDATED_AT_TRIGGERS: dict[str, str] = {
    "postgres": (
        "CREATE TRIGGER {trigger} BEFORE UPDATE ON {table}\n"
        "  FOR EACH ROW EXECUTE FUNCTION {function}({column_literal});"
    ),
    # AFTER UPDATE, and only when the statement left the column alone, so an explicit value
    # wins and the trigger's own UPDATE does not fire it again.
    "sqlite": (
        "CREATE TRIGGER {trigger} AFTER UPDATE ON {table}\n"
        "  FOR EACH ROW WHEN NEW.{column} IS OLD.{column}\n"
        "BEGIN\n"
        "  UPDATE {table} SET {column} = CURRENT_TIMESTAMP WHERE {pk} = NEW.{pk};\n"
        "END;"
    ),
}


class Gaps:
    """The one path for facts a dialect cannot express: collected, then written as comments."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def unsupported(self, message: str) -> None:
        if message not in self.lines:
            self.lines.append(message)


class DDLBuilder:
    def __init__(self, spec: Spec, dialect: str):
        self.spec = spec
        self.dialect = dialect
        self.profile = PROFILES[dialect]
        self.gaps = Gaps()

    # -- small tree helpers ------------------------------------------------------------------

    @staticmethod
    def ident(name: str) -> exp.Identifier:
        return exp.to_identifier(name, quoted=True)

    def quoted(self, name: str) -> str:
        return self.ident(name).sql(dialect=self.profile.write, copy=False)

    def column_type(self, f: Field) -> exp.DataType:
        custom = self.profile.types.get(f.type)
        if custom is not None:
            text = custom.format(n=f.max_length, p=f.precision, s=f.scale)
            return exp.DataType(this=DT.USERDEFINED, kind=text)
        kind, params = GENERIC_TYPES[f.type]
        values: tuple[int, ...] = ()
        if params == "length":
            values = (f.max_length,)
        elif params == "precision":
            values = (f.precision, f.scale)
        elif params == "datetime" and self.profile.datetime_precision:
            values = (f.precision,)
        return exp.DataType(
            this=kind,
            expressions=[exp.DataTypeParam(this=exp.Literal.number(v)) for v in values],
            nullable=f.nullable,
        )

    def literal(self, value) -> exp.Expression:
        if isinstance(value, bool):
            if self.profile.bool_as_int:
                return exp.Literal.number(int(value))
            return exp.Boolean(this=value)
        if isinstance(value, (int, float)):
            return exp.Literal.number(value)
        return exp.Literal.string(value)

    def default(self, f: Field) -> exp.Expression | None:
        if f.default is None:
            return None
        if f.default is NOW:
            if f.type is T.DATE:
                return exp.CurrentDate()
            if self.profile.now_precision:
                return exp.CurrentTimestamp(this=exp.Literal.number(f.precision))
            return exp.CurrentTimestamp()
        literal = self.literal(f.default)
        if f.type is T.TEXT and self.profile.text_default_parens:
            return exp.Paren(this=literal)
        return literal

    # -- tables ------------------------------------------------------------------------------

    def column(self, f: Field) -> exp.ColumnDef:
        constraints = []
        if not f.nullable:
            constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
        default = self.default(f)
        if default is not None:
            if self.profile.defaults:
                constraints.append(exp.ColumnConstraint(
                    kind=exp.DefaultColumnConstraint(this=default)))
            else:
                self.gaps.unsupported("column defaults are not written (set them in the "
                                      "application)")
        if f.updated_at and self.profile.updated_at == "on-update":
            constraints.append(exp.ColumnConstraint(kind=exp.OnUpdateColumnConstraint(
                this=exp.CurrentTimestamp(this=exp.Literal.number(f.precision)))))
        if f.description and self.profile.comments == INLINE:
            constraints.append(exp.ColumnConstraint(kind=exp.CommentColumnConstraint(
                this=self._comment_text(f.description))))
        return exp.ColumnDef(this=self.ident(f.column), kind=self.column_type(f),
                             constraints=constraints)

    def named(self, name: str, kind: exp.Expression) -> exp.Constraint:
        return exp.Constraint(this=self.ident(name), expressions=[kind])

    def columns(self, names) -> list[exp.Identifier]:
        return [self.ident(c) for c in names]

    def check_condition(self, model: Model, check: Check) -> exp.Expression | None:
        f = model.field(check.field)
        col = exp.column(self.ident(f.column))
        if check.kind == "enum":
            return exp.In(this=col, expressions=[self.literal(v) for v in f.enum.values])
        if check.kind == "range":
            parts = []
            if f.minimum is not None:
                parts.append(exp.GTE(this=col.copy(), expression=self.literal(f.minimum)))
            if f.maximum is not None:
                parts.append(exp.LTE(this=col.copy(), expression=self.literal(f.maximum)))
            return exp.and_(*parts)
        if check.kind == "length":
            return exp.GTE(this=exp.Length(this=col), expression=self.literal(f.min_length))
        if check.kind == "pattern":
            if not self.profile.regex:
                self.gaps.unsupported(f"pattern checks are not enforced (no regular expressions "
                                      f"in {self.dialect} CHECK constraints): "
                                      f"{model.table}.{f.column}")
                return None
            return exp.RegexpLike(this=col, expression=exp.Literal.string(
                self.profile.regex_prefix + f.pattern))
        raise AssertionError(f"unknown check kind {check.kind}")

    def table_constraints(self, model: Model) -> list[exp.Expression]:
        p = self.profile
        result: list[exp.Expression] = []
        if p.primary_key != ABSENT:
            result.append(self.named(model.pk_constraint, exp.PrimaryKey(
                expressions=self.columns([model.primary_key.column]))))
        if p.primary_key == INFORMATIONAL:
            self.gaps.unsupported("primary keys are informational (not enforced)")
        if p.primary_key == ABSENT:
            self.gaps.unsupported("primary keys are not declared")
        for unique in model.uniques:
            if p.unique == ABSENT:
                self.gaps.unsupported("unique constraints are not declared (not supported): "
                                      f"{unique.name}")
                continue
            result.append(self.named(unique.name, exp.UniqueColumnConstraint(
                this=exp.Schema(expressions=self.columns(unique.columns)))))
        if p.unique == INFORMATIONAL and model.uniques:
            self.gaps.unsupported("unique constraints are informational (not enforced)")
        for f in model.references:
            ref = f.reference
            if p.foreign_keys == ABSENT:
                self.gaps.unsupported(f"foreign keys are not declared: {ref.constraint}")
                continue
            options = []
            if ref.on_delete in p.on_delete:
                options.append(f"ON DELETE {ref.on_delete.sql}")
            elif ref.on_delete is not OnDelete.NO_ACTION:
                self.gaps.unsupported(f"ON DELETE {ref.on_delete.sql} is not supported: "
                                      f"{ref.constraint} (delete dependent rows in the "
                                      "application)")
            result.append(self.named(ref.constraint, exp.ForeignKey(
                expressions=self.columns([f.column]),
                reference=exp.Reference(
                    this=exp.Schema(this=exp.Table(this=self.ident(ref.target_table)),
                                    expressions=self.columns([ref.target_column])),
                    options=options,
                ),
            )))
        if p.foreign_keys == INFORMATIONAL and model.references:
            self.gaps.unsupported("foreign keys are informational (not enforced)")
        for check in model.checks:
            if p.checks == ABSENT:
                self.gaps.unsupported(f"CHECK constraints are not supported: {check.name}")
                continue
            condition = self.check_condition(model, check)
            if condition is not None:
                result.append(self.named(check.name, exp.CheckColumnConstraint(this=condition)))
        return result

    def create_table(self, model: Model) -> exp.Create:
        schema = exp.Schema(
            this=exp.Table(this=self.ident(model.table)),
            expressions=[*(self.column(f) for f in model.fields),
                         *self.table_constraints(model)],
        )
        properties = None
        if model.description and self.profile.comments == INLINE:
            properties = exp.Properties(expressions=[exp.SchemaCommentProperty(
                this=self._comment_text(model.description))])
        return exp.Create(this=schema, kind="TABLE", properties=properties)

    def create_indexes(self, model: Model) -> list[exp.Create]:
        if not model.indexes:
            return []
        if not self.profile.indexes:
            self.gaps.unsupported("secondary indexes are not supported: "
                                  + ", ".join(i.name for i in model.indexes))
            return []
        return [
            exp.Create(
                kind="INDEX",
                this=exp.Index(
                    this=self.ident(index.name),
                    table=exp.Table(this=self.ident(model.table)),
                    params=exp.IndexParameters(
                        columns=[exp.column(self.ident(c)) for c in index.columns]),
                ),
            )
            for index in model.indexes
        ]

    def updated_at_triggers(self, model: Model) -> list[str]:
        fields = model.updated_at_fields
        if not fields:
            return []
        mode = self.profile.updated_at
        if mode == "on-update":
            return []  # a column constraint, written with the column
        template = UPDATED_AT_TRIGGERS.get(mode or "")
        if template is None:
            self.gaps.unsupported("updated_at is not maintained by the database (no triggers); "
                                  "the application must set it: "
                                  + ", ".join(f"{model.table}.{f.column}" for f in fields))
            return []
        return [
            template.format(
                table=self.quoted(model.table), column=self.quoted(f.column),
                column_literal=exp.Literal.string(f.column).sql(dialect=self.profile.write),
                pk=self.quoted(model.primary_key.column),
                trigger=self.quoted(_derived(model.table, f.column, "trigger")),
                function=self.quoted(UPDATED_AT_FUNCTION),
            )
            for f in fields
        ]

    def updated_at_function(self) -> str | None:
        """The shared trigger function, when the dialect has one and some table needs it."""
        template = UPDATED_AT_FUNCTIONS.get(self.profile.updated_at or "")
        if template is None or not any(m.updated_at_fields for m in self.spec.models):
            return None
        return template.format(function=self.quoted(UPDATED_AT_FUNCTION))

    # -- descriptions ------------------------------------------------------------------------

    def _comment_text(self, description: str) -> exp.Literal:
        # One line: a catalogue comment is shown on one line by every tool, and our scripts
        # keep one statement per line end (MySQL clients split there).
        return exp.Literal.string(_one_line(description))

    def comment_statements(self, model: Model) -> list[str]:
        """COMMENT ON TABLE / COLUMN for every description (dialects with COMMENT ON)."""
        if self.profile.comments != COMMENT_ON:
            return []
        table = exp.Table(this=self.ident(model.table))
        targets = []
        if model.description:
            targets.append(("TABLE", table, model.description))
        targets += [("COLUMN", exp.Column(this=self.ident(f.column), table=self.ident(
            model.table)), f.description) for f in model.fields if f.description]
        return [exp.Comment(this=target, kind=kind, expression=self._comment_text(text))
                .sql(dialect=self.profile.write, copy=False) + ";"
                for kind, target, text in targets]

    def note_missing_comments(self) -> None:
        if self.profile.comments is None and any(
                m.description or any(f.description for f in m.fields) for m in self.spec.models):
            self.gaps.unsupported(f"descriptions are not stored in the {self.dialect} "
                                  "catalogue (no comments there): they are SQL comments here")

    # -- the document ------------------------------------------------------------------------

    def table_sql(self, create: exp.Create) -> str:
        """One line per column and constraint. sqlglot renders every piece; we only lay them
        out, because its pretty mode splits each key's column list over several lines."""
        write = self.profile.write
        schema = create.this
        head = exp.Create(this=schema.this.copy(), kind="TABLE").sql(dialect=write, copy=False)
        body = ",\n  ".join(e.sql(dialect=write, copy=False) for e in schema.expressions)
        tail = ""
        if create.args.get("properties"):
            tail = " " + create.args["properties"].sql(dialect=write, copy=False)
        return f"{head} (\n  {body}\n){tail}"

    def render(self, provenance: Provenance) -> str:
        write = self.profile.write
        blocks: list[str] = []
        for model in self.spec.models:
            table_sql = self.table_sql(self.create_table(model))
            if self.profile.table_suffix:
                table_sql += "\n" + self.profile.table_suffix.format(
                    pk=self.quoted(model.primary_key.column))
            title = f"-- {model.name}" + (f": {_one_line(model.description)}"
                                         if model.description else "")
            statements = [table_sql + ";"]
            comments = self.comment_statements(model)
            if comments:
                statements.append("\n".join(comments))
            statements += [i.sql(dialect=write, copy=False) + ";"
                           for i in self.create_indexes(model)]
            statements += self.updated_at_triggers(model)
            blocks.append(title + "\n" + "\n\n".join(statements))
        function = self.updated_at_function()
        if function:
            blocks.insert(0, "-- Keeps updated_at columns current; every table's trigger calls "
                             "it with its column's name.\n" + function)
        self.note_missing_comments()
        head = provenance.header("--") + f"-- Dialect: {self.dialect}\n"
        for title, lines in (("Notes", self.profile.notes),
                             ("Not expressed in this dialect", self.gaps.lines)):
            if lines:
                head += f"--\n-- {title}:\n" + "".join(f"--   {line}\n" for line in lines)
        return head + "\n" + "\n\n".join(blocks) + "\n"


def _derived(table: str, column: str, suffix: str) -> str:
    return constraint_name(table, (column,), suffix)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_ddl(spec: Spec, dialect: str, provenance: Provenance) -> str:
    return DDLBuilder(spec, dialect).render(provenance)


# -- what a `prisma migrate` migration lacks ---------------------------------------------------

# SQLite cannot add a CHECK constraint to an existing table: the table is rebuilt with its
# complete definition, as SQLite documents (https://sqlite.org/lang_altertable.html, "Making
# Other Kinds Of Table Schema Changes") and as Prisma's own SQLite migrations do.
SQLITE_REBUILD = (
    "{create};\n"
    "INSERT INTO {new} ({columns}) SELECT {columns} FROM {table};\n"
    "DROP TABLE {table};\n"
    "ALTER TABLE {new} RENAME TO {table};"
)


class PrismaCompanionBuilder(DDLBuilder):
    """The SQL a Prisma user appends to a migration created by ``prisma migrate dev
    --create-only`` so that the database equals the one ``vigilo-gen sql`` creates: the CHECK
    constraints, the updated_at triggers and the catalogue comments Prisma's schema language
    cannot declare. Everything else (tables, keys, indexes, defaults) Prisma's migration
    already creates exactly as our SQL does (the conformance matrix proves it)."""

    def __init__(self, spec: Spec, dialect: str, native_enums: bool):
        super().__init__(spec, dialect)
        self.native_enums = native_enums

    def checks(self, model: Model) -> list[Check]:
        # A Prisma native enum is a type of its own: its values need no CHECK.
        return [c for c in model.checks if not (self.native_enums and c.kind == "enum")]

    def add_checks(self, model: Model) -> list[str]:
        statements = []
        for check in self.checks(model):
            condition = self.check_condition(model, check)
            if condition is None:
                continue
            alter = exp.Alter(this=exp.Table(this=self.ident(model.table)), kind="TABLE",
                              actions=[exp.AddConstraint(expressions=[self.named(
                                  check.name, exp.CheckColumnConstraint(this=condition))])])
            statements.append(alter.sql(dialect=self.profile.write, copy=False) + ";")
        return statements

    def rebuild(self, model: Model) -> str:
        new = "new_" + model.table
        create = self.create_table(model)
        create.this.set("this", exp.Table(this=self.ident(new)))
        columns = ", ".join(self.quoted(f.column) for f in model.fields)
        statements = [SQLITE_REBUILD.format(create=self.table_sql(create),
                                            new=self.quoted(new), table=self.quoted(model.table),
                                            columns=columns)]
        # Dropping the table dropped its indexes (the unique ones are in its definition).
        statements += [i.sql(dialect=self.profile.write, copy=False) + ";"
                       for i in self.create_indexes(model)]
        return "\n".join(statements)

    def render(self, provenance: Provenance) -> str:
        blocks: list[str] = []
        function = self.updated_at_function()
        if function:
            blocks.append("-- Keeps updated_at columns current; every table's trigger calls "
                          "it with its column's name.\n" + function)
        rebuilt = False
        for model in self.spec.models:
            statements: list[str] = []
            if self.dialect == "sqlite":
                if self.checks(model):
                    statements.append(self.rebuild(model))
                    rebuilt = True
            else:
                statements += self.add_checks(model)
            comments = self.comment_statements(model)
            if comments:
                statements.append("\n".join(comments))
            statements += self.updated_at_triggers(model)
            if statements:
                blocks.append(f"-- {model.name}\n" + "\n\n".join(statements))
        if rebuilt:  # the rebuilt tables are referenced by name: no check until all are back
            blocks.insert(0, "PRAGMA foreign_keys = OFF;")
            blocks.append("PRAGMA foreign_key_check;\nPRAGMA foreign_keys = ON;")
        head = (provenance.header("--") + f"-- Dialect: {self.dialect}\n"
                "-- Append to the migration.sql that `prisma migrate dev --create-only` "
                "writes, then run\n-- `prisma migrate dev`: the database then equals the one "
                "`vigilo-gen sql` creates\n-- (CHECK constraints, updated_at triggers and "
                "comments, which Prisma's schema cannot declare).\n")
        self.note_missing_comments()
        if self.gaps.lines:
            head += "--\n-- Not expressed in this dialect:\n" + "".join(
                f"--   {line}\n" for line in self.gaps.lines)
        return head + "\n" + "\n\n".join(blocks) + "\n"


def render_prisma_companion(spec: Spec, dialect: str, native_enums: bool,
                            provenance: Provenance) -> str:
    return PrismaCompanionBuilder(spec, dialect, native_enums).render(provenance)
