"""json, uuid and bytes fields in the API: OpenAPI says what JSON Schema 2020-12 says for them
(any JSON value but null; a uuid string; base64 text, RFC 4648, as ``contentEncoding``), the
Pydantic models and the Zod schemas give the same verdicts, and the runtimes, which do not
convert them yet, refuse such an endpoint with its file:line:col."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.support import generate, run_cli

SPEC = """\
version: 1
name: vault
models:
  Blob:
    fields:
      id: {type: id}
      key: {type: string, maxLength: 20, unique: true}
      meta: {type: json}
      extra: {type: json, nullable: true}
      ref: {type: uuid}
      data: {type: bytes, nullable: true}
api:
  params: {key: Blob.key}
  schemas:
    Blob: {object: {meta: Blob.meta, extra: Blob.extra, ref: Blob.ref, data: Blob.data}}
  endpoints:
    - {name: getBlob, method: GET, path: '/blobs/{key}', response: Blob}
"""
UUID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
GOOD = [
    {"meta": {"a": [1, "é", None]}, "ref": UUID},
    {"meta": [1, 2], "extra": None, "ref": UUID, "data": "AAEC/w=="},
    {"meta": "text", "extra": 1.5, "ref": UUID.upper(), "data": None},
    {"meta": False, "extra": {"nested": {"deep": True}}, "ref": UUID},
]
BAD = [
    {"meta": None, "ref": UUID},  # a required document is not null
    {"ref": UUID},  # meta is required
    {"meta": {}, "ref": "not-a-uuid"},
    {"meta": {}, "ref": UUID + "0"},
    {"meta": {}, "ref": UUID, "data": 5},  # base64 is text
]


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("vault") / "vault.yaml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def schema(spec_path):
    document = json.loads(generate("openapi", spec_path, spec_path.with_suffix(".json")))
    blob = document["components"]["schemas"]["Blob"]
    props = blob["properties"]
    assert props["ref"]["format"] == "uuid"
    assert props["data"]["contentEncoding"] == "base64"
    assert "null" not in props["meta"]["type"] and "null" in props["extra"]["type"]
    return blob


def test_openapi_schemas(schema):
    validator = jsonschema.Draft202012Validator(schema)
    assert [validator.is_valid(body) for body in GOOD] == [True] * len(GOOD)
    assert [validator.is_valid(body) for body in BAD] == [False] * len(BAD)


def test_pydantic_agrees(spec_path, tmp_path):
    from pydantic import ValidationError

    from tests.orm_scenario import import_generated

    generate("pydantic", spec_path, tmp_path / "schemas.py")
    module = import_generated(tmp_path / "schemas.py")

    for body in GOOD:
        module.Blob.model_validate_json(json.dumps(body))
    for body in BAD:
        with pytest.raises(ValidationError):
            module.Blob.model_validate_json(json.dumps(body))


@pytest.mark.node
def test_zod_agrees(spec_path, tmp_path):
    from tests.test_zod import _verdicts

    module = tmp_path / "vault.zod.ts"
    generate("zod", spec_path, module)
    verdicts = _verdicts(module, [("Blob", body) for body in GOOD + BAD])
    assert [v["ok"] for v in verdicts] == [True] * len(GOOD) + [False] * len(BAD)


@pytest.mark.parametrize("runtime", [("fastapi",), ("ts-handlers", "--orm", "drizzle")])
def test_runtimes_refuse_with_the_endpoint_position(spec_path, runtime):
    result = run_cli(*runtime, "--spec", str(spec_path), cwd=spec_path.parent)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "vault.yaml:17:7: endpoint getBlob cannot be served: Blob.data " \
        "is a bytes field, which the runtimes do not serve yet" in result.stderr, result.stderr
