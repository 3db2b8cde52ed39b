"""schemathesis against `vigilo-gen serve` (SQLite), for every spec with an API: every default
check (server errors, status codes, content types, response headers, response schema
conformance, negative data rejection, positive data acceptance...), positive and negative
data, the owner's bearer token sent. A fixed seed and few examples per operation in CI;
`VIGILO_SCHEMATHESIS_EXAMPLES=N` for a longer run (`make schemathesis`).
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from vigilo_gen.spec import load_spec

from tests.contract.server import OWNER_TOKEN, ServeProcess
from tests.support import ALL_SPECS

API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
EXAMPLES = int(os.environ.get("VIGILO_SCHEMATHESIS_EXAMPLES", "12"))
SEED = int(os.environ.get("VIGILO_SCHEMATHESIS_SEED", "20261201"))
CALLS: dict[str, int] = defaultdict(int)


@pytest.fixture(scope="module", params=API_SPECS, ids=[p.stem for p in API_SPECS])
def served_schema(request, tmp_path_factory):
    spec_path = request.param
    workdir = tmp_path_factory.mktemp(f"schemathesis-{spec_path.stem}")
    server = ServeProcess(spec_path, f"sqlite:///{workdir / 'st.db'}", workdir).start()
    try:
        config = SchemathesisConfig()
        config.update(seed=SEED, max_failures=None)
        project = config.projects.default
        project.update(headers={"Authorization": f"Bearer {OWNER_TOKEN}"}, request_timeout=30)
        project.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                  max_examples=EXAMPLES, deterministic=True, database="none")
        schema = schemathesis.openapi.from_url(server.base_url + "/openapi.json",
                                               config=config)
        schema.spec_stem = spec_path.stem  # type: ignore[attr-defined]
        yield schema
    finally:
        server.stop()


schema = schemathesis.pytest.from_fixture("served_schema")


# docs/runtime.md: two items of a replaced list with one key would be one row, so the server
# answers 400. JSON Schema cannot say "unique by a property", so the document cannot rule such
# a body out, and schemathesis may draw one as positive data: that refusal is the rule, not a
# failure. Every other check still runs on that response.
DUPLICATE_KEY = "the same key as item"


@schema.parametrize()
def test_schemathesis(case, served_schema):
    CALLS[served_schema.spec_stem] += 1
    response = case.call()
    excluded = []
    if response.status_code == 400 and DUPLICATE_KEY in response.text:
        excluded = [positive_data_acceptance]
    case.validate_response(response, excluded_checks=excluded)


@pytest.fixture(scope="session", autouse=True)
def _report_calls():
    yield
    if CALLS:
        print("\nschemathesis cases run: " +
              ", ".join(f"{spec} {count}" for spec, count in sorted(CALLS.items())))
