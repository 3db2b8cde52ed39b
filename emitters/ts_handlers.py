"""``vigilo-gen ts-handlers --orm drizzle|prisma --dialect postgres|sqlite``: the spec's endpoints
in TypeScript: one query helper per endpoint over the generated Drizzle schema or Prisma 7
client (``--schema``, ``--client``: their import paths), and one
web-standard handler per endpoint (``(request: Request) => Promise<Response>``) validating
with the generated Zod schemas; ``createHandlers(db, verify).handle`` routes a catch-all.

Like the fastapi emitter it renders the operation plan (``Spec.api.operations``) and decides
no semantics: the fixed part (errors, bodies, tokens, transactions, routing) is
``templates/ts_handlers_runtime.ts.txt``; this module writes a reader per response object, a
helper per endpoint and the handlers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, dialect_option, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import INT_BOUNDS, NOW, Field, FieldType, Spec
from vigilo_gen.operations import (
    Assign,
    InsertChild,
    Operation,
    Read,
    ReadColumn,
    ReadList,
    ReadMap,
    ReadObject,
    ReplaceSet,
    Step,
    UpdateRoot,
    UpsertChild,
)

from .drizzle import RESERVED, variable
from .openapi import body_name, field_schema
from .zod import regex_literal

T = FieldType
ORMS = ("drizzle", "prisma")
DIALECTS = ("postgres", "sqlite")

# How a prepared Drizzle query is made and run: its ``one`` row, ``all`` rows, or ``run``.
PREPARE = {
    "sqlite": ("prepare()", {"one": "get", "all": "all", "run": "run"}),
    "postgres": ('prepare("")', {"one": "execute", "all": "execute", "run": "execute"}),
}
# Prisma on SQLite: the rows of one day however a client stored it (``_Module.prisma_where``):
# the bounds are bound as Prisma's timestamps (the last millisecond before the day, the last of
# the day), between which both forms of the day sort (and no next day, 9999-12-31 included).
SAME_DAY = """/** Rows of this day, stored as the day or as Prisma's timestamp of its midnight. */
function sameDay(day: unknown): never {
  const time = (day as Date).getTime();
  return { gt: new Date(time - 1), lte: new Date(time + 86_399_999) } as never;
}"""

TO_JSON = {T.DATE: "dateJson", T.DATETIME: "datetimeJson", T.DECIMAL: "decimalJson"}
FROM_JSON = {T.DATETIME: "datetimeValue"}
TS_TYPES = {T.INT: "number", T.BIGINT: "number", T.FLOAT: "number", T.BOOL: "boolean"}

DB_IMPORTS = {
    ("drizzle", "postgres"): 'import { and, asc, eq, Param, sql } from "drizzle-orm";\n'
                             'import type { Column } from "drizzle-orm";\n'
                             'import type { PgDatabase } from '
                             '"drizzle-orm/pg-core";\nimport * as t from "__SCHEMA__";',
    ("drizzle", "sqlite"): 'import { and, asc, eq, Param, sql } from "drizzle-orm";\n'
                           'import type { Column } from "drizzle-orm";\n'
                           'import type { BaseSQLiteDatabase } from '
                           '"drizzle-orm/sqlite-core";\nimport * as t from "__SCHEMA__";',
    ("prisma", "postgres"): 'import type { Prisma, PrismaClient } from "__CLIENT__";',
    ("prisma", "sqlite"): 'import type { Prisma, PrismaClient } from "__CLIENT__";',
}
PRISMA_TRANSACT = '''\
export type Db = PrismaClient;
type Tx = Prisma.TransactionClient;
// Prisma's answers to a write that lost to stored rows (unique, foreign key, constraint).
const CONFLICTS = ["P2002", "P2003", "P2004", "P2011"];

/** One interactive transaction (retried when it lost a race: a unique key a concurrent
 * request took first, a write conflict or deadlock); a conflict past that is a 409. */
async function transact<R>(db: Db, write: boolean, work: (tx: Tx) => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction((tx) => work(tx), { maxWait: 30000, timeout: 30000 });
    } catch (exc) {
      const code = String((exc as { code?: unknown }).code ?? "");
      const conflict = CONFLICTS.includes(code);
      if ((conflict || code === "P2034") && attempt < RETRIES) continue;
      if (conflict) throw new Problem(409, "the write conflicts with stored rows");
      throw exc;
    }
  }
}'''
DATETIME_VALUE = {
    "postgres": "new Date(String(text))",
    "sqlite": 'new Date(String(text)).toISOString().replace("T", " ").replace("Z", "")',
}
TRANSACT = {
    "postgres": '''\
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<any, any, any>;
type Tx = Db;

/** One transaction (retried when it lost a race: a unique key a concurrent request took
 * first, a serialization failure or deadlock); an integrity error past that is a 409. */
async function transact<R>(db: Db, write: boolean, work: (tx: Db) => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => work(tx), {
        accessMode: write ? "read write" : "read only",
      });
    } catch (exc) {
      const code = driverError(exc).code ?? "";
      const race = code.startsWith("23") || code === "40001" || code === "40P01";
      if (race && attempt < RETRIES) continue;
      if (code.startsWith("23")) throw new Problem(409, "the write conflicts with stored rows");
      throw exc;
    }
  }
}

// Each query's statement, built once per database connection and kept with it: building a
// Drizzle query costs several times running it. Drizzle binds a prepared query to the
// connection of the session it was built on (a query prepared on the pool would run outside
// the transaction), so the statements are kept per connection: the transaction's pooled
// client (a driver whose session shows none builds each query per request). Its values come
// as placeholders; only reads and deletes are kept (an insert's or update's defaults are
// computed when its statement is built).
const PREPARED = new WeakMap<object, Map<string, unknown>>();

function prepared<S>(tx: Db, name: string, build: () => S): S {
  const connection = (tx._.session as unknown as { client?: object }).client;
  if (typeof connection !== "object" || connection === null) return build();
  let statements = PREPARED.get(connection);
  if (statements === undefined) PREPARED.set(connection, (statements = new Map()));
  let statement = statements.get(name) as S | undefined;
  if (statement === undefined) statements.set(name, (statement = build()));
  return statement;
}

/** A placeholder whose value the column encodes, as it encodes a value given to `eq`. */
function slot(column: Column, name: string): Param {
  return new Param(sql.placeholder(name), column as never);
}''',
    "sqlite": '''\
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = BaseSQLiteDatabase<"sync" | "async", any, any>;
type Tx = Db;

let queue: Promise<unknown> = Promise.resolve();

/** One transaction at a time on the connection (SQLite has one writer; BEGIN IMMEDIATE takes
 * the write lock at once, so two processes never deadlock), retried while the database is
 * busy; a constraint failure is a 409. */
async function transact<R>(db: Db, write: boolean, work: (tx: Db) => Promise<R>): Promise<R> {
  const run = async (): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      await db.run(sql.raw(write ? "BEGIN IMMEDIATE" : "BEGIN"));
      try {
        const result = await work(db);
        await db.run(sql.raw("COMMIT"));
        return result;
      } catch (exc) {
        await db.run(sql.raw("ROLLBACK"));
        const code = driverError(exc).code ?? "";
        if (code.startsWith("SQLITE_BUSY") && attempt < RETRIES) continue;
        if (code.startsWith("SQLITE_CONSTRAINT")) {
          throw new Problem(409, "the write conflicts with stored rows");
        }
        throw exc;
      }
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}

// Each query's statement, built and compiled once per database and kept with it: on SQLite
// that is most of a query's cost. Its values come as placeholders; only reads and deletes are
// kept (an insert's or update's defaults are computed when its statement is built).
const PREPARED = new WeakMap<Db, Map<string, unknown>>();

function prepared<S>(db: Db, name: string, build: () => S): S {
  let statements = PREPARED.get(db);
  if (statements === undefined) PREPARED.set(db, (statements = new Map()));
  let statement = statements.get(name) as S | undefined;
  if (statement === undefined) statements.set(name, (statement = build()));
  return statement;
}

/** A placeholder whose value the column encodes, as it encodes a value given to `eq`. */
function slot(column: Column, name: string): Param {
  return new Param(sql.placeholder(name), column as never);
}''',
}


@dataclass(frozen=True)
class TsHandlersOptions:
    orm: str = option("drizzle", "ORM of the query helpers.", choices=ORMS)
    dialect: str = option("postgres", "Database the helpers run on.", choices=DIALECTS)
    schema: str = option("./schema", "Module of the generated Drizzle schema (import path).")
    zod: str = option("./schemas.zod", "Module of the generated Zod schemas (import path).")
    client: str = option("./generated/prisma/client", "Module of the generated Prisma client "
                         "(import path; --orm prisma).")


def _lit(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _camel(name: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return text[:1].lower() + text[1:]


def helper_name(endpoint_name: str) -> str:
    """The query helper's function name: the endpoint's, ``Op`` added to a reserved word."""
    name = _camel(endpoint_name)
    return name + "Op" if name in RESERVED else name


class _Module:
    def __init__(self, spec: Spec, dialect: str, orm: str = "drizzle"):
        self.spec = spec
        self.dialect = dialect
        self.orm = orm
        self.readers: list[str] = []
        self.names: set[str] = set()
        self.checks: list[str] = []
        # Drizzle: each read's and delete's query is prepared once per connection (building it
        # is most of its cost), see PREPARED in the runtime.
        self.prepared = orm == "drizzle"
        self.statements: dict[str, str] = {}
        self.uses_one = False  # a root query brings its to-one rows (type One)
        self.uses_day = False  # a Prisma query on SQLite matches a date field (sameDay)

    def table(self, model: str) -> str:
        return "t." + variable(self.spec.model(model))

    def pk(self, model: str) -> str:
        return self.spec.model(model).primary_key.name

    def delegate(self, model: str) -> str:
        """The Prisma client's delegate of a model (``tx.vigiloInstance``)."""
        return "tx." + model[:1].lower() + model[1:]

    def prisma_where(self, model: str, where: dict[str, str]) -> str:
        """Prisma's condition: each field equals its value. A date on SQLite is matched as its
        day's range: Prisma stores a date there as a full timestamp (``2024-05-01T00:00:00.000
        +00:00``) where every other client stores the day (``2024-05-01``), and equality would
        find only the rows Prisma wrote."""
        def term(name: str, value: str) -> str:
            if self.dialect == "sqlite" and self.spec.model(model).field(name).value_type is T.DATE:
                self.uses_day = True
                return f"{name}: sameDay({value})"
            return f"{name}: {value} as never"

        return ", ".join(term(k, v) for k, v in where.items())

    def find(self, model: str, where: dict[str, str], many: bool = False,
             order: tuple[Field, ...] = ()) -> str:
        """A Prisma query of rows of ``model`` whose fields equal the expressions."""
        cond = "{ " + self.prisma_where(model, where) + " }"
        if many:
            by = ", ".join(f"{{ {f.name}: \"asc\" }}" for f in order)
            return (f"(await {self.delegate(model)}.findMany({{ where: {cond}, "
                    f"orderBy: [{by}] }})) as Row[]")
        return f"(await {self.delegate(model)}.findFirst({{ where: {cond} }})) as Row | null"

    # -- reads ---------------------------------------------------------------------------

    def fetch_one(self, step: Step, row: str, model: str) -> str:
        """The row a to-one step reaches from ``row`` (of ``model``), or null."""
        if self.orm == "prisma":
            if step.child:
                return self.find(step.model, {step.ref.name: f"{row}.{self.pk(model)}"})
            return (f"{row}.{step.ref.name} === null ? null : "
                    + self.find(step.model, {self.pk(step.model): f"{row}.{step.ref.name}"}))
        if step.child:
            return self.first(step.model, {step.ref.name: f"{row}.{self.pk(model)}"})
        return (f"{row}.{step.ref.name} === null ? null : "
                + self.first(step.model, {self.pk(step.model): f"{row}.{step.ref.name}"}))

    def fetch_many(self, step: Step, row: str, model: str, order: tuple[Field, ...]) -> str:
        if self.orm == "prisma":
            return self.find(step.model, {step.ref.name: f"{row}.{self.pk(model)}"}, True, order)
        table = self.table(step.model)
        by = ", ".join(f"asc({table}.{f.name})" for f in order)
        where = {step.ref.name: f"{row}.{self.pk(model)}"}
        builder = f"tx.select().from({table}).where({self.where(table, where)}).orderBy({by})"
        return f"({self.run(builder, where, 'all')}) as Row[]"

    def joinable(self, node: ReadObject, model: str) -> list[Step]:
        """The to-one steps the response reads from the root row itself (directly or in an
        object of the same row), each to another table: their rows can come with the root's
        (a left join: a one-to-one child has a unique reference, a referenced row one key)."""
        steps: dict[str, Step] = {}

        def walk(obj: ReadObject) -> None:
            for _, read in obj.properties:
                if isinstance(read, ReadObject | ReadColumn) and read.through:
                    steps.setdefault(read.through[0].name, read.through[0])
                elif isinstance(read, ReadObject):
                    walk(read)

        if node.through:
            return []
        walk(node)
        models = [s.model for s in steps.values()]
        # A table joined twice (or the root's own) would need an alias: read those apart.
        return [s for s in steps.values() if s.model != model and models.count(s.model) == 1]

    def column(self, field: Field, expr: str) -> str:
        if field.type is T.DECIMAL:
            return f"decimalJson({expr}, {field.scale or 0})"
        if field.value_type is T.BIGINT and self.orm == "prisma":
            return f"bigintJson({expr})"
        convert = TO_JSON.get(field.value_type)
        return f"{convert}({expr})" if convert else expr

    def reader(self, node: ReadObject, model: str, name: str,
               one: frozenset[str] = frozenset()) -> str:
        """An async function reading ``node`` from a row of ``model``: an object or null.

        ``one``: the to-one steps whose rows came with this row (``one[step]``, the root
        query's joins) instead of a query of their own."""
        function = "read" + name[:1].upper() + _camel(name)[1:]
        while function in self.names:
            function += "_"
        self.names.add(function)
        extra = ", one: One" if one else ""
        lines = [f"async function {function}(tx: Tx, row: Row{extra}): Promise<Json | null> {{"]
        source, inner = "row", model
        if node.through:
            step = node.through[0]
            lines.append(f"  const related = {self.fetch_from(step, 'row', model, one)};")
            lines.append("  if (related === null) return null;")
            source, inner = "related", step.model
            one = frozenset()
        if node.presence:
            test = " || ".join(f"{source}.{f.name} === null" for f in node.presence)
            lines.append(f"  if ({test}) return null;")
        lines.append("  const out: Json = {};")
        fetched: set[str] = set()
        present = set(node.presence)
        for prop, read in node.properties:
            lines += ["  " + line for line in self.prop(prop, read, source, inner,
                                                        f"{name}_{prop}", fetched, present, one)]
        lines.append("  return out;")
        lines.append("}")
        self.readers.append("\n".join(lines))
        return function

    def value(self, read: Read, row: str, model: str, name: str) -> str:
        """An expression (inside an async function) for a list item or map value."""
        if isinstance(read, ReadColumn) and not read.through:
            return self.column(read.field, f"{row}.{read.field.name}")
        if isinstance(read, ReadObject) and not read.through and not read.presence:
            return f"await {self.reader(read, model, name)}(tx, {row})"
        raise UsageError(f"ts-handlers: {name}: a list item or map value must be a column or "
                         "an object of the same row")

    def fetch_from(self, step: Step, row: str, model: str, one: frozenset[str]) -> str:
        """The row of a to-one step: the one the root query joined, else its own query."""
        if step.name in one:
            return f"one[{_lit(step.name)}] ?? null"
        return self.fetch_one(step, row, model)

    def prop(self, prop: str, read: Read, row: str, model: str, name: str, fetched: set[str],
             present: set[Field], one: frozenset[str] = frozenset()) -> list[str]:
        key = _lit(prop)
        if isinstance(read, ReadColumn):
            field = read.field
            if read.through:
                step = read.through[0]
                related = "related_" + step.name
                lines = [] if related in fetched else \
                    [f"const {related} = {self.fetch_from(step, row, model, one)};"]
                fetched.add(related)
                value = self.column(field, f"{related}.{field.name}")
                if read.has_fallback:
                    fallback = "null" if read.fallback is None else self.literal(field,
                                                                                 read.fallback)
                    return lines + [f"out[{key}] = {related} !== null ? {value} : {fallback};"]
                return lines + [f"if ({related} !== null) out[{key}] = {value};"]
            expr = self.column(field, f"{row}.{field.name}")
            if field.nullable and not read.nullable and field not in present:
                return [f"if ({row}.{field.name} !== null) out[{key}] = {expr};"]
            return [f"out[{key}] = {expr};"]
        if isinstance(read, ReadObject):
            function = self.reader(read, model, name, one)
            args = f"tx, {row}, one" if one else f"tx, {row}"
            if read.optional and not read.nullable:
                return ["{", f"  const value = await {function}({args});",
                        f"  if (value !== null) out[{key}] = value;", "}"]
            return [f"out[{key}] = await {function}({args});"]
        if isinstance(read, ReadList):
            rows = self.fetch_many(read.step, row, model, read.order_by)
            item = self.value(read.item, "r", read.step.model, f"{name}_item")
            return [f"out[{key}] = [];",
                    f"for (const r of {rows}) (out[{key}] as unknown[]).push({item});"]
        if isinstance(read, ReadMap):
            rows = self.fetch_many(read.step, row, model, (read.key,))
            value = self.value(read.value, "r", read.step.model, f"{name}_value")
            return ["{", "  const entries: Json = {};",
                    f"  for (const r of {rows}) entries[String(r.{read.key.name})] = {value};",
                    f"  out[{key}] = entries;", "}"]
        raise AssertionError(read)

    def literal(self, field: Field, value: object) -> str:
        if field.type is T.DECIMAL:
            return _lit(str(value))
        return _lit(value)

    # -- writes --------------------------------------------------------------------------

    def get(self, assign: Assign, data: str) -> str:
        expr = f"{data}[{_lit(assign.path[0])}]" if len(assign.path) == 1 else \
            f"at({data}, {_lit(list(assign.path))})"
        convert = FROM_JSON.get(assign.field.value_type)
        if assign.field.type is T.DATE and self.orm == "prisma":
            convert = "dateValue"
        return f"{convert}({expr})" if convert else expr

    def reset(self, field: Field) -> str:
        if field.default is None or field.default is NOW:
            return "null"
        return self.literal(field, field.default)

    def values(self, assigns: tuple[Assign, ...], data: str, merge: bool,
               target: str = "values") -> list[str]:
        lines = []
        for assign in assigns:
            setter = f"{target}[{_lit(assign.field.name)}] = "
            if assign.required:
                lines.append(setter + self.get(assign, data) + ";")
                continue
            path = _lit(list(assign.path))
            lines.append(f"if (has({data}, {path})) {setter}{self.get(assign, data)};")
            if not merge:
                lines.append(f"else {setter}{self.reset(assign.field)};")
        return lines

    # -- data access: the one place that knows the ORM ------------------------------------

    def first(self, model: str, where: dict[str, str], lock: bool = False) -> str:
        """The first row of ``model`` whose fields equal the expressions, or null; ``lock``:
        locked for the transaction (Drizzle on PostgreSQL: FOR UPDATE)."""
        if self.orm == "prisma":
            return self.find(model, where)
        table = self.table(model)
        builder = f"tx.select().from({table}).where({self.where(table, where)}).limit(1)"
        if lock and self.dialect == "postgres":
            builder += '.for("update")'
        return self.first_row(builder, where)

    def first_row(self, builder: str, values: dict[str, str]) -> str:
        if self.prepared and self.dialect == "sqlite":
            return f"(({self.run(builder, values, 'one')}) as Row | undefined) ?? null"
        return f"(({self.run(builder, values, 'all')})[0] as Row | undefined) ?? null"

    def where(self, table: str, where: dict[str, str]) -> str:
        """Drizzle's condition: each field equals its value, or its placeholder (prepared)."""
        if self.prepared:
            conds = [f"eq({table}.{k}, slot({table}.{k}, {_lit(k)}))" for k in where]
        else:
            conds = [f"eq({table}.{k}, {v} as never)" for k, v in where.items()]
        return conds[0] if len(conds) == 1 else f"and({', '.join(conds)})"

    def run(self, builder: str, values: dict[str, str], what: str) -> str:
        """Run a Drizzle query (``what``: its ``one`` row, ``all`` rows, or ``run`` it),
        prepared once per connection with the placeholders' values (``prepared``)."""
        if not self.prepared:
            return f"await {builder}"
        name = self.statements.setdefault(builder, f"s{len(self.statements) + 1}")
        args = ", ".join(f"{k}: {v}" for k, v in values.items())
        # SQLite's prepared queries get, list or run; PostgreSQL's execute (unnamed: the
        # server parses each as before).
        prepare, method = PREPARE[self.dialect]
        return (f"await prepared(tx, {_lit(name)}, () => {builder}.{prepare})"
                f".{method[what]}({{ {args} }})")

    def types(self) -> list[str]:
        found = []
        if self.uses_one:
            found.append("/** The root row and the to-one rows its query joined, by relation "
                         "(null: none). */\ntype One = Record<string, Row | null>;")
        if self.uses_day:
            found.append(SAME_DAY)
        return found

    def select_joined(self, model: str, where: dict[str, str], steps: list[Step]) -> list[str]:
        """``root`` (the row of ``model`` the fields select) and ``one`` (the rows of the to-one
        ``steps``, null when missing) in one query: a left join per step."""
        self.uses_one = True
        if self.orm == "prisma":  # the rows come as the root's relation fields (include)
            cond = self.prisma_where(model, where)
            include = ", ".join(f"{s.name}: true" for s in steps)
            return [f"let root = (await {self.delegate(model)}.findFirst({{ where: {{ {cond} }}, "
                    f"include: {{ {include} }} }})) as Row | null;",
                    "const one = (root ?? {}) as One;"]
        table = self.table(model)
        names = {s.name for s in steps}
        key = "row"
        while key in names:
            key += "_"
        columns = ", ".join([f"{key}: {table}",
                             *(f"{_lit(s.name)}: {self.table(s.model)}" for s in steps)])
        joins = ""
        for s in steps:
            other = self.table(s.model)
            on = (f"eq({other}.{s.ref.name}, {table}.{self.pk(model)})" if s.child
                  else f"eq({other}.{self.pk(s.model)}, {table}.{s.ref.name})")
            joins += f".leftJoin({other}, {on})"
        builder = (f"tx.select({{ {columns} }}).from({table}){joins}"
                   f".where({self.where(table, where)}).limit(1)")
        found = self.first_row(builder, where).replace("as Row |", "as One |")
        return [f"const one: One = {found.removesuffix(' ?? null')} ?? {{}};",
                f"let root = one[{_lit(key)}] ?? null;"]

    def insert(self, model: str, data: str) -> str:
        if self.orm == "prisma":
            return f"await {self.delegate(model)}.create({{ data: {data} as never }});"
        return f"await tx.insert({self.table(model)}).values({data} as never);"

    def insert_returning(self, model: str, data: str, key: str) -> str:
        """Insert a row and set ``id`` to the key the database made for it."""
        if self.orm == "prisma":
            return (f"const id = (await {self.delegate(model)}.create({{ data: {data} as never "
                    f"}}) as Row).{key};")
        table = self.table(model)
        return (f"const id = ((await tx.insert({table}).values({data} as never)"
                f".returning({{ key: {table}.{key} }})) as Row[])[0].key;")

    def update(self, model: str, field: str, value: str, data: str) -> str:
        if self.orm == "prisma":
            return (f"await {self.delegate(model)}.updateMany({{ where: {{ {field}: {value} "
                    f"as never }}, data: {data} as never }});")
        table = self.table(model)
        return (f"await tx.update({table}).set({data} as never).where(eq({table}.{field}, "
                f"{value} as never));")

    def delete(self, model: str, field: str, value: str) -> str:
        if self.orm == "prisma":
            return (f"await {self.delegate(model)}.deleteMany({{ where: {{ {field}: {value} "
                    "as never } });")
        table = self.table(model)
        where = {field: value}
        return f"{self.run(f'tx.delete({table}).where({self.where(table, where)})', where, 'run')};"

    def lock(self, model: str, params: tuple[tuple[str, Field], ...]) -> list[str]:
        """Lock the root row for the transaction (PostgreSQL; SQLite locked the database at
        BEGIN IMMEDIATE, or Prisma runs one SQLite transaction at a time)."""
        if self.dialect != "postgres" or self.orm != "prisma":
            return []
        m = self.spec.model(model)
        where = " AND ".join(f'"{f.column}" = ${i + 1}' for i, (_, f) in enumerate(params))
        args = "".join(f", key.{p}" for p, _ in params)
        query = f'SELECT 1 FROM "{m.table}" WHERE {where} FOR UPDATE'
        return [f"await tx.$queryRawUnsafe({_lit(query)}{args});"]

    def write(self, write, merge: bool, root_model: str) -> list[str]:
        pk = self.pk(root_model)
        if isinstance(write, UpdateRoot):
            return ["{", "  const values: Json = {};",
                    *["  " + line for line in self.values(write.assigns, "body", merge)],
                    "  if (Object.keys(values).length > 0) {",
                    "    " + self.update(root_model, pk, f"root.{pk}", "values"),
                    "  }", "}"]
        if isinstance(write, UpsertChild):
            return self.upsert(write, merge, pk)
        if isinstance(write, ReplaceSet):
            step = write.step
            delete = self.delete(step.model, step.ref.name, f"root.{pk}")
            prop = _lit(write.prop)
            if write.key is None:
                loop = f"for (const item of body[{prop}] as Json[]) {{"
                extra = ""
            else:
                loop = (f"for (const [mapKey, item] of Object.entries(body[{prop}] as Json)) {{")
                key = "Number(mapKey)" if write.key.value_type in (T.INT, T.BIGINT) else "mapKey"
                extra = f", {write.key.name}: {key}"
            inner = ["  const values: Json = {};",
                     *["  " + line for line in self.values(write.assigns, "item", True)],
                     "  " + self.insert(step.model,
                                        f"{{ ...values{extra}, {step.ref.name}: root.{pk} }}"),
                     "}"]
            if write.required:
                return [delete, loop, *inner]
            lines = [f"if ({prop} in body) {{", "  " + delete, "  " + loop,
                     *["  " + line for line in inner], "}"]
            if not merge:
                lines += ["else {", "  " + delete, "}"]
            return lines
        raise AssertionError(write)

    def upsert(self, write: UpsertChild, merge: bool, pk: str) -> list[str]:
        """Update the one-to-one child, inserting it when the update found none: one query
        when it exists (the root row's lock keeps a concurrent write from inserting it
        meanwhile). A body that sets nothing only inserts a missing child."""
        step = write.step
        ref = step.ref.name
        table = self.table(step.model)
        insert = self.insert(step.model, f"{{ ...values, {ref}: root.{pk} }}")
        update = (f"(await tx.update({table}).set(values as never).where(eq({table}.{ref}, "
                  f"root.{pk} as never)).returning({{ key: {table}.{self.pk(step.model)} }}))")
        if self.orm == "prisma":  # the count of rows updated stands for the returned keys
            update = (f"(await {self.delegate(step.model)}.updateMany({{ where: {{ {ref}: "
                      f"root.{pk} as never }}, data: values as never }})).count")
        size = "" if self.orm == "prisma" else ".length"
        lines = ["{", "  const values: Json = {};",
                 *["  " + line for line in self.values(write.assigns, "body", merge)]]
        if write.assigns and (not merge or any(a.required for a in write.assigns)):
            return [*lines, f"  if ({update}{size} === 0) {{", f"    {insert}", "  }", "}"]
        found = self.first(step.model, {ref: f"root.{pk}"})
        return [*lines, "  if (Object.keys(values).length === 0) {",
                f"    if (({found}) === null) {insert}",
                f"  }} else if ({update}{size} === 0) {{", f"    {insert}", "  }", "}"]

    def prechecks(self, op: Operation) -> list[str]:
        lines = []
        for write in op.writes:
            if not isinstance(write, ReplaceSet):
                continue
            prop = _lit(write.prop)
            if write.key is not None:
                lines.append(f"for (const k of Object.keys((body[{prop}] ?? {{}}) as Json)) "
                             f"param(`${{jsonPath([{prop}, k])}} key`, k, "
                             f"{self.param_check(write.key)});")
            elif write.unique:
                paths = [list(next(a for a in write.assigns if a.field == f).path)
                         for f in write.unique]
                lines.append(f"uniqueItems(body, {prop}, {_lit(paths)});")
        return lines

    def param_check(self, field: Field) -> str:
        """A module-level check of a path parameter's (or map key's) text by its field."""
        schema = field_schema(field)
        if field.value_type in (T.INT, T.BIGINT, T.FLOAT):
            low, high = INT_BOUNDS.get(field.value_type, (None, None))
            low = field.minimum if field.minimum is not None else low
            high = field.maximum if field.maximum is not None else high
            args = ["true" if field.value_type is not T.FLOAT else "false"]
            args += [_lit(low) if low is not None else "undefined",
                     _lit(high) if high is not None else "undefined"]
            while args[-1] == "undefined":
                args.pop()
            expr = f"numberValue({', '.join(args)})"
        elif field.type is T.BOOL:
            expr = "boolValue"
        elif field.value_type is T.DATE:
            expr = "dateParam"
        else:
            rules = []
            if "enum" in schema:
                rules.append(f"values: {_lit(schema['enum'])}")
            if "minLength" in schema:
                rules.append(f"min: {schema['minLength']}")
            if "maxLength" in schema and "enum" not in schema:
                rules.append(f"max: {schema['maxLength']}")
            if "pattern" in schema:
                rules.append(f"pattern: {regex_literal(schema['pattern'])}")
            expr = "textValue({ " + ", ".join(rules) + " })" if rules else "textValue({})"
        name = f"{_camel(field.name)}Param"
        text = f"const {name} = {expr};"
        while text not in self.checks and any(c.startswith(f"const {name} =")
                                               for c in self.checks):
            name += "_"
            text = f"const {name} = {expr};"
        if text not in self.checks:
            self.checks.append(text)
        return name

    # -- helpers and handlers ------------------------------------------------------------

    def helper(self, op: Operation) -> str:
        endpoint = op.endpoint
        root = op.root
        name = helper_name(endpoint.name)
        pk = self.pk(root.model)
        key_type = "{ " + "; ".join(f"{p}: {TS_TYPES.get(f.value_type, 'string')}"
                                    for p, f in root.params) + " }"
        body_type = f"api.{body_name(endpoint)}" if endpoint.body is not None else None
        result = "Json" if op.read is not None else "typeof SUCCESS"
        args = ["db: Db", "caller: string | null", f"key: {key_type}"]
        if body_type:
            args.append(f"body: {body_type} & Json")
        lines = [f"/** {endpoint.method} {endpoint.path}: the operation plan of "
                 f"{endpoint.name}. */",
                 f"export async function {name}({', '.join(args)}): Promise<{result}> {{"]
        owner = f"root.{root.owner.name}" if root.owner else "null"
        missing = f"no {root.model} matches this path"
        write = op.kind != "read"
        # The body's rules JSON Schema cannot say (map keys' ranges, duplicate set keys).
        lines += ["  " + line for line in self.prechecks(op)]
        lines.append(f"  return transact(db, {'true' if write else 'false'}, async (tx) => {{")
        lines += ["    " + line for line in (self.lock(root.model, root.params) if write else [])]
        where = {f.name: f"key.{p}" for p, f in root.params}
        select = self.first(root.model, where, lock=write)
        joined = self.joinable(op.read, root.model) if op.kind == "read" else []
        if joined:
            lines += ["    " + line for line in self.select_joined(root.model, where, joined)]
        else:
            lines.append(f"    let root = {select};")
        lines.append(f"    if (root !== null && !visible({owner}, caller)) "
                     f"throw new Problem(404, {_lit(missing)});")
        if root.create and op.kind in ("write", "insert"):
            values = ", ".join(f"{f.name}: key.{p}" for p, f in root.params)
            if root.owner is not None:
                values += f", {root.owner.name}: caller"
            lines += ["    if (root === null) {",
                      "      " + self.insert(root.model, f"{{ {values} }}"),
                      f"      root = {select};",
                      "    }"]
        lines.append(f"    if (root === null) throw new Problem(404, {_lit(missing)});")
        body = []
        if op.kind == "read":
            one = frozenset(s.name for s in joined)
            reader = self.reader(op.read, root.model, endpoint.response or name, one)
            body.append(f"return (await {reader}(tx, root{', one' if one else ''})) as Json;")
        elif op.kind == "delete":
            body += [self.delete(root.model, pk, f"root.{pk}"), "return SUCCESS;"]
        elif op.kind == "insert":
            insert = op.writes[0]
            assert isinstance(insert, InsertChild)
            child_pk = self.pk(insert.step.model)
            body += ["const values: Json = {};",
                     *self.values(insert.assigns, "body", True)]
            if self.spec.model(insert.step.model).primary_key.identity:
                # The database makes the key: read it back from the insert.
                body.append(self.insert_returning(
                    insert.step.model, f"{{ ...values, {insert.step.ref.name}: root.{pk} }}",
                    child_pk))
            else:
                body += ["const id = crypto.randomUUID();",
                         self.insert(insert.step.model, f"{{ ...values, {child_pk}: id, "
                                                        f"{insert.step.ref.name}: root.{pk} }}")]
            if op.read is not None:
                reader = self.reader(op.read, insert.step.model, endpoint.response or name)
                body += [f"const row = ({self.first(insert.step.model, {child_pk: 'id'})})!;",
                         f"return (await {reader}(tx, row)) as Json;"]
            else:
                body.append("return SUCCESS;")
        else:
            for w in op.writes:
                body += self.write(w, op.merge, root.model)
            body.append("return SUCCESS;")
        lines += ["    " + line for line in body]
        lines += ["  });", "}"]
        return "\n".join(lines)

    def handler(self, op: Operation) -> str:
        endpoint = op.endpoint
        name = helper_name(endpoint.name)
        pattern, params = route_pattern(endpoint.path)
        lines = [f"    {_lit(endpoint.name)}: (request: Request) =>",
                 "      answer(request, async () => {",
                 f"        const found = match(request, {pattern}, {_lit(params)});",
                 "        if (found === null) return error(404, \"no such path\");",
                 f"        const who = await caller(request, verify, "
                 f"{'true' if endpoint.auth_required else 'false'});"]
        keys = []
        for p, field in op.root.params:
            keys.append(f"{p}: param(\"path parameter {p}\", found[{_lit(p)}], "
                        f"{self.param_check(field)}) as never")
        lines.append(f"        const key = {{ {', '.join(keys)} }};")
        args = "db, who, key"
        if endpoint.body is not None:
            lines.append(f"        const body = (await readBody(request, "
                         f"api.{body_name(endpoint)})) as api.{body_name(endpoint)} & Json;")
            args += ", body"
        lines.append(f"        return json({op.status}, await {name}({args}));")
        lines.append("      }),")
        return "\n".join(lines)


def route_pattern(path: str) -> tuple[str, list[str]]:
    """A regex literal matching the path's text after BASE_PATH, and its parameter names."""
    params: list[str] = []
    out = "^"
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            params.append(part[1:-1])
            out += "([^/]+)"
        else:
            out += re.sub(r"[.*+?^${}()|\[\]\\/]", lambda m: "\\" + m.group(0), part)
    return "/" + out + "$/", params


def render(spec: Spec, options: TsHandlersOptions, provenance: Provenance) -> str:
    from importlib import resources

    if options.dialect not in DIALECTS:
        raise UsageError(f"unknown dialect '{options.dialect}'; choose from "
                         + ", ".join(DIALECTS))
    api = spec.api
    if api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there is nothing to serve")
    if api.unbound:
        name, position, why = api.unbound[0]
        raise UsageError(f"{spec.shown_path}:{position.line}:{position.column}: endpoint "
                         f"{name} cannot be served: {why}")
    module = _Module(spec, options.dialect, options.orm)
    helpers = [module.helper(op) for op in api.operations]
    handlers = [module.handler(op) for op in api.operations]
    routes: dict[str, list[str]] = {}
    for endpoint in api.endpoints:
        routes.setdefault(endpoint.path, []).append(endpoint.method)
    route_lines = []
    endpoints = []
    for path, methods in routes.items():
        pattern, params = route_pattern(path)
        route_lines.append(f"  {{ pattern: {pattern}, params: {_lit(params)}, "
                           f"methods: {_lit(sorted(methods))} }},")
    for endpoint in api.endpoints:
        pattern, _ = route_pattern(endpoint.path)
        endpoints.append(f"  {_lit(endpoint.method + ' ' + pattern[1:-1])}: "
                         f"{_lit(endpoint.name)},")
    template = resources.files("vigilo_gen.emitters").joinpath(
        "templates/ts_handlers_runtime.ts.txt").read_text(encoding="utf-8")
    names = " | ".join(_lit(op.endpoint.name) for op in api.operations)
    code = (template
            .replace("__HEADER__", provenance.header("//").rstrip("\n"))
            .replace("__DIALECT__", options.dialect)
            .replace("__DB_IMPORTS__", DB_IMPORTS[(options.orm, options.dialect)])
            .replace("__ORM_NAME__", {"drizzle": "Drizzle", "prisma": "Prisma"}[options.orm])
            .replace("__SCHEMA__", options.schema)
            .replace("__CLIENT__", options.client)
            .replace("__DATE_VALUE__", 'new Date(String(text) + "T00:00:00Z")'
                     if options.orm == "prisma" else "text")
            .replace("__ZOD__", options.zod)
            .replace("__BASE_PATH__", _lit(api.base_path))
            .replace("__DATETIME_VALUE__", DATETIME_VALUE["postgres" if options.orm == "prisma"
                                                          else options.dialect])
            .replace("__TRANSACT__", PRISMA_TRANSACT if options.orm == "prisma"
                     else TRANSACT[options.dialect])
            .replace("__HELPERS__", "\n\n".join(module.checks + module.types() + module.readers
                                                 + helpers))
            .replace("__ROUTES__", "[\n" + "\n".join(route_lines) + "\n]")
            .replace("__ENDPOINTS__", "{\n" + "\n".join(endpoints) + "\n}")
            .replace("__ENDPOINT_NAMES__", names)
            .replace("__HANDLERS__", "\n".join(handlers)))
    return code


emitter = Emitter(
    name="ts-handlers",
    description="TypeScript query helpers (Drizzle or Prisma) and web-standard Request handlers "
                "serving "
                "the spec's endpoints.",
    options=TsHandlersOptions,
    render=render,
    filename=lambda options: f"handlers.{options.orm}.{options.dialect}.ts",
    needs_api=True,
    dialects=dialect_option,
)
