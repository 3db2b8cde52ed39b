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

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.mysql import MySQL
from vigilo_gen.dialects import DATABASES
from vigilo_gen.emitter import Provenance
from vigilo_gen.emitters._sql_functions import UUID_DEFAULTS
from vigilo_gen.model import (
    NEW_UUID,
    NOW,
    Check,
    CheckKind,
    Field,
    FieldType,
    Model,
    OnDelete,
    Spec,
    SqlDefault,
    check_table,
)
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
    checks: str = ENFORCED  # regular expressions and byte comparison: dialects.DATABASES
    primary_key: str = ENFORCED
    unique: str = ENFORCED
    foreign_keys: str = ENFORCED
    on_delete: frozenset[OnDelete] = frozenset(OnDelete)  # actions the dialect accepts
    on_update: frozenset[OnDelete] = frozenset(OnDelete)  # ON UPDATE actions it accepts
    # Actions the dialect performs when the clause is omitted (no comment needed then).
    on_delete_implicit: frozenset[OnDelete] = frozenset({OnDelete.NO_ACTION})
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
    # Types stored in a wider type, so that the database no longer checks the values: what is
    # lost, said once in the header.
    weaker_types: dict[FieldType, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # How an integer key the database generates (default: autoincrement) is declared: a key
    # of IDENTITIES, or None where the dialect has no such column (a gap).
    identity: str | None = "generated"


JSON_AS_TEXT = "text: the database does not check that a value is a JSON document"
UUID_AS_TEXT = "36-character text: the database does not check that a value is a uuid"

PROFILES: dict[str, Profile] = {
    # JSONB: the binary form PostgreSQL indexes and compares (what Prisma's Json and Drizzle's
    # jsonb create); JSON would keep the text as written, whitespace and duplicate keys too.
    "postgres": Profile(write="postgres", updated_at="postgres", types={T.JSON: "JSONB"}),
    "mysql": Profile(
        write=MySQLCompat,
        types={T.DATETIME: "DATETIME({p})", T.BOOL: "BOOLEAN", T.FLOAT: "DOUBLE",
               # MySQL 8 has no UUID type (MariaDB's is 10.7+): the 36-character text every
               # client writes, as Prisma (@db.Char(36)) and Drizzle do. LONGBLOB: Prisma's
               # Bytes; BLOB would stop at 64 KiB. JSON is LONGTEXT + CHECK on MariaDB.
               T.JSON: "JSON", T.UUID: "CHAR(36)", T.BYTES: "LONGBLOB"},
        weaker_types={T.UUID: UUID_AS_TEXT},
        now_precision=True,
        text_default_parens=True,  # MySQL 8 refuses a plain literal default on TEXT
        updated_at="on-update",
        identity="auto-increment",
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
               T.DATE: "DATE", T.DATETIME: "DATETIME",
               # TEXT affinity for JSON documents and uuid text (the ORMs' JSON or UUID type
               # names would give NUMERIC affinity and so convert "1" to 1).
               T.JSON: "TEXT", T.UUID: "TEXT", T.BYTES: "BLOB"},
        weaker_types={T.JSON: JSON_AS_TEXT, T.UUID: UUID_AS_TEXT},
        updated_at="sqlite",
        comments=None,
        identity="rowid",
        notes=("Foreign keys are enforced only with PRAGMA foreign_keys = ON (per connection).",
               "VARCHAR lengths are not enforced by SQLite."),
    ),
    "duckdb": Profile(
        write="duckdb",
        types={T.ID: "VARCHAR(36)", T.REF: "VARCHAR(36)", T.STRING: "VARCHAR({n})",
               T.ENUM: "VARCHAR({n})", T.TEXT: "TEXT"},
        datetime_precision=False,
        on_delete=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),
        on_update=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),
        identity=None,
        notes=("VARCHAR lengths are not enforced by DuckDB.",),
    ),
    # SQL Server 2016+: strings are NVARCHAR (Unicode; VARCHAR holds the database's code page
    # only), ids stay VARCHAR(36) (uuid text is ASCII). NO ACTION is checked at once, which is
    # what RESTRICT asks for. See TSQLDDL for cascade paths and NULLs in unique keys.
    "tsql": Profile(write="tsql", bool_as_int=True, comments=None,
                    types={T.ID: "VARCHAR(36)", T.REF: "VARCHAR(36)", T.STRING: "NVARCHAR({n})",
                           T.ENUM: "NVARCHAR({n})", T.TEXT: "NVARCHAR(MAX)",
                           # JSON is a type only from SQL Server 2025: text, checked by ISJSON
                           # nowhere (a gap said in the header).
                           T.JSON: "NVARCHAR(MAX)", T.BYTES: "VARBINARY(MAX)"},
                    weaker_types={T.JSON: JSON_AS_TEXT},
                    on_delete=frozenset({OnDelete.CASCADE, OnDelete.SET_NULL,
                                         OnDelete.NO_ACTION}),
                    on_delete_implicit=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),
                    # ON UPDATE CASCADE / SET NULL add cascade paths SQL Server refuses
                    # (error 1785) as it does for ON DELETE: not written (a gap).
                    on_update=frozenset({OnDelete.NO_ACTION}),
                    notes=("Written for SQL Server 2016 and later (and Azure SQL).",)),
    # Oracle Database 19c and later: ON DELETE takes only CASCADE or SET NULL (omitted, a
    # referenced row cannot be deleted: NO ACTION, which is RESTRICT here); BOOLEAN exists
    # only from 23ai, so bool is NUMBER(1) with a CHECK; VARCHAR2 sizes are in characters.
    # See OracleDDL for the column layout and the limits.
    "oracle": Profile(write="oracle", bool_as_int=True,
                      types={T.ID: "VARCHAR2(36)", T.REF: "VARCHAR2(36)",
                             T.STRING: "VARCHAR2({n} CHAR)", T.ENUM: "VARCHAR2({n} CHAR)",
                             T.TEXT: "CLOB", T.INT: "NUMBER(10)", T.BIGINT: "NUMBER(19)",
                             T.BOOL: "NUMBER(1)",
                             # JSON is a type from 21c; 19c keeps the text in a CLOB. No UUID
                             # type: the 36-character text.
                             T.JSON: "CLOB", T.UUID: "VARCHAR2(36)"},
                      weaker_types={T.JSON: JSON_AS_TEXT, T.UUID: UUID_AS_TEXT},
                      on_delete=frozenset({OnDelete.CASCADE, OnDelete.SET_NULL}),
                      on_update=frozenset(),  # Oracle has no ON UPDATE clause
                      on_delete_implicit=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),
                      notes=("Written for Oracle Database 19c and later (BOOLEAN columns, "
                             "new in 23ai, are not used: bool is NUMBER(1) with a CHECK).",
                             "Oracle stores an empty string as NULL: '' is refused by a NOT "
                             "NULL column and reads back as NULL from a nullable one.")),
    "snowflake": Profile(write="snowflake", checks=ABSENT, types={T.UUID: "VARCHAR(36)"},
                         weaker_types={T.UUID: UUID_AS_TEXT}, primary_key=INFORMATIONAL,
                         unique=INFORMATIONAL, foreign_keys=INFORMATIONAL, indexes=False),
    "bigquery": Profile(write="bigquery", datetime_precision=False, checks=ABSENT, comments=None,
                        weaker_types={T.UUID: UUID_AS_TEXT},
                        primary_key=INFORMATIONAL, unique=ABSENT, foreign_keys=INFORMATIONAL,
                        on_delete=frozenset(), on_update=frozenset(), indexes=False,
                        identity=None),
    # Redshift keeps JSON in SUPER and has no UUID type.
    "redshift": Profile(write="redshift", datetime_precision=False, checks=ABSENT,
                        types={T.JSON: "SUPER", T.UUID: "VARCHAR(36)"},
                        weaker_types={T.UUID: UUID_AS_TEXT},
                        primary_key=INFORMATIONAL, unique=INFORMATIONAL,
                        foreign_keys=INFORMATIONAL, on_delete=frozenset(),
                        on_update=frozenset(), indexes=False),
    "databricks": Profile(write="databricks", datetime_precision=False, checks=ABSENT,
                          primary_key=INFORMATIONAL, unique=ABSENT,
                          foreign_keys=INFORMATIONAL, on_delete=frozenset(),
                          on_update=frozenset(), indexes=False, defaults=False,
                          comments=None, types={T.JSON: "STRING"},
                          weaker_types={T.JSON: JSON_AS_TEXT, T.UUID: UUID_AS_TEXT}),
    "trino": Profile(write="trino", checks=ABSENT, primary_key=ABSENT, unique=ABSENT,
                     foreign_keys=ABSENT, indexes=False, defaults=False, identity=None),
    "clickhouse": Profile(write="clickhouse", primary_key=INFORMATIONAL, comments=None,
                          unique=ABSENT, foreign_keys=ABSENT, indexes=False,
                          table_suffix="ENGINE=MergeTree ORDER BY ({pk})", identity=None),
}

# Profile.identity -> the column constraint of an identity key (sqlglot spells "generated"
# per dialect: GENERATED BY DEFAULT AS IDENTITY, IDENTITY(1, 1), AUTOINCREMENT), or None
# where the type alone does it: SQLite's INTEGER PRIMARY KEY is the rowid (its declared type
# must be exactly INTEGER, so a bigint key is INTEGER there: SQLite's integers are 64-bit).
IDENTITIES: dict[str, Callable[[], exp.Expression] | None] = {
    "generated": lambda: exp.GeneratedAsIdentityColumnConstraint(this=False),
    "auto-increment": exp.AutoIncrementColumnConstraint,
    "rowid": None,
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
    T.JSON: (DT.JSON, ""),
    T.UUID: (DT.UUID, ""),
    T.BYTES: (DT.VARBINARY, ""),
}

# A fixed-length string (`length: n`) where sqlglot's CHAR is not the type: SQLite and DuckDB
# spell strings themselves, SQL Server's are national (NCHAR like NVARCHAR), Oracle's count
# characters. BigQuery and ClickHouse have no fixed-length text: a variable one, and a gap.
FIXED_TYPES: dict[str, str] = {"sqlite": "CHAR({n})", "duckdb": "CHAR({n})",
                               "tsql": "NCHAR({n})", "oracle": "CHAR({n} CHAR)"}
NO_FIXED_LENGTH = ("bigquery", "clickhouse")


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
# {trigger}, {function} are quoted identifiers; {column_literal} the column's name as a
# string literal; {key_match} "key column = NEW.key column" for each key column (AND).
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
        "  UPDATE {table} SET {column} = CURRENT_TIMESTAMP WHERE {key_match};\n"
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
        if f.identity and self.profile.identity == "rowid":
            return exp.DataType(this=DT.USERDEFINED, kind="INTEGER")
        if f.fixed_length and self.dialect not in NO_FIXED_LENGTH:
            fixed = FIXED_TYPES.get(self.dialect)
            if fixed is not None:
                return exp.DataType(this=DT.USERDEFINED, kind=fixed.format(n=f.max_length))
            return exp.DataType(this=DT.CHAR, nullable=f.nullable, expressions=[
                exp.DataTypeParam(this=exp.Literal.number(f.max_length))])
        if f.fixed_length:
            self.gaps.unsupported(f"no fixed-length text: {f.column} (length {f.max_length}) "
                                  "is variable-length")
        custom = self.profile.types.get(f.value_type)
        if custom is not None:
            text = custom.format(n=f.max_length, p=f.precision, s=f.scale)
            return exp.DataType(this=DT.USERDEFINED, kind=text)
        kind, params = GENERIC_TYPES[f.value_type]
        if f.type is T.DATETIME and not f.timezone:
            kind = DT.TIMESTAMP  # a plain timestamp: the application keeps it in UTC
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
        if isinstance(f.default, SqlDefault):
            text = f.default.sql(self.dialect)
            if text is None:
                self.gaps.unsupported(f"{f.column}'s default is SQL written for "
                                      + ", ".join(d for d, _ in f.default.expressions)
                                      + " only: no default here")
                return None
            return exp.Var(this=text)  # as written: the spec's own SQL for this dialect
        if f.default is NEW_UUID:
            text = UUID_DEFAULTS.get(self.dialect)
            if text is None:
                self.gaps.unsupported(f"{self.dialect} has no function for a random uuid: the "
                                      "application makes the default uuid of "
                                      f"{f.column}")
                return None
            # As written (sqlglot would respell it): every ORM target writes the same text.
            return exp.Var(this=text)
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
        lost = self.profile.weaker_types.get(f.type)
        if lost:
            self.gaps.unsupported(f"{f.type.value} columns are {lost}")
        constraints = []
        if f.identity:
            constraints += self.identity(f)
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

    def identity(self, f: Field) -> list[exp.ColumnConstraint]:
        """The constraint that makes the database generate an integer key."""
        mode = self.profile.identity
        if mode is None:
            self.gaps.unsupported(f"identity columns are not generated by {self.dialect}: "
                                  f"{f.column} (default: autoincrement) must be given by the "
                                  "application")
            return []
        make = IDENTITIES[mode]
        return [] if make is None else [exp.ColumnConstraint(kind=make())]

    def named(self, name: str, kind: exp.Expression) -> exp.Constraint:
        return exp.Constraint(this=self.ident(name), expressions=[kind])

    def columns(self, names) -> list[exp.Identifier]:
        return [self.ident(c) for c in names]

    def check_condition(self, model: Model, check: Check) -> exp.Expression | None:
        f = model.field(check.field)
        return CHECK_CONDITIONS[check.kind](self, model, f, exp.column(self.ident(f.column)))

    def enum_condition(self, model: Model, f: Field, col: exp.Expression) -> exp.Expression:
        if DATABASES[self.dialect].binary_enum_check:
            col = exp.Cast(this=col, to=exp.DataType.build("BINARY"))
        return exp.In(this=col, expressions=[self.literal(v) for v in f.enum.values])

    def range_condition(self, model: Model, f: Field, col: exp.Expression) -> exp.Expression:
        parts = []
        if f.minimum is not None:
            parts.append(exp.GTE(this=col.copy(), expression=self.literal(f.minimum)))
        if f.maximum is not None:
            parts.append(exp.LTE(this=col.copy(), expression=self.literal(f.maximum)))
        return exp.and_(*parts)

    def length_condition(self, model: Model, f: Field, col: exp.Expression) -> exp.Expression:
        return exp.GTE(this=exp.Length(this=col), expression=self.literal(f.min_length))

    def pattern_condition(self, model: Model, f: Field,
                          col: exp.Expression) -> exp.Expression | None:
        if not DATABASES[self.dialect].regex:
            self.gaps.unsupported(f"pattern checks are not enforced (no regular expressions "
                                  f"in {self.dialect} CHECK constraints): "
                                  f"{model.table}.{f.column}")
            return None
        return exp.RegexpLike(this=col, expression=exp.Literal.string(
            DATABASES[self.dialect].regex_prefix + f.pattern))

    def table_constraints(self, model: Model) -> list[exp.Expression]:
        p = self.profile
        result: list[exp.Expression] = []
        if p.primary_key != ABSENT:
            result.append(self.named(model.pk_constraint, exp.PrimaryKey(
                expressions=self.columns([f.column for f in model.key]))))
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
            if not ref.foreign_key:
                continue  # foreignKey: false, a relation the database does not enforce
            if p.foreign_keys == ABSENT:
                self.gaps.unsupported(f"foreign keys are not declared: {ref.constraint}")
                continue
            result.append(self.foreign_key(ref.constraint, (f.column,), ref.target_table,
                                           (ref.target_column,), self.delete_action(model, f),
                                           ref.on_update))
        for rel in model.composite_references:  # ``relations:``, FOREIGN KEY (a, b)
            if not rel.foreign_key:
                continue
            if p.foreign_keys == ABSENT:
                self.gaps.unsupported(f"foreign keys are not declared: {rel.constraint}")
                continue
            result.append(self.foreign_key(rel.constraint, rel.columns, rel.target_table,
                                           rel.target_columns,
                                           self.composite_delete_action(model, rel),
                                           rel.on_update))
        if p.foreign_keys == INFORMATIONAL and (
                any(f.reference.foreign_key for f in model.references)
                or any(r.foreign_key for r in model.composite_references)):
            self.gaps.unsupported("foreign keys are informational (not enforced)")
        for check in model.checks:
            if p.checks == ABSENT:
                self.gaps.unsupported(f"CHECK constraints are not supported: {check.name}")
                continue
            condition = self.check_condition(model, check)
            if condition is not None:
                result.append(self.named(check.name, exp.CheckColumnConstraint(this=condition)))
        return result

    def foreign_key(self, constraint: str, columns: tuple[str, ...], target_table: str,
                    target_columns: tuple[str, ...], action: OnDelete,
                    update: OnDelete | None) -> exp.Constraint:
        """FOREIGN KEY (columns) REFERENCES target (columns) with the actions the dialect
        can declare; the others go to the gaps."""
        p = self.profile
        options = []
        if action in p.on_delete:
            options.append(f"ON DELETE {action.sql}")
        elif action not in p.on_delete_implicit:
            self.gaps.unsupported(f"ON DELETE {action.sql} is not supported: "
                                  f"{constraint} (delete dependent rows in the "
                                  "application)")
        if update in p.on_update:
            options.append(f"ON UPDATE {update.sql}")
        elif update is not None and update not in p.on_delete_implicit:
            self.gaps.unsupported(f"ON UPDATE {update.sql} is not supported: "
                                  f"{constraint} (update referencing rows in the "
                                  "application)")
        return self.named(constraint, exp.ForeignKey(
            expressions=self.columns(columns),
            reference=exp.Reference(
                this=exp.Schema(this=exp.Table(this=self.ident(target_table)),
                                expressions=self.columns(target_columns)),
                options=options,
            ),
        ))

    def composite_delete_action(self, model: Model, rel) -> OnDelete:
        """The ON DELETE action of a composite foreign key (a dialect may weaken it)."""
        return rel.on_delete

    def delete_action(self, model: Model, f: Field) -> OnDelete:
        """The ON DELETE action written for a foreign key (a dialect may have to weaken it)."""
        return f.reference.on_delete

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
                key_match=" AND ".join(f"{self.quoted(f.column)} = NEW.{self.quoted(f.column)}"
                                       for f in model.key),
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
                    pk=", ".join(self.quoted(f.column) for f in model.key))
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


# How each kind of CHECK is written (the builder's functions, reading its profile); a kind
# without an entry fails here, at import.
CHECK_CONDITIONS = check_table({
    CheckKind.ENUM: DDLBuilder.enum_condition,
    CheckKind.RANGE: DDLBuilder.range_condition,
    CheckKind.LENGTH: DDLBuilder.length_condition,
    CheckKind.PATTERN: DDLBuilder.pattern_condition,
}, "sql")


class OracleDDL(DDLBuilder):
    """Oracle's grammar and limits (Oracle Database SQL Language Reference, CREATE TABLE):

    - column_definition is ``column datatype [DEFAULT expr] [inline_constraint]...``: DEFAULT
      comes before NOT NULL;
    - a VARCHAR2 holds at most 4000 bytes (MAX_STRING_SIZE = STANDARD, the default): longer
      strings are CLOBs, which no unique key or index may contain (ORA-02329);
    - an index on a column list that is already indexed (a primary or unique key) is refused
      (ORA-01408);
    - a composite unique key with NULL in some columns still compares the others (two rows
      (NULL, 'a') collide), unlike PostgreSQL, MySQL and SQLite: such keys become unique
      function-based indexes that skip any row with a NULL, as the others do.
    """

    MAX_VARCHAR2 = 4000

    def is_clob(self, f: Field) -> bool:
        return f.type is T.TEXT or f.value_type in (T.STRING, T.ENUM) and \
            f.max_length > self.MAX_VARCHAR2

    def column_type(self, f: Field) -> exp.DataType:
        if f.value_type in (T.STRING, T.ENUM) and self.is_clob(f):
            self.gaps.unsupported(f"VARCHAR2 holds at most {self.MAX_VARCHAR2} bytes: "
                                  f"{f.column} (maxLength {f.max_length}) is a CLOB, its length "
                                  "is not enforced")
            return exp.DataType(this=DT.USERDEFINED, kind="CLOB")
        if f.value_type in (T.STRING, T.ENUM) and f.max_length * 4 > self.MAX_VARCHAR2:
            self.gaps.unsupported(f"VARCHAR2({f.max_length} CHAR) holds {f.max_length} "
                                  f"characters only while they fit in {self.MAX_VARCHAR2} "
                                  f"bytes (AL32UTF8 takes up to 4 per character): {f.column}")
        return super().column_type(f)

    def column(self, f: Field) -> exp.ColumnDef:
        column = super().column(f)
        constraints = column.args.get("constraints") or []
        defaults = [c for c in constraints if isinstance(c.kind, exp.DefaultColumnConstraint)]
        column.set("constraints", defaults + [c for c in constraints if c not in defaults])
        return column

    def clob_columns(self, model: Model) -> set[str]:
        return {f.column for f in model.fields if self.is_clob(f)}

    def nullable_composite(self, model: Model) -> list:
        nullable = {f.column for f in model.fields if f.nullable}
        return [u for u in model.uniques
                if len(u.columns) > 1 and nullable & set(u.columns)
                and not self.clob_columns(model) & set(u.columns)]

    def table_constraints(self, model: Model) -> list[exp.Expression]:
        clobs = self.clob_columns(model)
        as_index = {u.name for u in self.nullable_composite(model)}
        skipped = set()
        for unique in model.uniques:
            if clobs & set(unique.columns):
                self.gaps.unsupported(f"unique constraint {unique.name} is not declared: a "
                                      "CLOB cannot be part of a unique key")
                skipped.add(unique.name)
        result = []
        for item in super().table_constraints(model):
            if isinstance(item, exp.Constraint) and item.name in skipped | as_index:
                continue
            result.append(item)
        for f in model.fields:
            if f.type is T.BOOL:
                col = exp.column(self.ident(f.column))
                result.append(self.named(
                    constraint_name(model.table, (f.column, "bool"), "check"),
                    exp.CheckColumnConstraint(this=exp.In(
                        this=col, expressions=[exp.Literal.number(0), exp.Literal.number(1)]))))
        return result

    def create_indexes(self, model: Model) -> list[exp.Create]:
        clobs = self.clob_columns(model)
        keyed = {tuple(f.column for f in model.key)} | {
            u.columns for u in model.uniques if u not in self.nullable_composite(model)}
        result = []
        for index, create in zip(model.indexes, super().create_indexes(model), strict=True):
            if clobs & set(index.columns):
                self.gaps.unsupported(f"index {index.name} is not created: a CLOB cannot be "
                                      "indexed")
            elif index.columns in keyed:
                continue  # the key's own index serves it; Oracle refuses a second one
            else:
                result.append(create)
        for unique in self.nullable_composite(model):
            every = exp.and_(*(exp.Is(this=exp.column(self.ident(c)),
                                      expression=exp.Not(this=exp.Null()))
                               for c in unique.columns))
            keys = [exp.Case(ifs=[exp.If(this=every.copy(),
                                         true=exp.column(self.ident(c)))])
                    for c in unique.columns]
            result.append(exp.Create(kind="INDEX", unique=True, this=exp.Index(
                this=self.ident(unique.name), table=exp.Table(this=self.ident(model.table)),
                params=exp.IndexParameters(columns=keys))))
        return result


class TSQLDDL(DDLBuilder):
    """SQL Server's rules (Transact-SQL reference, CREATE TABLE and CREATE INDEX):

    - a table may be reached by only one path of cascading actions (CASCADE, SET NULL) from
      another table, and by none from itself: otherwise error 1785, "may cause cycles or
      multiple cascade paths". The foreign keys are taken in order; one that would open a
      second path (or a cycle) is written NO ACTION, and the action goes to the comment;
    - strings are NVARCHAR (Unicode) and their literals N'...'; NVARCHAR(n) takes n up to 4000,
      longer ones are NVARCHAR(MAX), which no index or unique key may contain;
    - a UNIQUE constraint lets one NULL in: a unique key with a nullable column is a unique
      index filtered on ``IS NOT NULL``, so that NULLs never collide, as elsewhere;
    - an index key holds at most 1700 bytes (a nonclustered index);
    - ``default: now`` is SYSDATETIMEOFFSET() (GETDATE() is local time with no offset).
    """

    MAX_NVARCHAR = 4000
    MAX_KEY_BYTES = 1700
    CASCADING = (OnDelete.CASCADE, OnDelete.SET_NULL)

    def __init__(self, spec: Spec, dialect: str):
        super().__init__(spec, dialect)
        self.weakened = self._single_cascade_paths()

    def _single_cascade_paths(self) -> dict[tuple[str, str], str]:
        """(model, field) -> why its cascading action cannot be declared."""
        edges: dict[str, set[str]] = {}  # table -> tables its deletes cascade to

        def reach(start: str) -> set[str]:
            seen, stack = {start}, [start]
            while stack:
                for nxt in edges.get(stack.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            return seen

        weakened = {}
        for model in self.spec.models:
            # a ref field, then a composite relation (its name never equals a field's)
            keys = [(f.name, f.reference.on_delete, f.reference.target_table)
                    for f in model.references]
            keys += [(r.name, r.on_delete, r.target_table) for r in model.composite_references
                     if r.foreign_key]
            for name, on_delete, parent in keys:
                if on_delete not in self.CASCADING:
                    continue
                child = model.table
                if parent == child:
                    weakened[(model.name, name)] = f"a cascade from {parent} to itself"
                    continue
                sources = [t for t in {*edges, parent} if parent in reach(t)]
                below = reach(child)
                clash = next((t for t in sorted(sources) if below & reach(t)), None)
                if clash is not None:
                    weakened[(model.name, name)] = f"a second cascade path from {clash} " \
                                                   f"to {sorted(below & reach(clash))[0]}"
                    continue
                edges.setdefault(parent, set()).add(child)
        return weakened

    def composite_delete_action(self, model: Model, rel) -> OnDelete:
        why = self.weakened.get((model.name, rel.name))
        if why is None:
            return rel.on_delete
        todo = "set it to NULL" if rel.on_delete is OnDelete.SET_NULL else "delete those rows"
        self.gaps.unsupported(f"{rel.constraint} is NO ACTION, not ON DELETE "
                              f"{rel.on_delete.sql}: SQL Server refuses {why} (error 1785); "
                              f"before deleting a {rel.target_table} row, the application "
                              f"must {todo} in {model.table} ({', '.join(rel.columns)})")
        return OnDelete.NO_ACTION

    def delete_action(self, model: Model, f: Field) -> OnDelete:
        why = self.weakened.get((model.name, f.name))
        if why is None:
            return super().delete_action(model, f)
        ref = f.reference
        todo = "set it to NULL" if ref.on_delete is OnDelete.SET_NULL else "delete those rows"
        self.gaps.unsupported(f"{ref.constraint} is NO ACTION, not ON DELETE "
                              f"{ref.on_delete.sql}: SQL Server refuses {why} (error 1785); "
                              f"before deleting a {ref.target_table} row, the application "
                              f"must {todo} in {model.table}.{f.column}")
        return OnDelete.NO_ACTION

    def is_max(self, f: Field) -> bool:
        return f.type is T.TEXT or f.value_type in (T.STRING, T.ENUM) and \
            f.max_length > self.MAX_NVARCHAR

    def column_type(self, f: Field) -> exp.DataType:
        if f.value_type in (T.STRING, T.ENUM) and self.is_max(f):
            return exp.DataType(this=DT.USERDEFINED, kind="NVARCHAR(MAX)")
        return super().column_type(f)

    def literal(self, value) -> exp.Expression:
        if isinstance(value, str):
            return exp.National(this=value)
        return super().literal(value)

    def default(self, f: Field) -> exp.Expression | None:
        if f.default is NOW and f.type is T.DATETIME:
            return exp.Anonymous(this="SYSDATETIMEOFFSET")
        return super().default(f)

    def key_problem(self, model: Model, name: str, columns: tuple[str, ...]) -> bool:
        fields = [f for f in model.fields if f.column in columns]
        if any(self.is_max(f) for f in fields):
            self.gaps.unsupported(f"{name} is not created: NVARCHAR(MAX) cannot be part of "
                                  "an index or unique key")
            return True
        size = sum(2 * f.max_length if f.value_type in (T.STRING, T.ENUM) else 36
                   if f.value_type in (T.ID, T.REF) else 8 for f in fields)
        if size > self.MAX_KEY_BYTES:
            self.gaps.unsupported(f"{name} may hold up to {size} bytes, above SQL Server's "
                                  f"{self.MAX_KEY_BYTES}-byte index keys: longer values are "
                                  "refused")
        return False

    def filtered(self, model: Model) -> list:
        nullable = {f.column for f in model.fields if f.nullable}
        return [u for u in model.uniques if nullable & set(u.columns)]

    def table_constraints(self, model: Model) -> list[exp.Expression]:
        dropped = {u.name for u in model.uniques if self.key_problem(model, u.name, u.columns)}
        dropped |= {u.name for u in self.filtered(model)}
        return [c for c in super().table_constraints(model)
                if not (isinstance(c, exp.Constraint) and c.name in dropped)]

    def create_indexes(self, model: Model) -> list[exp.Create]:
        result = [create for index, create in zip(model.indexes,
                                                  super().create_indexes(model), strict=True)
                  if not self.key_problem(model, index.name, index.columns)]
        for unique in self.filtered(model):
            if any(self.is_max(f) for f in model.fields if f.column in unique.columns):
                continue
            nullable = [f.column for f in model.fields
                        if f.nullable and f.column in unique.columns]
            where = exp.and_(*(exp.Is(this=exp.column(self.ident(c)),
                                      expression=exp.Not(this=exp.Null())) for c in nullable))
            result.append(exp.Create(kind="INDEX", unique=True, this=exp.Index(
                this=self.ident(unique.name), table=exp.Table(this=self.ident(model.table)),
                params=exp.IndexParameters(
                    columns=[exp.column(self.ident(c)) for c in unique.columns],
                    where=exp.Where(this=where)))))
        return result


class BigQueryDDL(DDLBuilder):
    """BigQuery's keys (GoogleSQL DDL, "Primary keys and foreign keys"): both are declared
    ``NOT ENFORCED``; a primary key cannot be named; a foreign key cannot refer to its own
    table."""

    def table_constraints(self, model: Model) -> list[exp.Expression]:
        result: list[exp.Expression] = []
        for item in super().table_constraints(model):
            kind = item.expressions[0] if isinstance(item, exp.Constraint) else None
            if isinstance(kind, exp.PrimaryKey):
                kind.set("options", ["NOT ENFORCED"])
                result.append(kind)
                continue
            if isinstance(kind, exp.ForeignKey):
                reference = kind.args["reference"]
                if reference.this.this.name == model.table:
                    # Its columns are said too: under a name of its own, the name alone would
                    # not tell `import sql` which columns the relation holds.
                    columns = ", ".join(c.name for c in kind.expressions)
                    targets = ", ".join(c.name for c in reference.this.expressions)
                    self.gaps.unsupported(f"foreign key {item.name} on {model.table} "
                                          f"({columns}) references {model.table} ({targets}) "
                                          "but is not declared: BigQuery refuses a foreign "
                                          "key to its own table")
                    continue
                reference.set("options", ["NOT ENFORCED"])
            result.append(item)
        return result


BUILDERS: dict[str, type[DDLBuilder]] = {"oracle": OracleDDL, "tsql": TSQLDDL,
                                         "bigquery": BigQueryDDL}


def _derived(table: str, column: str, suffix: str) -> str:
    return constraint_name(table, (column,), suffix)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_ddl(spec: Spec, dialect: str, provenance: Provenance) -> str:
    return BUILDERS.get(dialect, DDLBuilder)(spec, dialect).render(provenance)


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


# A SERIAL column of Prisma's migration made the identity column of our SQL (PostgreSQL):
# its default and owned sequence dropped (the sequence found through the column, whatever
# PostgreSQL shortened its name to), then the identity added. The table is new and empty.
SERIAL_TO_IDENTITY: dict[str, str] = {
    "postgres": (
        "ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;\n"
        "DO $$ BEGIN EXECUTE 'DROP SEQUENCE ' || "
        "pg_get_serial_sequence({table_literal}, {column_literal}); END $$;\n"
        "ALTER TABLE {table} ALTER COLUMN {column} ADD GENERATED BY DEFAULT AS IDENTITY;"
    ),
}


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

    def identities(self, model: Model) -> list[str]:
        """Prisma declares autoincrement() as SERIAL (a sequence default) on PostgreSQL:
        turned into the identity column our SQL declares, in the freshly created table."""
        template = SERIAL_TO_IDENTITY.get(self.dialect)
        if template is None:
            return []
        return [template.format(table=self.quoted(model.table), column=self.quoted(f.column),
                                table_literal=exp.Literal.string(self.quoted(model.table))
                                .sql(dialect=self.profile.write),
                                column_literal=exp.Literal.string(f.column)
                                .sql(dialect=self.profile.write))
                for f in model.fields if f.identity]

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
                statements += self.identities(model)
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
