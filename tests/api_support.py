"""Helpers shared by the openapi and pydantic tests: the API corpus and JSON Schema validation
of a value against one component of a generated OpenAPI document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.support import ROOT

CORPUS_DIR = ROOT / "tests" / "api_corpus"
SCHEMA_PREFIX = "#/components/schemas/"


@dataclass(frozen=True)
class Case:
    """One body and the answer both targets must give for it."""

    target: str  # component name of the schema the body is checked against
    label: str  # operationId or component name, as keyed in the corpus
    case: str
    body: Any
    valid: bool
    at: tuple[str, ...] | None = None  # where Pydantic must report the problem

    @property
    def id(self) -> str:
        return f"{self.label}:{'ok' if self.valid else 'bad'}:{self.case}"


def corpus_path(spec_path: Path) -> Path:
    return CORPUS_DIR / f"{spec_path.stem}.yaml"


def _expand(value: Any) -> Any:
    """``{$repeat: X, times: N}`` -> ``X * N`` (long strings and lists, written briefly)."""
    if isinstance(value, dict):
        if set(value) == {"$repeat", "times"}:
            return _expand(value["$repeat"]) * value["times"]
        return {key: _expand(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item) for item in value]
    return value


def load_corpus(spec_path: Path) -> dict[str, Any]:
    path = corpus_path(spec_path)
    if not path.exists():
        return {}
    return _expand(yaml.safe_load(path.read_text(encoding="utf-8")))


def body_component(document: dict[str, Any], operation_id: str) -> str:
    """The component name of an operation's request body, read from the document."""
    for item in document["paths"].values():
        for operation in item.values():
            if operation.get("operationId") == operation_id:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.startswith(SCHEMA_PREFIX)
                return ref[len(SCHEMA_PREFIX):]
    raise KeyError(f"no operation {operation_id!r} in the document")


def _at(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return tuple(str(part) for part in value)
    return tuple(str(value).split("."))


def corpus_cases(spec_path: Path, document: dict[str, Any]) -> list[Case]:
    corpus = load_corpus(spec_path)
    cases: list[Case] = []
    groups = [(label, body_component(document, label), entry)
              for label, entry in (corpus.get("bodies") or {}).items()]
    groups += [(label, label, entry) for label, entry in (corpus.get("schemas") or {}).items()]
    for label, target, entry in groups:
        for i, body in enumerate(entry.get("valid") or []):
            cases.append(Case(target, label, f"valid #{i + 1}", body, True))
        for bad in entry.get("invalid") or []:
            cases.append(Case(target, label, bad["case"], bad["body"], False, _at(bad.get("at"))))
    return cases


def component_validator(document: dict[str, Any], name: str) -> jsonschema.Validator:
    """A JSON Schema 2020-12 validator (formats asserted) for one component schema; its
    ``#/components/...`` references resolve inside the same document."""
    assert name in document["components"]["schemas"], name
    schema = {"$ref": SCHEMA_PREFIX + name, "components": document["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_accepts(document: dict[str, Any], name: str, body: Any) -> bool:
    # Through JSON text, as a server would receive it.
    return component_validator(document, name).is_valid(json.loads(json.dumps(body)))
