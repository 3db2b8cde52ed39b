"""Independent oracles: what a spec's database must hold, computed from the spec's YAML *text*
by the rules the README documents, never from the Spec model that generators/build.py builds.

A bug in build.py or naming.py moves the Spec model and every output with it; these
expectations stay where the documentation puts them, so a behavioural test fails.

The rules, as the README words them ("The spec format", "Names"):

- physical names are snake_case unless ``table:``/``column:`` says otherwise;
- constraint names: ``{table}_pkey``, ``{table}_{cols}_key``, ``{table}_{cols}_idx``,
  ``{table}_{col}_fkey``, ``{table}_{col}_{kind}_check`` (kinds: ``enum`` for an enum field,
  ``range`` for ``min``/``max``, ``length`` for ``minLength``, ``pattern`` for ``pattern``);
- a field is required (NOT NULL in the database, a required property in the API) unless it says
  ``nullable: true``; a default does not make it nullable; ``type: id`` or ``primaryKey:
  true`` is the primary key;
- ``onDelete: cascade|setNull|restrict|noAction``. Left out, it is ``setNull`` for a nullable
  ref and ``cascade`` for a required one (the rule generators/build.py documents in its code;
  the README does not say it yet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
EDGES_SPEC = HERE / "edges.yaml"

ON_DELETE_SQL = {"cascade": "CASCADE", "setNull": "SET NULL", "restrict": "RESTRICT",
                 "noAction": "NO ACTION"}


def snake(name: str) -> str:
    """snake_case as a reader of the README would write it: a word starts at each capital
    (a run of capitals is one word: ``HTTPServer`` -> ``http_server``)."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+|_", name)
    out = "_".join(w.lower() for w in words if w != "_")
    return out if "_" not in name else name.lower()


@dataclass(frozen=True)
class FieldText:
    name: str
    column: str
    type: str
    raw: dict

    @property
    def nullable(self) -> bool:
        return self.raw.get("nullable") is True

    @property
    def check_kinds(self) -> list[str]:
        kinds = []
        if self.type == "enum":
            kinds.append("enum")
        if "min" in self.raw or "max" in self.raw:
            kinds.append("range")
        if "minLength" in self.raw:
            kinds.append("length")
        if "pattern" in self.raw:
            kinds.append("pattern")
        return kinds

    @property
    def on_delete(self) -> str:
        written = self.raw.get("onDelete")
        if written is None:
            written = "setNull" if self.nullable else "cascade"
        return ON_DELETE_SQL[written]


@dataclass(frozen=True)
class ModelText:
    name: str
    table: str
    fields: list[FieldText]
    raw: dict

    def field(self, name: str) -> FieldText:
        return next(f for f in self.fields if f.name == name)

    def columns(self, names: list[str]) -> list[str]:
        return [self.field(n).column for n in names]


def read(spec_path: Path) -> dict[str, ModelText]:
    """The models of a spec, read with plain PyYAML (the BaseLoader: every scalar stays the
    text written, so ``on:``/``yes:`` keys keep their names as the README promises)."""
    document = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    models = {}
    for name, raw in document["models"].items():
        fields = []
        for fname, fraw in raw["fields"].items():
            fraw = {k: _scalar(v) for k, v in fraw.items()}
            fields.append(FieldText(fname, fraw.get("column") or snake(fname), fraw["type"],
                                    fraw))
        models[name] = ModelText(name, raw.get("table") or snake(name), fields, raw)
    return models


def _scalar(value):
    if value in ("true", "false"):
        return value == "true"
    return value


def _is_key(f: FieldText) -> bool:
    """README: an id field, or a field that says ``primaryKey: true``."""
    return f.type == "id" or f.raw.get("primaryKey") is True


def _key(model: ModelText) -> list[FieldText]:
    """README: the model's ``primaryKey: [a, b]`` in its order, else its key field."""
    if "primaryKey" in model.raw:
        return [model.field(n) for n in model.raw["primaryKey"]]
    return [f for f in model.fields if _is_key(f)]


def expected_database(spec_path: Path) -> dict[str, dict]:
    """table -> what the README says the database holds: columns (nullable), primary key,
    uniques (columns -> name), indexes (name -> columns), foreign keys (column -> name,
    references, on_delete) and the names of the CHECK constraints."""
    models = read(spec_path)
    out = {}
    for model in models.values():
        t = model.table
        pk = _key(model)
        uniques, indexes, fks, checks = {}, {}, {}, set()
        for f in model.fields:
            if f.raw.get("unique") is True:
                uniques[f.column] = f.raw.get("uniqueName") or f"{t}_{f.column}_key"
            if f.raw.get("index") is True:
                indexes[f.raw.get("indexName") or f"{t}_{f.column}_idx"] = f.column
            # README: `foreignKey: false` keeps the column and its index, no FOREIGN KEY.
            if f.type == "ref" and f.raw.get("foreignKey") is not False:
                target = models[f.raw["to"]]
                target_pk = target.field(f.raw["references"]) if "references" in f.raw \
                    else _key(target)[0]
                fks[f.column] = {"name": f.raw.get("foreignKeyName") or f"{t}_{f.column}_fkey",
                                 "references": f"{target.table}({target_pk.column})",
                                 "on_delete": f.on_delete}
            named = f.raw.get("checkNames") or {}
            checks.update(named.get(kind) or f"{t}_{f.column}_{kind}_check"
                          for kind in f.check_kinds)
        # README: a group is [a, b], or {fields: [a, b], name: x}.
        for group in model.raw.get("unique", []):
            cols = model.columns(group["fields"] if isinstance(group, dict) else group)
            uniques[", ".join(cols)] = (isinstance(group, dict) and group.get("name")) or \
                f"{t}_{'_'.join(cols)}_key"
        for group in model.raw.get("indexes", []):
            cols = model.columns(group["fields"] if isinstance(group, dict) else group)
            indexes[(isinstance(group, dict) and group.get("name")) or
                    f"{t}_{'_'.join(cols)}_idx"] = ", ".join(cols)
        # README: a ref field is indexed unless a key or index already starts with its
        # column; `index: false` opts out.
        leading = {cols.split(", ")[0] for cols in [*uniques, *indexes.values()]} | \
            {pk[0].column}
        for f in model.fields:
            if f.type == "ref" and f.raw.get("index") is not False and f.column not in leading:
                indexes[f.raw.get("indexName") or f"{t}_{f.column}_idx"] = f.column
        # README: a relation of several fields (`relations:`) is FOREIGN KEY (a, b) to the
        # target's composite key or the unique `references:` names, named
        # {table}_{columns}_fkey, and its columns are indexed as a ref's column is (unless a
        # key, unique or index already starts with them).
        for rel in (model.raw.get("relations") or {}).values():
            cols = model.columns(rel["fields"])
            joined = ", ".join(cols)
            if rel.get("foreignKey") != "false":
                target = models[rel["to"]]
                referenced = target.columns(rel["references"]) if "references" in rel \
                    else [f.column for f in _key(target)]
                nullable = model.field(rel["fields"][0]).nullable
                fks[joined] = {
                    "name": rel.get("foreignKeyName") or f"{t}_{'_'.join(cols)}_fkey",
                    "references": f"{target.table}({', '.join(referenced)})",
                    "on_delete": ON_DELETE_SQL[rel.get("onDelete")
                                               or ("setNull" if nullable else "cascade")]}
            starts = [c for c in [*uniques, *indexes.values(), ", ".join(f.column for f in pk)]
                      if c == joined or c.startswith(joined + ", ")]
            if rel.get("index") != "false" and not starts:
                indexes[rel.get("indexName") or f"{t}_{'_'.join(cols)}_idx"] = joined
        out[t] = {
            "columns": {f.column: {"nullable": f.nullable and f not in pk}
                        for f in model.fields},
            "primary key": {"columns": ", ".join(f.column for f in pk),
                            "name": model.raw.get("primaryKeyName") or f"{t}_pkey"},
            "uniques": uniques,
            "indexes": indexes,
            "foreign keys": fks,
            "checks": checks,
        }
    return out
