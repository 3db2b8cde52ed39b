"""The base and mixins options of the sqlalchemy and peewee emitters (README, "A team's own
base class and mixins"), proven on real engines for every test spec:

- a mixin's column, method and property are on every generated class, and relationships
  load instances of the class with the mixin;
- the team's own DeclarativeBase (whose naming convention would rename named CHECKs, as
  Alembic's recipe does) or peewee Model receives the tables with the constraint names the
  module without the option creates;
- ``check`` reports a config with list and map options fresh, and stale once one changes;
- bad values are one-line usage errors (exit 2).
"""

from __future__ import annotations

import itertools
import subprocess
import textwrap

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import MANYTOONE, Session
from vigilo_gen.spec import load_spec

from tests.orm_scenario import ENGINES, import_generated, plan_for
from tests.physical import TableNames, reflect
from tests.support import ALL_SPECS, ROOT, generate, require_executable, run_cli
from tests.test_peewee import _peewee_database

_package = itertools.count()
# The mixin's column (SQLAlchemy) or the team base's field (Peewee): a name no spec uses.
EXTRA_COLUMN = "audited_by"

SQLALCHEMY_TEAM = {
    "db.py": '''
        from sqlalchemy import MetaData
        from sqlalchemy.orm import DeclarativeBase

        # Alembic's recommended convention: its "ck" rule would rename a CHECK named "x"
        # to "ck_<table>_x" unless the name is final (conv()).
        class AppBase(DeclarativeBase):
            metadata = MetaData(naming_convention={
                "ix": "ix_%(column_0_label)s",
                "uq": "uq_%(table_name)s_%(column_0_name)s",
                "ck": "ck_%(table_name)s_%(constraint_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            })
    ''',
    "mixins.py": '''
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column

        class Audited:
            audited_by: Mapped[str | None] = mapped_column(String(40))

            def audit_label(self) -> str:
                return f"{type(self).__name__} by {self.audited_by}"

            @property
            def is_audited(self) -> bool:
                return self.audited_by is not None

        class Tagged:
            def tag(self) -> str:
                return "tagged"
    ''',
}

PEEWEE_TEAM = {
    "db.py": '''
        from peewee import CharField, DatabaseProxy, Model

        database = DatabaseProxy()

        class AppModel(Model):
            audited_by = CharField(max_length=40, null=True)

            class Meta:
                database = database
    ''',
    "mixins.py": '''
        class Audited:
            def audit_label(self) -> str:
                return f"{type(self).__name__} by {self.audited_by}"

            @property
            def is_audited(self) -> bool:
                return self.audited_by is not None

        class Tagged:
            def tag(self) -> str:
                return "tagged"
    ''',
}


def _team(tmp_path, monkeypatch, files: dict[str, str]):
    """A team's own package (a fresh name per test: imported modules are cached)."""
    name = f"teamapp{next(_package)}"
    folder = tmp_path / "team" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for file, text in files.items():
        (folder / file).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path / "team"))
    return name


def _options(package: str, spec, base: str) -> tuple[str, ...]:
    first = spec.models[0].name
    return ("--base", f"{package}.db:{base}",
            "--mixins", f"{package}.mixins:Audited",
            "--model-mixins", f'{{"{first}": ["{package}.mixins:Tagged"]}}')


def _names(db) -> dict[str, tuple[TableNames, frozenset[str]]]:
    """Every table's names (tests.physical) and its CHECK constraints' names."""
    inspector = sa.inspect(db.sqlalchemy_engine())
    return {table: (names, frozenset(c["name"] for c in inspector.get_check_constraints(table)
                                     if c.get("name")))
            for table, names in reflect(db).items()}


def _without_extra(found):
    return {table: (TableNames(tuple(c for c in names.columns if c != EXTRA_COLUMN),
                               names.pk, names.uniques, names.indexes, names.fks), checks)
            for table, (names, checks) in found.items()}


CASES = [(s, e) for s in ALL_SPECS for e in ENGINES]
IDS = [f"{s.stem}-{e}" for s, e in CASES]


@pytest.mark.engine
@pytest.mark.parametrize(("spec_path", "engine_name"), CASES, ids=IDS)
def test_sqlalchemy_team_base_and_mixins(spec_path, engine_name, fresh_db, tmp_path,
                                         monkeypatch):
    spec = load_spec(spec_path)
    package = _team(tmp_path, monkeypatch, SQLALCHEMY_TEAM)
    team_db = __import__(f"{package}.db", fromlist=["AppBase"])
    mixins = __import__(f"{package}.mixins", fromlist=["Audited"])
    plain = import_generated(_generated("sqlalchemy", spec_path, tmp_path / "plain.py"))
    extended = import_generated(_generated("sqlalchemy", spec_path, tmp_path / "extended.py",
                                           *_options(package, spec, "AppBase")))
    plain_db, extended_db = fresh_db(engine_name, "plain"), fresh_db(engine_name, "team")
    plain.Base.metadata.create_all(plain_db.sqlalchemy_engine())
    team_db.AppBase.metadata.create_all(extended_db.sqlalchemy_engine())
    assert not hasattr(extended, "Base")  # the team's base replaces the generated one

    found = _names(extended_db)
    assert all(EXTRA_COLUMN in names.columns for names, _ in found.values())
    assert _without_extra(found) == _names(plain_db)

    classes = {m.name: getattr(extended, m.name) for m in spec.models}
    assert issubclass(classes[spec.models[0].name], mixins.Tagged)
    assert not any(issubclass(classes[m.name], mixins.Tagged) for m in spec.models[1:])
    plan = plan_for(spec)
    engine = extended_db.sqlalchemy_engine()
    with Session(engine) as session:
        for model in spec.models:
            attrs = {c.name: k for k, c in sa.inspect(classes[model.name]).columns.items()}
            row = {attrs[c]: v for c, v in plan.rows[model.name].items()}
            session.add(classes[model.name](**row, audited_by="team"))
            session.flush()
        session.commit()
    loaded_relations = 0
    with Session(engine) as session:
        for model in spec.models:
            obj = session.get(classes[model.name], plan.pk(model))
            assert obj.audit_label() == f"{type(obj).__name__} by team" and obj.is_audited
            for rel in sa.inspect(classes[model.name]).relationships:
                assert rel.mapper.class_ is classes[rel.mapper.class_.__name__]
                loaded = getattr(obj, rel.key)
                if rel.direction is MANYTOONE and loaded is not None:
                    assert isinstance(loaded, mixins.Audited) and loaded.is_audited
                    loaded_relations += 1
    assert loaded_relations or not any(m.references for m in spec.models)


@pytest.mark.engine
@pytest.mark.parametrize(("spec_path", "engine_name"), CASES, ids=IDS)
def test_peewee_team_base_and_mixins(spec_path, engine_name, fresh_db, tmp_path, monkeypatch):
    spec = load_spec(spec_path)
    package = _team(tmp_path, monkeypatch, PEEWEE_TEAM)
    team_db = __import__(f"{package}.db", fromlist=["AppModel"])
    mixins = __import__(f"{package}.mixins", fromlist=["Audited"])
    plain = import_generated(_generated("peewee", spec_path, tmp_path / "plain.py"))
    extended = import_generated(_generated("peewee", spec_path, tmp_path / "extended.py",
                                           *_options(package, spec, "AppModel")))
    plain_db, extended_db = fresh_db(engine_name, "plain"), fresh_db(engine_name, "team")
    plain_database = _peewee_database(plain_db)
    plain.database.initialize(plain_database)
    plain_database.create_tables(plain.MODELS)
    plain_database.close()
    database = _peewee_database(extended_db)
    team_db.database.initialize(database)
    assert not hasattr(extended, "database")  # the team's base brings its database
    database.create_tables(extended.MODELS)

    found = _names(extended_db)
    assert all(EXTRA_COLUMN in names.columns for names, _ in found.values())
    assert _without_extra(found) == _names(plain_db)

    classes = {m.name: getattr(extended, m.name) for m in spec.models}
    assert classes[spec.models[0].name]().tag() == "tagged"
    plan = plan_for(spec)
    names = {m.name: {c: f.name for c, f in classes[m.name]._meta.columns.items()}
             for m in spec.models}
    with database.atomic():
        for model in spec.models:
            row = {names[model.name][c]: v for c, v in plan.rows[model.name].items()}
            classes[model.name].create(**row, audited_by="team")
    loaded_relations = 0
    for model in spec.models:
        obj = classes[model.name].get_by_id(plan.pk(model))
        assert obj.audit_label() == f"{type(obj).__name__} by team" and obj.is_audited
        for field in model.references:
            if plan.rows[model.name][field.column] is None:
                continue
            parent = getattr(obj, names[model.name][field.column])
            assert isinstance(parent, mixins.Audited) and parent.is_audited
            loaded_relations += 1
    assert loaded_relations or not any(m.references for m in spec.models)
    database.close()


def _generated(emitter, spec_path, out, *options):
    generate(emitter, spec_path, out, *options)
    return out


CONFIG = """\
spec = "spec.yaml"

[[output]]
emitter = "{emitter}"
path = "models.py"
base = "myapp.db:AppBase"
mixins = ["myapp.mixins:Audited", "myapp.mixins:Tracked"]
model_mixins = {{ {first} = ["myapp.mixins:Tagged"], {last} = ["myapp.mixins:Priced"] }}
"""


@pytest.mark.parametrize("emitter", ["sqlalchemy", "peewee"])
def test_check_with_list_and_map_options(emitter, tmp_path):
    """The header writes a map as a JSON object with its keys sorted (docs/plugins.md):
    the order a config lists them in does not make the output stale; any changed value
    does, on both paths of check (the stamp alone, and --full rendering)."""
    spec_text = (ROOT / "tests/specs/shop.yaml").read_text()
    (tmp_path / "spec.yaml").write_text(spec_text)
    models = [m.name for m in load_spec(ROOT / "tests/specs/shop.yaml").models]
    config = tmp_path / "vigilo-gen.toml"
    config.write_text(CONFIG.format(emitter=emitter, first=models[0], last=models[-1]))
    run_cli("all", cwd=tmp_path, check=True)
    text = (tmp_path / "models.py").read_text()
    assert f'{{"{models[-1]}": ["myapp.mixins:Priced"], "{models[0]}": ' \
           in text or f'{{"{models[0]}": ["myapp.mixins:Tagged"], "{models[-1]}"' in text
    for full in ((), ("--full",)):
        assert run_cli("check", *full, cwd=tmp_path).returncode == 0
    # The same map written in the other order: still fresh.
    config.write_text(CONFIG.format(emitter=emitter, first=models[0], last=models[-1])
                      .replace(f"{{ {models[0]} = [\"myapp.mixins:Tagged\"], "
                               f"{models[-1]} = [\"myapp.mixins:Priced\"] }}",
                               f"{{ {models[-1]} = [\"myapp.mixins:Priced\"], "
                               f"{models[0]} = [\"myapp.mixins:Tagged\"] }}"))
    assert models[-1] in config.read_text().split("model_mixins = {")[1][:20]
    for full in ((), ("--full",)):
        assert run_cli("check", *full, cwd=tmp_path).returncode == 0
    # Another mixin for one model, or the list in another order (another MRO): stale.
    for edit in (("myapp.mixins:Priced", "myapp.mixins:Sold"),
                 ('"myapp.mixins:Audited", "myapp.mixins:Tracked"',
                  '"myapp.mixins:Tracked", "myapp.mixins:Audited"')):
        config.write_text(CONFIG.format(emitter=emitter, first=models[0], last=models[-1])
                          .replace(*edit))
        for full in ((), ("--full",)):
            result = run_cli("check", *full, cwd=tmp_path)
            assert result.returncode == 1, (edit, full, result.stderr)
            assert "models.py" in result.stdout and "1 stale" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--base", "myapp.db"), "is not a module:Name import path"),
    (("--mixins", "myapp.mixins:Audited,not a path"), "is not a module:Name import path"),
    (("--model-mixins", '{"Order": "myapp:X"'), "a JSON object"),
    (("--model-mixins", '{"Ordr": ["myapp:X"]}'), "the spec has no model 'Ordr'"),
    (("--mixins", "a:Audited,b:Audited"), "are both imported as Audited"),
    (("--mixins", "myapp:Exact"), "a name the generated module also gives"),
])
@pytest.mark.parametrize("emitter", ["sqlalchemy", "peewee"])
def test_bad_option_values_are_usage_errors(emitter, args, message):
    result = run_cli(emitter, "--spec", "tests/specs/shop.yaml", *args, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_config_list_option_of_the_wrong_type(tmp_path):
    (tmp_path / "spec.yaml").write_text((ROOT / "tests/specs/shop.yaml").read_text())
    (tmp_path / "vigilo-gen.toml").write_text(
        'spec = "spec.yaml"\n\n[[output]]\nemitter = "peewee"\npath = "m.py"\n'
        'mixins = "myapp.mixins:Audited"\n')
    result = run_cli("all", cwd=tmp_path)
    assert result.returncode == 2
    assert "vigilo-gen.toml:6: bad value 'myapp.mixins:Audited' for option 'mixins'" \
        in result.stderr, result.stderr


@pytest.mark.parametrize("emitter", ["sqlalchemy", "peewee"])
def test_repeated_mixins_flags_add_up(emitter):
    """A list flag given twice keeps both (the last one alone would silently drop a mixin);
    "Regenerate with" writes them as one comma-separated word, which reads back the same."""
    result = run_cli(emitter, "--spec", "tests/specs/blog.yaml", "--mixins", "a.m:One",
                     "--mixins=b.m:Two,c.m:Three", cwd=ROOT, check=True)
    assert "--mixins a.m:One,b.m:Two,c.m:Three --spec" in result.stdout
    assert "from a.m import One\nfrom b.m import Two\nfrom c.m import Three\n" in result.stdout
    first = load_spec(ROOT / "tests/specs/blog.yaml").models[0].name
    assert f"class {first}(One, Two, Three, " in result.stdout


@pytest.mark.parametrize("emitter", ["sqlalchemy", "peewee"])
def test_a_one_letter_mixin_is_imported_where_ruff_sorts_it(emitter, tmp_path):
    """README: the generated modules pass `ruff` as written. Ruff's isort (order-by-type)
    takes a one-letter capital name for a class, not a constant: `from app.mixins import
    Audited, X`."""
    result = run_cli(emitter, "--spec", "tests/specs/blog.yaml", "--mixins",
                     "app.mixins:X,app.mixins:Audited,app.mixins:Zoned", cwd=ROOT, check=True)
    assert "from app.mixins import Audited, X, Zoned\n" in result.stdout
    module = tmp_path / "models.py"
    module.write_text(result.stdout, encoding="utf-8")
    ruff = require_executable("ruff")
    # (the mixins' package is the user's own: first-party, a block of its own after the rest)
    check = subprocess.run([ruff, "check", "--isolated", "--select", "I", "--config",
                            "lint.isort.known-first-party = ['app']", str(module)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
