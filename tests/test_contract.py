"""The HTTP contract suite (tests/contract/) against `vigilo-gen serve`, for every spec with an
API, on SQLite, PostgreSQL and MariaDB; and the suite's own derivations checked against the
generated OpenAPI schemas (no server needed).

One test per spec x engine x endpoint x family (see tests/contract/suite.py); one server per
spec x engine, started when its first test runs and stopped before the next one starts.
`VIGILO_CONTRACT_ENGINES=sqlite` narrows the engines; the counts of cases run are printed at
the end of the session (and written to $VIGILO_CONTRACT_COUNTS when set).
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from vigilo_gen.emitter import Provenance
from vigilo_gen.emitters import openapi
from vigilo_gen.spec import load_spec

from tests.api_support import body_component, schema_accepts
from tests.contract import bodies, rules, values
from tests.contract.served import Served
from tests.contract.server import ServeProcess
from tests.contract.suite import Suite, families
from tests.support import ALL_SPECS, missing

ENGINES = [e for e in os.environ.get("VIGILO_CONTRACT_ENGINES", "sqlite,postgres,mariadb")
           .split(",") if e]
API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
COUNTS: dict[tuple[str, str], int] = defaultdict(int)
FAILED: dict[tuple[str, str], int] = defaultdict(int)


def _cases() -> list:
    cases = []
    for spec_path in API_SPECS:
        spec = load_spec(spec_path)
        for engine in ENGINES:
            for endpoint in spec.api.endpoints:
                for family in families(spec, endpoint):
                    cases.append(pytest.param(spec_path, engine, endpoint.name, family,
                                              id=f"{spec_path.stem}-{engine}-{endpoint.name}"
                                                 f"-{family}"))
    return cases


class _Served(Served):
    """This module's server (see tests/contract/served.py)."""


@pytest.fixture(scope="session")
def served(request, tmp_path_factory):
    def get(spec_path: Path, engine: str) -> Suite:
        key = (spec_path.stem, engine)
        if _Served.key == key:
            return _Served.suite
        _Served.stop()
        workdir = tmp_path_factory.mktemp(f"serve-{spec_path.stem}-{engine}")
        if engine == "sqlite":
            db_url = f"sqlite:///{workdir / 'contract.db'}"
        else:
            database = request.getfixturevalue(f"{engine}_engine").create_database(
                f"contract_{spec_path.stem}")
            _Served.database = database
            db_url = database.sqlalchemy_url
        server = ServeProcess(spec_path, db_url, workdir)
        _Served.key = key
        try:
            _Served.server = server.start()
        except RuntimeError as exc:
            _Served.stop()
            if "No such command 'serve'" in str(exc) or "invalid choice: 'serve'" in str(exc):
                missing("vigilo-gen serve")
            raise
        _Served.suite = Suite(spec_path, server.base_url, db_url)
        return _Served.suite

    yield get
    _Served.stop()


@pytest.mark.parametrize(("spec_path", "engine", "endpoint_name", "family"), _cases())
def test_contract(served, spec_path, engine, endpoint_name, family):
    suite = served(spec_path, engine)
    result = suite.run(suite.endpoint(endpoint_name), family)
    COUNTS[(spec_path.stem, engine)] += result.cases
    FAILED[(spec_path.stem, engine)] += len(result.failures)
    assert result.cases > 0 or family == "roundtrip", "no case ran"
    if result.failures:
        shown = "\n".join(result.failures[:25])
        more = len(result.failures) - 25
        pytest.fail(f"{len(result.failures)} of {result.cases} cases failed:\n{shown}"
                    + (f"\n... and {more} more" if more > 0 else ""), pytrace=False)


def pytest_terminal_summary_counts() -> str:
    lines = ["contract cases run (spec x engine): failures"]
    for (spec, engine), count in sorted(COUNTS.items()):
        lines.append(f"  {spec:10} {engine:9} {count:6}  {FAILED[(spec, engine)]}")
    return "\n".join(lines)


@pytest.fixture(scope="session", autouse=True)
def _report_counts():
    yield
    if COUNTS:
        text = pytest_terminal_summary_counts()
        print("\n" + text)
        target = os.environ.get("VIGILO_CONTRACT_COUNTS")
        if target:
            Path(target).write_text(json.dumps(
                {f"{s}/{e}": {"cases": c, "failures": FAILED[(s, e)]}
                 for (s, e), c in sorted(COUNTS.items())}, indent=2) + "\n")


# --- the suite's own derivations, against the generated OpenAPI schemas ---------------------


def _any_key(spec, model: str):
    """A value of ``model``'s primary key (a uuid, an integer or a natural key)."""
    key = spec.model(model).primary_key
    return str(uuid.uuid4()) if key.generate == "uuid" else \
        values.valid_value(key, random.Random(model))


@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_bodies_agree_with_the_openapi_schemas(spec_path):
    """Every valid body the suite sends is valid for the generated OpenAPI schema, and every
    bad body is refused by it, except the rules JSON Schema cannot say (duplicate keys in a
    replaced set; the bounds of a decimal, sent as a string, and of an integer map key)."""
    spec = load_spec(spec_path)
    document = openapi.build_document(spec, Provenance("test", spec.source_name, spec.source_hash,
                                                         "openapi"))
    problems = []
    for endpoint in spec.api.endpoints:
        if endpoint.body is None:
            continue
        component = body_component(document, endpoint.name)
        for seed in range(3):
            maker = bodies.BodyMaker(spec, endpoint, lambda m: _any_key(spec, m), seed=seed)
            for variant in bodies.VARIANTS:
                body = maker.valid(variant)
                if not schema_accepts(document, component, body):
                    problems.append(f"{endpoint.name} [{variant}] valid body refused: {body}")
            for case in maker.bad():
                expressible = case.rule not in ("duplicate key", "key above maximum") and not (
                    case.rule in ("below minimum", "above maximum") and
                    isinstance(_at(case.body, case.path), str))
                if expressible and schema_accepts(document, component, case.body):
                    problems.append(f"{endpoint.name} bad body accepted ({case.label}): "
                                    f"{case.body}")
    assert not problems, "\n".join(problems[:30])


def _at(body, path: str):
    """The value at a simple JSON path ($.a[0].b) of ``body``, or None."""
    import re

    value = body
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:]):
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            return None
    return value


@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_every_body_property_is_bound(spec_path):
    """The suite derives a binding for every body property (root, one-to-one child, set,
    insert), by the rules of docs/runtime.md alone."""
    spec = load_spec(spec_path)
    words = rules.Words.read(spec, spec_path)
    for endpoint in spec.api.endpoints:
        if endpoint.body is None:
            continue
        maker = bodies.BodyMaker(spec, endpoint, lambda _m: str(uuid.uuid4()))
        writes = rules.body_writes(spec, endpoint, maker.valid("full"), words)
        kinds = {fact.group[0] for fact in writes.facts} | ({"set"} if writes.sets else set())
        assert kinds, f"{endpoint.name}: nothing written"
        assert not ("insert" in kinds and len(kinds) > 1), \
            f"{endpoint.name}: an insert mixed with other writes"


PARAMS_SPEC = Path(__file__).parent / "contract" / "params.yaml"


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_path_parameter_of_each_type_is_checked_by_its_rules(served, engine):
    """docs/runtime.md, "Errors": a path parameter that breaks its field's rules answers 400
    naming it, one that keeps them selects its root (404 when there is none): for a date, an
    int, a string with a pattern and an id (tests/test_ts_handlers.py asks the same of the
    TypeScript handlers)."""
    failures = served(PARAMS_SPEC, engine).run_all(("roundtrip", "bad-param", "roots"))
    assert not failures, "\n".join(failures[:25])
