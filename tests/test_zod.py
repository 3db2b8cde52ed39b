"""The zod emitter: snapshots, prettier leaves the modules unchanged, `tsc --strict` checks
them against the real zod 4, and the schemas (run by Node) give the same verdict as JSON Schema
on the OpenAPI document for every body of the API corpus and every body the contract suite
makes (valid ones, and each broken rule that JSON Schema can say)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.emitter import Provenance
from vigilo_gen.emitters import openapi
from vigilo_gen.spec import load_spec

from tests.api_support import (
    body_component,
    corpus_cases,
    corpus_path,
    load_corpus,
    schema_accepts,
)
from tests.contract import bodies
from tests.support import ALL_SPECS, generate
from tests.test_contract import _at
from tests.test_drizzle import node_tool

API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
CORPUS_SPECS = [p for p in API_SPECS if corpus_path(p).exists()]


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("zod")
    files = {}
    for spec_path in API_SPECS:
        path = out / f"{spec_path.stem}.zod.ts"
        generate("zod", spec_path, path)
        files[spec_path.stem] = path
    return files


def _document(spec_path: Path) -> dict:
    spec = load_spec(spec_path)
    return openapi.build_document(spec, Provenance("test", spec.source_name, spec.source_hash,
                                                   "openapi"))


def _verdicts(module: Path, cases: list[tuple[str, object]]) -> list[dict]:
    """Zod's verdict on each (schema, body), from one Node process."""
    import os
    import shutil
    import subprocess

    node_tool("zod-verdicts.mjs", "--help")  # fails (CI) or skips when the tools are missing
    payload = json.dumps([{"schema": s, "body": b} for s, b in cases])
    result = subprocess.run([shutil.which("node"), str(Path(__file__).parents[1] / "tools" /
                                                      "node" / "zod-verdicts.mjs"), str(module)],
                            input=payload, capture_output=True, text=True, timeout=120,
                            env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _jsdocs(text: str) -> dict[str, str]:
    """Each exported const of a module -> the text of the JSDoc comment right above it."""
    found = {}
    for doc, name in re.findall(r"/\*\*(.*?)\*/\nexport const (\w+) =", text, re.S):
        lines = [line.strip().removeprefix("*").strip() for line in doc.strip().splitlines()]
        found[name] = "\n".join(line for line in lines if line).replace("*\\/", "*/")
    return found


# A named schema that is one field: its description is the field's.
FIELD_SCHEMA_SPEC = """\
version: 1
models:
  User:
    fields:
      id: {type: id}
      handle: {type: string, maxLength: 20, unique: true, description: The name shown.}
api:
  params: {id: User.id}
  schemas:
    Handle: User.handle
    Card: {object: {handle: {schema: Handle}}, description: A user's card.}
  endpoints:
    - {name: card, method: GET, path: '/u/{id}', response: Card}
"""


@pytest.fixture(scope="module")
def field_schema_spec(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("field_schema")
    spec_path = folder / "field_schema.yaml"
    spec_path.write_text(FIELD_SCHEMA_SPEC, encoding="utf-8")
    module = folder / "field_schema.zod.ts"
    generate("zod", spec_path, module)
    return spec_path, module


@pytest.mark.parametrize("spec_path", [*API_SPECS, "field_schema"],
                         ids=[*(p.stem for p in API_SPECS), "field_schema"])
def test_a_named_schema_is_described_as_in_the_openapi_document(spec_path, modules,
                                                                 field_schema_spec):
    """One API, described once: a schema's OpenAPI description is the JSDoc comment of its Zod
    schema (an editor shows it on hover); a schema that is one field is described by it."""
    if spec_path == "field_schema":
        spec_path, module_path = field_schema_spec
    else:
        module_path = modules[spec_path.stem]
    components = _document(spec_path)["components"]["schemas"]
    module = module_path.read_text(encoding="utf-8")
    consts = set(re.findall(r"^export const (\w+) =", module, re.M))
    docs = _jsdocs(module)
    described = {name: c["description"] for name, c in components.items()
                 if name in consts and c.get("description")}
    assert described, spec_path.stem  # every API spec here describes a schema
    for name, description in described.items():
        assert docs.get(name) == description.strip(), name


@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_snapshot(snapshot, spec_path):
    emitter = registry.load("zod")
    assert emitter.run(load_spec(spec_path), emitter.make_options()) == snapshot


@pytest.mark.node
def test_prettier_leaves_the_modules_unchanged(modules):
    result = node_tool("node_modules/prettier/bin/prettier.cjs", "--check",
                       *map(str, modules.values()))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
def test_tsc_strict_type_checks_every_module(modules):
    result = node_tool("tsc-check.mjs", *map(str, modules.values()), "--", "--noUnusedLocals")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
@pytest.mark.parametrize("spec_path", CORPUS_SPECS, ids=[p.stem for p in CORPUS_SPECS])
def test_corpus_verdicts_agree_with_json_schema(spec_path, modules):
    """Valid bodies accepted, bad ones rejected at the corpus's place, and JSON Schema gives
    the same answer; the documented differences are exactly as the corpus says (`zod:`)."""
    document = _document(spec_path)
    cases = corpus_cases(spec_path, document)
    differences = load_corpus(spec_path).get("differences") or []
    targets = [(case.target, case.body) for case in cases]
    targets += [(d.get("schema") or body_component(document, d["operation"]), d["body"])
                for d in differences]
    verdicts = _verdicts(modules[spec_path.stem], targets)
    problems = []
    for case, verdict in zip(cases, verdicts, strict=False):
        if case.valid and not verdict["ok"]:
            problems.append(f"{case.id}: rejected: {verdict}")
        elif not case.valid and verdict["ok"]:
            problems.append(f"{case.id}: accepted")
        elif not verdict["ok"] and case.at is not None and not any(
                tuple(path[:len(case.at)]) == case.at for path in verdict["paths"]):
            problems.append(f"{case.id}: expected an error at {'.'.join(case.at)}: {verdict}")
        if schema_accepts(document, case.target, case.body) != verdict["ok"]:
            problems.append(f"{case.id}: Zod and JSON Schema disagree")
    for difference, verdict in zip(differences, verdicts[len(cases):], strict=True):
        target = difference.get("schema") or body_component(document, difference["operation"])
        openapi_answer = "accept" if schema_accepts(document, target, difference["body"]) \
            else "reject"
        zod_answer = "accept" if verdict["ok"] else "reject"
        assert openapi_answer == difference["openapi"], difference["case"]
        assert zod_answer == difference.get("zod", difference["openapi"]), difference["case"]
    assert not problems, "\n".join(problems)


@pytest.mark.node
@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_contract_bodies_agree_with_json_schema(spec_path, modules):
    """Every body the contract suite sends (valid variants, each rule broken in turn) gets the
    same verdict from Zod as from JSON Schema, but for the rules JSON Schema cannot say
    (duplicate keys in a replaced set, bounds of a decimal sent as a string), which the
    handlers check."""
    spec = load_spec(spec_path)
    document = _document(spec_path)
    cases = []
    for endpoint in spec.api.endpoints:
        if endpoint.body is None:
            continue
        component = body_component(document, endpoint.name)
        for seed in range(2):
            maker = bodies.BodyMaker(spec, endpoint, lambda _m: str(uuid.uuid4()), seed=seed)
            for variant in bodies.VARIANTS:
                cases.append((component, maker.valid(variant), f"{endpoint.name} {variant}"))
            for case in maker.bad():
                beyond_json_schema = case.rule in ("duplicate key", "key above maximum") or (
                    case.rule in ("below minimum", "above maximum") and
                    isinstance(_at(case.body, case.path), str))
                if not beyond_json_schema:  # the rules a handler checks, as test_contract says
                    cases.append((component, case.body, f"{endpoint.name} {case.label}"))
    verdicts = _verdicts(modules[spec_path.stem], [(c, b) for c, b, _ in cases])
    problems = [f"{label}: Zod {'accepts' if verdict['ok'] else 'rejects'}, JSON Schema "
                f"does not: {json.dumps(body)[:200]}"
                for (component, body, label), verdict in zip(cases, verdicts, strict=False)
                if schema_accepts(document, component, body) != verdict["ok"]]
    assert not problems, "\n".join(problems[:30])


ENUM_SPECS = [p for p in API_SPECS if openapi.api_enums(load_spec(p).api)]


@pytest.mark.node
@pytest.mark.parametrize("spec_path", ENUM_SPECS, ids=[p.stem for p in ENUM_SPECS])
def test_each_enum_component_is_one_exported_zod_schema(spec_path, modules):
    """The module docstring: every component of the OpenAPI document, enums included, is an
    exported schema of the same name. Each enum's takes exactly its values, as JSON Schema on
    the document does."""
    document = _document(spec_path)
    enums = {name: schema["enum"] for name, schema in document["components"]["schemas"].items()
             if schema.get("type") == "string" and "enum" in schema}
    cases = [(name, value) for name, values in enums.items()
             for value in [*values, values[0].upper() + "-not-a-value", 1]]
    verdicts = _verdicts(modules[spec_path.stem], cases)
    for (name, value), verdict in zip(cases, verdicts, strict=True):
        assert verdict["ok"] == (value in enums[name]), (name, value, verdict)
        assert schema_accepts(document, name, value) == verdict["ok"], (name, value)


def _blog_with_score(tmp_path: Path, score: str) -> tuple[Path, Path]:
    """blog.yaml with Post.score typed ``score`` and sent by publishPost's body; the spec
    and its Zod module."""
    text = (Path(__file__).parent / "specs" / "blog.yaml").read_text()
    text = text.replace("      score: {type: float, default: 0.0}\n",
                        f"      score: {{{score}, nullable: true}}\n")
    text = text.replace("body: {slug: Post.slug, body: Post.body}",
                        "body: {slug: Post.slug, body: Post.body, score: Post.score}")
    spec = tmp_path / "blog.yaml"
    spec.write_text(text)
    module = tmp_path / "blog.zod.ts"
    generate("zod", spec, module)
    return spec, module


@pytest.mark.node
@pytest.mark.parametrize(("low", "high", "values"), [
    (-1, 5, {"-1.00": True, "-1.01": False, "0.00": True, "5.00": True, "5.01": False}),
    (0, 5, {"0.00": True, "-0.01": False, "4.99": True}),
])
def test_zod_checks_a_decimals_bounds_on_its_text(low, high, values, tmp_path):
    """README: a decimal is a string on the wire; its bounds, which no JSON Schema keyword
    can say of a string, Zod checks on its text: a value at a bound is accepted, one step
    past it refused (a negative text always, when the pattern has no sign)."""
    spec, module = _blog_with_score(
        tmp_path, f"type: decimal, precision: 5, scale: 2, min: {low}, max: {high}")
    component = body_component(_document(spec), "publishPost")
    cases = [(component, {"slug": "a", "body": "x", "score": v}) for v in values]
    verdicts = _verdicts(module, cases)
    assert {v: verdict["ok"] for v, verdict in zip(values, verdicts, strict=True)} == values


@pytest.mark.node
def test_a_decimal_of_no_integer_digits_takes_only_a_zero_before_its_point(tmp_path):
    """README: a decimal is a string on the wire, of at most precision - scale integer digits:
    decimal(4, 4) has none, so its text is 0 or 0.x (up to four digits), and anything else
    (a digit, a number too large, text that is no number) is refused by Zod and by the
    OpenAPI document's pattern alike."""
    spec, module = _blog_with_score(tmp_path, "type: decimal, precision: 4, scale: 4, min: 0")
    document = _document(spec)
    component = body_component(document, "publishPost")
    values = {"0": True, "0.1234": True, "0.12345": False, "1": False, "1.0": False,
              "10": False, "-0.5": False, "10{0,-1}": False}
    bodies = [{"slug": "a", "body": "x", "score": v} for v in values]
    verdicts = _verdicts(module, [(component, body) for body in bodies])
    assert {v: verdict["ok"] for v, verdict in zip(values, verdicts, strict=True)} == values
    assert {v: schema_accepts(document, component, body)
            for v, body in zip(values, bodies, strict=True)} == values
