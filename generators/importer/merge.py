"""``import ... --into spec.yaml``: an imported schema merged into an existing spec, in place.

The database decides the physical facts (tables, columns, types, keys, constraints); the spec
keeps everything else: its comments, its order, its model, field and enum names, relation and
back-reference names, descriptions the database does not hold, ``renamedFrom`` and the whole
``api`` section. Models and fields are matched by their physical table and column names. Read
and written with ruamel.yaml's round-trip mode, which keeps comments and flow styles.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vigilo_gen import naming
from vigilo_gen.errors import UsageError
from vigilo_gen.model import DATETIME_PRECISION, DEFAULT_STRING_LENGTH

# What an import says about a field or a model: replaced by the import's value, or removed
# when the import has none. Every other key is the spec's own and is kept.
FIELD_FACTS = (
    "type",
    "column",
    "primaryKey",
    "enum",
    "maxLength",
    "length",
    "minLength",
    "pattern",
    "min",
    "max",
    "precision",
    "scale",
    "timezone",
    "nullable",
    "default",
    "updatedAt",
    "unique",
    "uniqueName",
    "index",
    "indexName",
    "to",
    "references",
    "onDelete",
    "onUpdate",
    "foreignKeyName",
    "foreignKey",  # the database says whether a reference's FOREIGN KEY exists
    "checkNames",
)
MODEL_FACTS = ("table", "primaryKeyName", "primaryKey", "unique", "indexes")


def _table(name: str, model: dict) -> str:
    return model.get("table") or naming.snake_case(name)


def _column(name: str, field: dict) -> str:
    return field.get("column") or naming.snake_case(name)


def _flow(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        mapping = CommentedMap((k, _flow(v)) for k, v in value.items())
        mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_flow(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    return value


class _Merger:
    def __init__(self, existing: dict, imported: dict, left_out: Sequence[str] = ()):
        self.left_out = set(left_out)
        self.existing = existing
        self.imported = imported
        by_table = {_table(n, m): n for n, m in (existing.get("models") or {}).items()}
        # imported model name -> the spec's name for that table (or the import's, when new)
        self.models = {n: by_table.get(_table(n, m), n) for n, m in imported["models"].items()}
        self.fields: dict[str, dict[str, str]] = {}  # imported model -> imported -> spec field
        for name, model in imported["models"].items():
            old = (existing.get("models") or {}).get(self.models[name]) or {}
            by_column = {_column(f, spec): f for f, spec in (old.get("fields") or {}).items()}
            self.fields[name] = {
                f: by_column.get(_column(f, spec), f) for f, spec in model["fields"].items()
            }
        known = {
            tuple(v if isinstance(v, list) else v.get("values", [])): n
            for n, v in (existing.get("enums") or {}).items()
        }
        self.enums = {n: known.get(tuple(v), n) for n, v in (imported.get("enums") or {}).items()}

    def field_spec(self, model: str, spec: dict) -> dict:
        """An imported field's facts in the spec's names."""
        out = dict(spec)
        if "to" in out:
            target = out["to"]
            out["to"] = self.models[target]
            if "references" in out:
                out["references"] = self.fields[target][out["references"]]
        if "enum" in out:
            out["enum"] = self.enums[out["enum"]]
        return out

    def names(self, model: str, entries: list) -> list:
        fields = self.fields[model]
        return [
            [fields[f] for f in e]
            if isinstance(e, list)
            else {**e, "fields": [fields[f] for f in e["fields"]]}
            for e in entries
        ]

    def merge(self) -> None:
        from ruamel.yaml.comments import CommentedMap

        models = self.existing.setdefault("models", CommentedMap())
        enums = self.imported.get("enums") or {}
        if enums:
            spec_enums = self.existing.setdefault("enums", CommentedMap())
            for name, values in enums.items():
                if self.enums[name] not in spec_enums:
                    spec_enums[self.enums[name]] = _flow(values)
        kept = set()
        for name, model in self.imported["models"].items():
            spec_name = self.models[name]
            kept.add(spec_name)
            target = models.get(spec_name)
            if target is None:
                target = models[spec_name] = CommentedMap()
            self.merge_model(name, spec_name, model, target)
        for gone in [n for n in models if n not in kept]:
            if _table(gone, models[gone]) not in self.left_out:
                del models[gone]  # its table is not in the source

    def merge_model(self, name: str, spec_name: str, model: dict, target: dict) -> None:
        from ruamel.yaml.comments import CommentedMap

        facts = {k: v for k, v in model.items() if k in MODEL_FACTS}
        if "table" in facts or naming.snake_case(spec_name) != _table(name, model):
            facts["table"] = _table(name, model)
        if naming.snake_case(spec_name) == facts.get("table"):
            facts.pop("table")
        for key in ("primaryKey",):
            if key in facts:
                facts[key] = [self.fields[name][f] for f in facts[key]]
        for key in ("unique", "indexes"):
            if key in facts:
                facts[key] = self.names(name, facts[key])
        if model.get("description"):
            facts["description"] = model["description"]
        fields = target.setdefault("fields", CommentedMap())
        wanted = {}
        for field_name, spec in model["fields"].items():
            spec_field = self.fields[name][field_name]
            wanted[spec_field] = self.field_spec(name, spec)
            if naming.snake_case(spec_field) != _column(field_name, spec):
                wanted[spec_field]["column"] = _column(field_name, spec)
            elif "column" in wanted[spec_field]:
                del wanted[spec_field]["column"]
        for field_name in [f for f in fields if f not in wanted]:
            del fields[field_name]
        for field_name, spec in wanted.items():
            current = fields.get(field_name)
            if current is None:
                fields[field_name] = _flow(spec)
                continue
            spec = _kept_relation(current, spec, facts, field_name)
            for key in FIELD_FACTS:
                if key in spec:
                    if current.get(key) != spec[key]:
                        current[key] = _flow(spec[key])
                elif key in current and current[key] != _implied(key, spec):
                    del current[key]
            if spec.get("description"):
                current["description"] = spec["description"]
        for key in (*MODEL_FACTS, "description"):
            if key in facts and target.get(key) == facts[key]:
                continue  # unchanged: its comments and layout stay
            if key in facts:
                target[key] = (
                    _flow(facts[key])
                    if key != "unique" and key != "indexes"
                    else _block(facts[key])
                )
            elif key in target and key != "description":
                del target[key]


# What a database says of a `foreignKey: false` reference's column besides its type (which
# the reference takes from its target's key): these replace the spec's, the rest is kept.
PLAIN_COLUMN_FACTS = ("column", "nullable", "default", "unique", "uniqueName", "indexName")


def _kept_relation(current: dict, spec: dict, facts: dict, field_name: str) -> dict:
    """A spec's ``foreignKey: false`` reference stays one when the database has its column:
    no FOREIGN KEY says it is a relation, so the import reads a plain column (README). Its
    own index is the reference's automatic index; with none, and no key or index leading
    with the column, the reference opts out (``index: false``)."""
    if current.get("type") != "ref" or current.get("foreignKey") is not False:
        return spec
    if spec.get("type") == "ref":
        return spec  # the database has a foreign key now: its facts decide
    out = {"type": "ref", "to": current["to"], "foreignKey": False}
    if "references" in current:
        out["references"] = current["references"]
    out.update((k, spec[k]) for k in PLAIN_COLUMN_FACTS if k in spec)
    leading = {
        (e if isinstance(e, list) else e["fields"])[0]
        for word in ("unique", "indexes")
        for e in facts.get(word) or []
    } | set((facts.get("primaryKey") or [])[:1])
    if not spec.get("index") and not spec.get("unique") and field_name not in leading:
        out["index"] = False
    elif field_name in leading and current.get("index") is False:
        out["index"] = False  # said although implied (a key or index leads with it): kept
    return out


def _implied(key: str, spec: dict) -> Any:
    """What an imported field means by leaving ``key`` out (the format's default), so that a
    spec saying it explicitly keeps saying it."""
    if key == "onDelete":
        return "setNull" if spec.get("nullable") else "cascade"
    if key == "maxLength" and spec.get("type") == "string":
        return DEFAULT_STRING_LENGTH
    if key == "precision" and spec.get("type") == "datetime":
        return DATETIME_PRECISION
    return IMPLIED.get(key, _NOTHING)


_NOTHING = object()
IMPLIED = {
    "nullable": False,
    "unique": False,
    "primaryKey": False,
    "updatedAt": False,
    "timezone": True,
    "foreignKey": True,
}


def _block(entries: list) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    return CommentedSeq(_flow(e) for e in entries)


def merge_into(path: Path, doc: dict[str, Any], left_out: Sequence[str] = ()) -> str:
    """The text of ``path``'s spec with ``doc`` (an imported spec) merged into it; a model of
    a table in ``left_out`` (in the source, but not importable) stays as the spec has it."""
    try:
        from ruamel.yaml import YAML
    except ImportError:
        raise UsageError(
            "--into keeps the spec's comments with ruamel.yaml, which is not "
            "installed (pip install 'vigilo-gen[import]')"
        ) from None
    yaml = YAML()
    yaml.preserve_quotes = True
    # A flow mapping the merge rewrites goes on one line: ruamel.yaml cannot keep a hand
    # wrapping inside it, and its own wrapping splits "key: value" pairs.
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)  # "  key:" then "    - item"
    try:
        existing = yaml.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except Exception as exc:  # a YAML error: the spec's own file, said with its place
        raise UsageError(f"{path}: not a YAML spec: {' '.join(str(exc).split())}") from None
    if not isinstance(existing, dict):
        raise UsageError(f"{path}: not a spec (a YAML mapping is expected)")
    _Merger(existing, doc, left_out).merge()
    out = io.StringIO()
    yaml.dump(existing, out)
    return out.getvalue()
