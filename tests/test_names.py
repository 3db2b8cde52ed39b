"""Names at the root: no model, field or enum name is refused by any emitter, and what each
emits passes that target's own checker. The names are the ones generated code also uses: the
imports and helpers of the Drizzle, SQLAlchemy and Peewee modules, Python builtins and
keywords, TypeScript reserved words, Prisma's scalar and reserved names."""

from __future__ import annotations

import keyword
import subprocess
import tempfile
from pathlib import Path

import peewee
import pytest
import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vigilo_gen import registry
from vigilo_gen.emitters.drizzle import RESERVED as TS_RESERVED
from vigilo_gen.emitters.prisma import RESERVED_TYPE_NAMES
from vigilo_gen.spec import load_spec

from tests.orm_scenario import import_generated
from tests.support import IN_CI, ROOT, require_executable
from tests.test_drizzle import node_tool as drizzle_tool
from tests.test_fuzz import option_sets
from tests.test_prisma import node_tool as prisma_tool

NAMES_SPEC = ROOT / "tests" / "names" / "names.yaml"

# Every name generated code imports, defines or relies on, in every target.
GENERATED_NAMES = sorted(set("""
Any Base BaseModel BigInteger Boolean CheckConstraint ClassVar Context CurrentTimestamp DECIMAL
DatabaseProxy Date DateTime DateTimeMsField DeclarativeBase Decimal Default Double DoubleType
Entity EnclosedNodeList ForeignKey Index Integer LengthCheck MODELS Mapped Metadata Model Node
NodeList PatternCheck PrimaryKeyConstraint REAL SQL SQLCompiler SchemaMetadata Sequence String
Text TimestampType UniqueConstraint ValueLiterals and_ builtins column compiles database datetime
dialect func mapped_column mysql new_id postgresql regex_check relationship text true uuid utcnow
check unique ForeignKeyField CharField TextField IntegerField BigIntegerField DoubleField
DecimalField BooleanField DateField DateTimeField FunctionElement Exact ColumnBase DateType sqlite
Check Unique Relations ForeignKey PrimaryKey Sql Timestamp Numeric Varchar Bigint Int Real
DoublePrecision PgTable MysqlTable SqliteTable Datetime One Many T Crypto
str int float bool list tuple dict type object
SqlExpression NOW NEW_UUID CharLength Matches conv
""".split()) | {w.capitalize() for w in TS_RESERVED} | set(RESERVED_TYPE_NAMES)
    | set(keyword.kwlist) - {"None", "True", "False"})
# Not drawn: a name ending in "_" next to the keyword it escapes (fields `and` and `and_` both
# become the attribute and_): a separate, known collision of attribute names within a class.
FIELD_NAMES = sorted(n for n in {n[:1].lower() + n[1:] for n in GENERATED_NAMES}
                     | {"Meta", "_meta", "metadata", "t"} if not n.endswith("_"))


def render_everything(spec_path: Path) -> dict[tuple, str]:
    """Every emitter x option set: none may refuse the spec."""
    spec = load_spec(spec_path)
    outputs = {}
    for name in registry.names():
        emitter = registry.load(name)
        for options in option_sets(name):
            if getattr(emitter, "needs_api", False) and spec.api is None:
                continue  # openapi, pydantic, fastapi: nothing to describe or serve
            # An option left empty ("", ()) is left out of the key, as out of the header.
            values = sorted(str(v) for v in vars(options).values() if v not in ("", ()))
            outputs[(name, *values)] = emitter.run(spec, options)
    return outputs


def check_python(outputs: dict[tuple, str], folder: Path, tables: set[str]) -> None:
    """The SQLAlchemy and Peewee modules import, create every table on SQLite, pass ruff."""
    sa_path, pw_path = folder / "sa_models.py", folder / "pw_models.py"
    sa_path.write_text(outputs[("sqlalchemy",)], encoding="utf-8")
    pw_path.write_text(outputs[("peewee",)], encoding="utf-8")
    ruff = require_executable("ruff")
    for command in ([ruff, "check", "--isolated", "--target-version", "py310"],
                    [ruff, "format", "--isolated", "--check"]):
        result = subprocess.run([*command, str(sa_path), str(pw_path)], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    module = import_generated(sa_path)
    base = next(v for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, sa.orm.DeclarativeBase)
                and v.__module__ == module.__name__ and hasattr(v, "registry")
                and v.__mro__[1] is sa.orm.DeclarativeBase)
    base.registry.configure()
    engine = sa.create_engine("sqlite://")
    base.metadata.create_all(engine)
    assert set(sa.inspect(engine).get_table_names()) == tables
    engine.dispose()
    module = import_generated(pw_path)
    proxy = next(v for v in vars(module).values() if isinstance(v, peewee.DatabaseProxy))
    models = next(v for k, v in vars(module).items()
                  if k.lstrip("_") == "MODELS" and isinstance(v, tuple))
    database = peewee.SqliteDatabase(":memory:", pragmas={"foreign_keys": 1})
    proxy.initialize(database)
    database.create_tables(models)
    assert set(database.get_tables()) == tables
    database.close()


@pytest.fixture(scope="module")
def names_outputs(tmp_path_factory):
    return render_everything(NAMES_SPEC), tmp_path_factory.mktemp("names")


def test_no_emitter_refuses_names_generated_code_uses(names_outputs):
    outputs, _ = names_outputs
    assert ("sqlalchemy",) in outputs and ("peewee",) in outputs


def test_python_targets_import_and_create_every_table(names_outputs):
    outputs, folder = names_outputs
    check_python(outputs, folder, {m.table for m in load_spec(NAMES_SPEC).models})


def test_drizzle_output_passes_tsc(names_outputs):
    outputs, folder = names_outputs
    files = []
    for dialect in ("postgres", "mysql", "sqlite"):
        path = folder / f"schema_{dialect}.ts"
        path.write_text(outputs[("drizzle", dialect)], encoding="utf-8")
        files.append(str(path))
    result = drizzle_tool("tsc-check.mjs", *files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("enums", ["string", "native"])
@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_prisma_output_passes_prisma_validate_and_keeps_table_names(names_outputs, dialect,
                                                                     enums):
    outputs, folder = names_outputs
    text = outputs[("prisma", *sorted((dialect, enums)))]
    path = folder / f"schema_{dialect}_{enums}.prisma"
    path.write_text(text, encoding="utf-8")
    result = prisma_tool("prisma.mjs", "validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    # A renamed Prisma model keeps the spec's table: `model Boolean_ { ... @@map("boolean") }`.
    assert "model Boolean_ {" in text and '@@map("boolean")' in text
    assert "model class_ {" in text and '@@map("class_row")' in text


# -- property: random specs whose names come from the lists above -------------------------------


@st.composite
def name_specs(draw) -> str:
    models = draw(st.lists(st.sampled_from(GENERATED_NAMES), min_size=1, max_size=5,
                           unique_by=lambda n: n.lower()))
    enum = draw(st.sampled_from(GENERATED_NAMES))
    data: dict = {"version": 1, "name": "names", "enums": {enum: ["a", "b"]}, "models": {}}
    types = ["string", "text", "int", "bigint", "float", "bool", "date", "datetime", "enum",
             "decimal"]
    for i, model in enumerate(models):
        fields: dict = {"id": {"type": "id"}}
        names = draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=4,
                              unique_by=lambda n: n.lower()))
        for name in names:
            if name.lower() == "id":
                continue
            ftype = draw(st.sampled_from(types))
            field: dict = {"type": ftype, "nullable": True}
            if ftype == "enum":
                field["enum"] = enum
            if ftype == "datetime" and draw(st.booleans()):
                field.update(default="now", updatedAt=True, nullable=False)
            fields[name] = field
        if i and draw(st.booleans()):
            fields["parentRef"] = {"type": "ref", "to": models[draw(st.integers(0, i - 1))],
                                   "nullable": True, "onDelete": "setNull"}
        data["models"][model] = {"table": f"t{i}_{model.lower()}", "fields": fields}
    return yaml.safe_dump(data, sort_keys=False)


@settings(max_examples=10, deadline=None, derandomize=IN_CI, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=name_specs())
def test_random_specs_named_like_generated_code_work_in_every_python_target(text):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        outputs = render_everything(path)
        check_python(outputs, folder, {m.table for m in load_spec(path).models})
