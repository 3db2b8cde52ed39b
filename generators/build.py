"""Semantic checks and the construction of the Spec model from schema-valid data.

The JSON Schema (``spec/vigilo-spec.schema.json``) has already checked the document's shape;
here we check what a schema cannot: references between models, enums and fields, defaults
against their own field's rules, physical-name collisions, and the API's references. Every
problem is collected (not just the first) and reported with the position it came from.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import re
from collections import defaultdict
from typing import Any

from . import composite, many_to_many, naming
from .dialects import SQL_DIALECTS
from .errors import Diagnostic, SpecError, did_you_mean
from .model import (
    DATETIME_PRECISION,
    DEFAULT_DECIMAL,
    DEFAULT_ENUM_LENGTH,
    DEFAULT_STRING_LENGTH,
    ID_LENGTH,
    INT_BOUNDS,
    MAX_DATETIME_PRECISION,
    NEW_UUID,
    NOW,
    Api,
    Backref,
    Check,
    CheckKind,
    Endpoint,
    Enum,
    Field,
    FieldShape,
    FieldType,
    Index,
    ListShape,
    MapShape,
    Model,
    NamedSchema,
    ObjectShape,
    OnDelete,
    Reference,
    Rename,
    SchemaRef,
    Shape,
    Spec,
    SqlDefault,
    Unique,
)
from .plan import creatable, plan
from .yamlsource import SourceMap

T = FieldType

# Which field options each type accepts, beyond the ones every type accepts. A table, so that
# adding a type is one line here plus one line in each emitter's type map.
COMMON_OPTIONS = {"type", "description", "column", "nullable", "default", "unique", "index",
                  "uniqueName", "indexName", "checkNames", "renamedFrom"}
TYPE_OPTIONS: dict[FieldType, set[str]] = {
    T.ID: {"generate"},
    T.STRING: {"maxLength", "minLength", "pattern", "length"},
    T.TEXT: {"minLength", "pattern"},
    T.INT: {"min", "max"},
    T.BIGINT: {"min", "max"},
    T.FLOAT: {"min", "max"},
    T.DECIMAL: {"min", "max", "precision", "scale"},
    T.BOOL: set(),
    T.DATE: set(),
    T.DATETIME: {"updatedAt", "precision", "timezone"},
    T.ENUM: {"enum", "maxLength"},
    T.REF: {"to", "onDelete", "relation", "backref", "references", "onUpdate",
            "foreignKeyName", "foreignKey"},
    T.JSON: set(),
    T.UUID: set(),
    T.BYTES: set(),
}
# Options an id field refuses although they are common: a primary key is always unique,
# indexed, non-null and generated.
ID_REFUSES = {"nullable", "default", "unique", "index"}
# Types a field of may be the model's primary key with `primaryKey: true` (an id field always
# is): integer keys (often generated: `default: autoincrement`), natural string keys, and
# native uuids (given by the application, or `default: uuid` from the database).
KEY_TYPES = {T.INT, T.BIGINT, T.STRING, T.UUID}
# Types whose key the database generates (`default: autoincrement`: an identity column).
IDENTITY_TYPES = {T.INT, T.BIGINT}
# What a `primaryKey: true` field refuses: a primary key is never null, always unique and
# indexed.
KEY_REFUSES = ("nullable", "unique", "index")
AUTOINCREMENT = "autoincrement"
# Types a field of a composite key (`primaryKey: [a, b]` on the model) may have.
COMPOSITE_KEY_TYPES = {T.INT, T.BIGINT, T.STRING, T.ENUM, T.DATE, T.REF, T.UUID}

# Common options other types refuse: a JSON or binary column is in no key or index (MySQL
# cannot index one without a prefix length), and takes no literal default.
TYPE_REFUSES: dict[FieldType, set[str]] = {
    T.ID: ID_REFUSES,
    T.JSON: {"unique", "index", "default", "uniqueName", "indexName", "checkNames"},
    T.BYTES: {"unique", "index", "default", "uniqueName", "indexName", "checkNames"},
}


# Types a key or index cannot cover on every database (MySQL indexes no unbounded TEXT,
# BLOB or JSON column without a prefix length), and what to say instead.
UNINDEXABLE = {T.TEXT: "unbounded text", T.JSON: "a JSON column", T.BYTES: "a BLOB column"}
UNINDEXABLE_HINT = {T.TEXT: "use type: string with maxLength",
                    T.JSON: "index a field that holds the value you look up",
                    T.BYTES: "index a field that holds a hash of the bytes"}


# The options each type accepts, computed once (not per field).
_ALLOWED: dict[FieldType, frozenset[str]] = {
    t: frozenset((COMMON_OPTIONS | TYPE_OPTIONS[t]
                  | ({"primaryKey"} if t in KEY_TYPES else set()))
                 - TYPE_REFUSES.get(t, set()))
    for t in FieldType
}
_FIELD_TYPES = {t.value: t for t in FieldType}
# The Python types a literal default of each type may have.
_DEFAULT_TYPES = {
    T.STRING: str, T.TEXT: str, T.ENUM: str, T.BOOL: bool, T.INT: int, T.BIGINT: int,
    T.FLOAT: (int, float), T.DECIMAL: (int, float),
}


class _Builder:
    def __init__(self, data: dict[str, Any], source: SourceMap):
        self.data = data
        self.source = source
        self.errors: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------------------------

    def error(self, path: tuple, message: str, hint: str | None = None, *, at_key=False) -> None:
        self.errors.append(self.source.error(path, message, hint, at_key=at_key))

    # -- enums -------------------------------------------------------------------------------

    def enums(self) -> dict[str, Enum]:
        result = {}
        for name, raw in sorted((self.data.get("enums") or {}).items()):
            values = raw if isinstance(raw, list) else raw["values"]
            description = None if isinstance(raw, list) else raw.get("description")
            values_path = ("enums", name) if isinstance(raw, list) else ("enums", name, "values")
            seen: set[str] = set()
            for i, value in enumerate(values):
                if value in seen:
                    self.error((*values_path, i), f"enum {name} lists '{value}' twice")
                seen.add(value)
            result[name] = Enum(name, tuple(values), description,
                                self.source.key(("enums", name)), naming.snake_case(name))
        return result

    # -- models ------------------------------------------------------------------------------

    def build(self) -> Spec:
        enums = self.enums()
        raw_models: dict[str, dict] = self.data["models"]
        tables = self._tables(raw_models)
        # An enum's database type (Prisma's native enums on PostgreSQL) lives in the same
        # namespace as tables (each table has a row type of its name): never the same name.
        taken = {table.lower() for table in tables.values()}
        for name, enum in enums.items():
            physical = enum.physical
            while physical.lower() in taken:
                physical += "_enum"
            taken.add(physical.lower())
            enums[name] = dataclasses.replace(enum, physical=physical)
        pk_columns = {}
        self.key_names: dict[str, str] = {}  # model -> its key field (a single-field key)
        self.composite_keys: dict[str, tuple[str, ...]] = {}  # model -> `primaryKey: [a, b]`
        for name, raw in raw_models.items():
            ids = [f for f, spec in raw["fields"].items() if _is_key(spec)]
            if "primaryKey" in raw:
                self._composite_key(name, raw, ids)
                continue
            if not ids:
                self.error(("models", name), f"model {name} has no primary key",
                           "add 'id: {type: id}', or 'primaryKey: true' on an int, bigint, "
                           "string or uuid field", at_key=True)
            elif len(ids) > 1:
                what = "id field" if all(raw["fields"][f]["type"] == "id" for f in ids) \
                    else "primary key field"
                self.error(("models", name, "fields", ids[1]),
                           f"model {name} has more than one {what} ({', '.join(ids)})",
                           at_key=True)
            if ids:
                spec = raw["fields"][ids[0]]
                pk_columns[name] = spec.get("column") or naming.snake_case(ids[0])
                self.key_names[name] = ids[0]
        order = self._dependency_order(raw_models)
        relations = self._relations(raw_models, tables)
        backrefs: dict[str, list[Backref]] = defaultdict(list)
        for rel in relations.values():
            backrefs[rel["target"]].append(rel["backref_obj"])
        models = []
        for name in order:
            models.append(self._model(name, raw_models[name], tables, pk_columns, enums,
                                      relations, sorted(backrefs.get(name, []),
                                                        key=lambda b: (b.source_model,
                                                                       b.source_field))))
        models = composite.resolve(self, raw_models, models)  # ``relations:`` (several fields)
        models = many_to_many.resolve(self, raw_models, models)
        self._unique_physical_names(models)
        self._rename_collisions("model", models, lambda m: ("models", m.name))
        api = self._api(models, enums) if "api" in self.data else None
        if self.errors:
            raise SpecError(self.errors)
        return Spec(
            name=self.data.get("name") or "schema",
            title=self.data.get("title") or upper_words(self.data.get("name") or "schema"),
            description=self.data.get("description"),
            api_version=str(self.data.get("apiVersion") or "1.0.0"),
            enums=tuple(enums[n] for n in sorted(enums)),
            models=tuple(models),
            api=api,
            source_name="",
            source_hash="",
        )

    def _composite_key(self, name: str, raw: dict, ids: list[str]) -> None:
        """``primaryKey: [a, b]``: a key of several fields (join tables, versioned rows)."""
        names = raw["primaryKey"]
        path = ("models", name, "primaryKey")
        if ids:
            self.error(("models", name, "fields", ids[0]), f"model {name} has both a key "
                       f"field ({ids[0]}) and primaryKey: [{', '.join(names)}]",
                       "keep one of them", at_key=True)
            return
        if len(set(names)) != len(names):
            self.error(path, "primaryKey lists a field twice")
            return
        ok = True
        for i, field_name in enumerate(names):
            spec = raw["fields"].get(field_name)
            if spec is None:
                self.error((*path, i), f"primaryKey names unknown field '{field_name}' of "
                           f"model {name}", did_you_mean(field_name, raw["fields"]))
                ok = False
            elif _FIELD_TYPES.get(spec["type"]) not in COMPOSITE_KEY_TYPES:
                self.error((*path, i), f"{spec['type']} field '{field_name}' cannot be part "
                           "of a primary key", "key fields are int, bigint, string, enum, "
                           "date or ref fields")
                ok = False
        if ok:
            self.composite_keys[name] = tuple(names)

    def _tables(self, raw_models: dict[str, dict]) -> dict[str, str]:
        tables: dict[str, str] = {}
        seen: dict[str, str] = {}
        for name in sorted(raw_models):
            table = raw_models[name].get("table") or naming.snake_case(name)
            tables[name] = table
            if table.lower() in seen:
                explicit = "table" in raw_models[name]
                where = ("models", name, "table") if explicit else ("models", name)
                self.error(where, f"models {seen[table.lower()]} and {name} both map to table "
                                  f"'{table}'", "set 'table:' on one of them",
                           at_key="table" not in raw_models[name])
            seen[table.lower()] = name
        return tables

    def _dependency_order(self, raw_models: dict[str, dict]) -> list[str]:
        """Models sorted so that each comes after the models it references; ties by name.

        Spec order of models carries no meaning, so the output does not depend on it. A cycle
        between different models cannot be created table by table, so it is refused.
        """
        deps: dict[str, set[str]] = {name: set() for name in raw_models}
        for name, raw in raw_models.items():
            for spec in raw["fields"].values():
                target = spec.get("to")
                if spec["type"] == "ref" and target in raw_models and target != name:
                    deps[name].add(target)
            deps[name] |= {t for t in composite.targets(raw) if t in raw_models and t != name}
        dependents: dict[str, set[str]] = defaultdict(set)
        for name, targets in deps.items():
            for target in targets:
                dependents[target].add(name)
        waiting = {name: len(targets) for name, targets in deps.items()}
        ready = [name for name, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            name = heapq.heappop(ready)
            order.append(name)
            for dependent in dependents[name]:
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    heapq.heappush(ready, dependent)
        if len(order) < len(raw_models):
            stuck = sorted(set(raw_models) - set(order))
            self.error(("models", stuck[0]),
                       "reference cycle between models " + ", ".join(stuck),
                       "break the cycle: a model may reference itself, but models cannot "
                       "reference each other in a loop", at_key=True)
            order.extend(stuck)
        return order

    def _relations(self, raw_models: dict[str, dict], tables: dict[str, str]) -> dict:
        """Resolve every ref field's relation and back-reference names, once."""
        pairs: dict[frozenset, int] = defaultdict(int)
        for name, raw in raw_models.items():
            for spec in raw["fields"].values():
                if spec["type"] == "ref" and spec.get("to") in raw_models:
                    pairs[frozenset((name, spec["to"]))] += 1
        relations = {}
        for name in sorted(raw_models):
            raw = raw_models[name]
            for field_name, spec in raw["fields"].items():
                path = ("models", name, "fields", field_name)
                if spec["type"] != "ref":
                    continue
                target = spec.get("to")
                if target is None:
                    self.error(path, f"ref field {name}.{field_name} needs 'to: <Model>'",
                               at_key=True)
                    continue
                if target not in raw_models:
                    self.error((*path, "to"), f"unknown model '{target}'",
                               did_you_mean(target, raw_models))
                    continue
                one_to_one = bool(spec.get("unique"))
                relation = spec.get("relation") or naming.relation_name(field_name)
                ambiguous = target == name or pairs[frozenset((name, target))] > 1
                default_backref = naming.lower_camel(name)
                if not one_to_one:
                    default_backref = naming.plural(default_backref)
                if ambiguous:
                    default_backref += naming.upper_camel(relation)
                backref = spec.get("backref") or default_backref
                # Without a foreign key the database takes no action (none may be said).
                on_delete = OnDelete(spec.get("onDelete") or (
                    "noAction" if spec.get("foreignKey") is False
                    else "setNull" if spec.get("nullable") else "cascade"))
                rel_name = f"{name}_{field_name}"
                relations[(name, field_name)] = {
                    "target": target,
                    "relation": relation,
                    "backref": backref,
                    "one_to_one": one_to_one,
                    "ambiguous": ambiguous,
                    "on_delete": on_delete,
                    "name": rel_name,
                    "backref_obj": Backref(
                        name=backref, attr=naming.snake_case(backref), source_model=name,
                        source_field=field_name, one_to_one=one_to_one,
                        relation_name=rel_name, ambiguous=ambiguous, on_delete=on_delete),
                }
        return relations

    def _model(self, name, raw, tables, pk_columns, enums, relations, backrefs) -> Model:
        table = tables[name]
        fields: list[Field] = []
        uniques: list[Unique] = []
        indexes: list[Index] = []
        checks: list[Check] = []
        attributes: dict[str, tuple] = {}  # ORM attribute name -> where it is defined

        def claim(attribute: str, path: tuple, what: str):
            other = attributes.get(attribute)
            if other is not None:
                self.error(path, f"{what} '{attribute}' of model {name} collides with "
                                 f"{other[1]}", "rename one of them (relation:/backref:)")
            else:
                attributes[attribute] = (path, what)

        for field_name, spec in raw["fields"].items():
            path = ("models", name, "fields", field_name)
            field = self._field(name, table, field_name, spec, path, tables, pk_columns, enums,
                                relations)
            if field is None:
                continue
            claim(field.name, path, "field")
            if field.reference:
                claim(field.reference.relation, (*path, "relation"), "relation")
            fields.append(field)
            if field.unique_constraint:
                uniques.append(Unique(field.unique_constraint, (field.name,), (field.column,)))
            if field.index:
                indexes.append(Index(field.index, (field.name,), (field.column,)))
            checks.extend(self._checks(name, table, field))
        for backref in backrefs:
            claim(backref.name, ("models", backref.source_model, "fields", backref.source_field),
                  f"back-reference from {backref.source_model}.{backref.source_field}")
        by_name = {f.name: f for f in fields}
        for key, kind in (("unique", "unique"), ("indexes", "index")):
            for i, entry in enumerate(raw.get(key) or []):
                path = ("models", name, key, i)
                names, explicit = _group(entry)
                fields_path = path if isinstance(entry, list) else (*path, "fields")
                resolved = []
                for j, field_name in enumerate(names):
                    if field_name not in by_name:
                        if field_name not in raw["fields"]:
                            self.error((*fields_path, j), f"{kind} names unknown field "
                                       f"'{field_name}' of model {name}",
                                       did_you_mean(field_name, raw["fields"]))
                        continue
                    resolved.append(by_name[field_name])
                if len(set(names)) != len(names):
                    self.error(path, f"{kind} lists a field twice")
                if len(resolved) != len(names):
                    continue
                for field in resolved:
                    if field.type in UNINDEXABLE:
                        self.error(path, f"{kind} on {field.type.value} field '{field.name}': "
                                   f"MySQL cannot index {UNINDEXABLE[field.type]}",
                                   UNINDEXABLE_HINT[field.type])
                columns = tuple(f.column for f in resolved)
                field_names = tuple(f.name for f in resolved)
                if kind == "unique":
                    uniques.append(Unique(explicit or naming.constraint_name(table, columns,
                                                                             "key"),
                                          field_names, columns))
                else:
                    indexes.append(Index(explicit or naming.constraint_name(table, columns,
                                                                            "idx"),
                                         field_names, columns))
        self._rename_collisions("field", fields, lambda f: ("models", name, "fields", f.name))
        by_name = {f.name: f for f in fields}
        composite = self.composite_keys.get(name, ())
        key = tuple(by_name[n] for n in composite if n in by_name) if composite else \
            tuple(f for f in fields if f.primary_key)[:1]
        indexes = self._foreign_key_indexes(table, fields, raw["fields"], uniques, indexes,
                                            key)
        pk = key[0] if key else None
        if pk is None:  # already reported; keep going with a placeholder to find more errors
            pk = fields[0] if fields else None
        return Model(
            name=name, table=table, description=raw.get("description"), fields=tuple(fields),
            primary_key=pk, pk_constraint=raw.get("primaryKeyName")
            or naming.constraint_name(table, (), "pkey"),
            uniques=tuple(uniques), indexes=tuple(indexes), checks=tuple(checks),
            backrefs=tuple(backrefs), position=self.source.key(("models", name)),
            key=key or ((pk,) if pk is not None else ()),
            renamed_from=self._rename(("models", name), raw),
        )

    def _rename(self, path: tuple, raw: dict) -> Rename | None:
        old = raw.get("renamedFrom")
        if old is None:
            return None
        return Rename(old, self.source.value((*path, "renamedFrom")))

    def _rename_collisions(self, what: str, items, path_of) -> None:
        """A ``renamedFrom`` must name something that no longer exists under that name, and
        two items cannot both come from it: otherwise the migration could not tell which row
        data goes where (whether the old name exists in the old spec is checked by diff)."""
        names = {item.name for item in items}
        claimed: dict[str, str] = {}
        for item in items:
            rename = item.renamed_from
            if rename is None:
                continue
            where = (*path_of(item), "renamedFrom")
            if rename.name == item.name:
                self.error(where, f"{what} {item.name} is renamed from itself")
            elif rename.name in names:
                self.error(where, f"{what} {item.name} is renamed from '{rename.name}', which "
                                  f"is still a {what} of the spec",
                           f"rename or remove {what} {rename.name} too")
            elif rename.name in claimed:
                self.error(where, f"{what}s {claimed[rename.name]} and {item.name} are both "
                                  f"renamed from '{rename.name}'")
            else:
                claimed[rename.name] = item.name

    @staticmethod
    def _foreign_key_indexes(table, fields, raw_fields, uniques, indexes, key) -> list[Index]:
        """An index on every foreign key column that no key or index already leads with:
        without one, deleting a referenced row (ON DELETE CASCADE / SET NULL, or the check
        that nothing still refers to it) scans the whole referencing table. ``index: false``
        on the field opts out. The index comes right after the field's own indexes, in field
        order, so adding one never renames or reorders another."""
        leading = {c.columns[0] for c in (*uniques, *indexes)} | {key[0].column for _ in key[:1]}
        added = [
            Index(raw_fields[f.name].get("indexName")
                  or naming.constraint_name(table, (f.column,), "idx"), (f.name,), (f.column,))
            for f in fields
            if f.reference is not None and f.column not in leading
            and raw_fields[f.name].get("index", True) is not False
        ]
        if not added:
            return indexes
        own = {f.index for f in fields if f.index}  # `index: true`, listed in field order
        order = {f.column: n for n, f in enumerate(fields)}
        merged = sorted([*(i for i in indexes if i.name in own), *added],
                        key=lambda i: order[i.columns[0]])
        return merged + [i for i in indexes if i.name not in own]

    def _field(self, model, table, name, spec, path, tables, pk_columns, enums, relations):
        ftype = _FIELD_TYPES.get(spec["type"]) or FieldType(spec["type"])
        allowed = _ALLOWED[ftype]
        ok = True
        for option in spec:
            if option not in allowed:
                # renamedFrom is history, not an option of the type: not listed.
                accepts = sorted(o for o in allowed if o not in ("type", "renamedFrom"))
                self.error((*path, option), f"option '{option}' does not apply to "
                           f"{_a(ftype)} field", f"{ftype.value} fields accept: "
                           + ", ".join(accepts), at_key=True)
                ok = False
        if not ok:
            return None
        column = spec.get("column") or naming.snake_case(name)
        nullable = bool(spec.get("nullable", False))
        enum = None
        if ftype is T.ENUM:
            enum_name = spec.get("enum")
            if enum_name is None:
                self.error(path, f"enum field {model}.{name} needs 'enum: <Enum>'", at_key=True)
                return None
            if enum_name not in enums:
                self.error((*path, "enum"), f"unknown enum '{enum_name}'",
                           did_you_mean(enum_name, enums))
                return None
            enum = enums[enum_name]
        reference = None
        if ftype is T.REF:
            rel = relations.get((model, name))
            if rel is None:
                return None  # reported while resolving relations
            target = rel["target"]
            found = self._referenced(model, name, spec, path, target)
            if found is None:
                return None
            target_field, key_spec = found
            key_type = T.REF if key_spec["type"] == "id" else FieldType(key_spec["type"])
            for word in ("onDelete", "onUpdate", "foreignKeyName"):
                if spec.get("foreignKey") is False and word in spec:
                    self.error((*path, word), f"{word} needs a foreign key: with foreignKey: "
                               "false the database has none", f"remove {word} or "
                               "foreignKey: false", at_key=True)
            for word in ("onDelete", "onUpdate"):
                if spec.get(word) == "setNull" and not nullable:
                    self.error((*path, word), f"{word}: setNull needs a nullable field",
                               "add 'nullable: true'")
            if target == model and not nullable:
                self.error(path, f"required self-reference {model}.{name} can never be "
                                 "satisfied by the first row", "add 'nullable: true'",
                           at_key=True)
            reference = Reference(
                target=target, target_table=tables[target],
                target_column=key_spec.get("column") or naming.snake_case(target_field),
                on_delete=rel["on_delete"], relation=rel["relation"],
                relation_attr=naming.snake_case(rel["relation"]), backref=rel["backref"],
                backref_attr=naming.snake_case(rel["backref"]), one_to_one=rel["one_to_one"],
                name=rel["name"], ambiguous=rel["ambiguous"],
                constraint=spec.get("foreignKeyName")
                or naming.constraint_name(table, (column,), "fkey"),
                key_type=key_type, target_field=target_field,
                to_key=target_field == self.key_names.get(target),
                on_update=OnDelete(spec["onUpdate"]) if "onUpdate" in spec else None,
                foreign_key=spec.get("foreignKey", True),
            )
        max_length = spec.get("maxLength")
        fixed_length = "length" in spec  # CHAR(n): max_length is n
        if fixed_length and "maxLength" in spec:
            self.error((*path, "length"), "length and maxLength both say a length",
                       "length: n is CHAR(n), maxLength: n VARCHAR(n): keep one", at_key=True)
        if fixed_length:
            max_length = spec["length"]
        if ftype is T.STRING and max_length is None:
            max_length = DEFAULT_STRING_LENGTH
        if ftype is T.ENUM:
            longest = max(len(v) for v in enum.values)
            if max_length is None:
                max_length = max(DEFAULT_ENUM_LENGTH, longest)
            elif longest > max_length:
                self.error((*path, "maxLength"), f"enum {enum.name} has a value of "
                           f"{longest} characters, longer than maxLength {max_length}")
        if ftype is T.ID or reference is not None and reference.key_type is T.REF:
            max_length = ID_LENGTH
        elif reference is not None:  # a ref holds the values of the key it references
            fixed_length = reference.key_type is T.STRING and "length" in key_spec
            max_length = (key_spec.get("length") or key_spec.get("maxLength",
                                                                 DEFAULT_STRING_LENGTH)
                          if reference.key_type is T.STRING else None)
        min_length = spec.get("minLength")
        if min_length is not None and max_length is not None and min_length > max_length:
            self.error((*path, "minLength"), f"minLength {min_length} is above maxLength "
                                              f"{max_length}")
        pattern = spec.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.error((*path, "pattern"), f"invalid regular expression: {exc}")
                pattern = None
            else:
                problem = _unportable_regex(pattern)
                if problem:
                    self.error((*path, "pattern"), f"pattern uses {problem}, which not every "
                               "target's regex engine supports")
                    pattern = None
        minimum, maximum = spec.get("min"), spec.get("max")
        # YAML reads .nan and .inf as floats, which no CHECK, column or validator can bound by.
        if minimum is not None and not math.isfinite(minimum):
            self.error((*path, "min"), f"min {minimum} is not a finite number")
            minimum = None
        if maximum is not None and not math.isfinite(maximum):
            self.error((*path, "max"), f"max {maximum} is not a finite number")
            maximum = None
        if ftype in INT_BOUNDS:
            low, high = INT_BOUNDS[ftype]
            for key, bound in (("min", minimum), ("max", maximum)):
                if bound is not None and (bound != int(bound) or not low <= bound <= high):
                    self.error((*path, key), f"{key} {bound} is not {_a(ftype)} value")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.error((*path, "min"), f"min {minimum} is above max {maximum}")
        precision, scale = spec.get("precision"), spec.get("scale")
        if ftype is T.DECIMAL:
            precision = precision or DEFAULT_DECIMAL[0]
            # An omitted scale must not contradict a small precision: decimal(4) is (4, 4).
            scale = min(DEFAULT_DECIMAL[1], precision) if scale is None else scale
            if scale > precision:
                self.error((*path, "scale"), f"scale {scale} is above precision {precision}")
        if ftype is T.DATETIME:
            precision = DATETIME_PRECISION if precision is None else precision
            if precision > MAX_DATETIME_PRECISION:
                self.error((*path, "precision"), f"precision {precision} of a datetime is above "
                           f"{MAX_DATETIME_PRECISION}", "PostgreSQL, MySQL and the ORMs keep "
                           "at most microseconds")
        elif ftype is T.DECIMAL and spec.get("precision") == 0:
            self.error((*path, "precision"), "precision 0 of a decimal holds no digit",
                       "at least 1")
        updated_at = bool(spec.get("updatedAt", False))
        in_composite = name in self.composite_keys.get(model, ())
        primary = ftype is T.ID or _is_key(spec) or in_composite
        if primary and ftype is not T.ID:
            for option in KEY_REFUSES if not in_composite else ("nullable",):
                if option in spec:
                    self.error((*path, option), f"option '{option}' does not apply to a "
                               "primary key", "a column of a primary key is never null"
                               if in_composite else "a primary key is never null, always "
                               "unique and indexed", at_key=True)
        generate = "uuid" if ftype is T.ID else None
        default = spec.get("default")
        if default == AUTOINCREMENT and (primary or ftype not in (T.STRING, T.TEXT, T.ENUM)):
            default = None
            if primary and ftype in IDENTITY_TYPES and not in_composite:
                generate = "identity"
            else:
                self.error((*path, "default"), f"default 'autoincrement' of {model}.{name}: "
                           "only an int or bigint primary key is generated by the database",
                           ("use default: uuid (a new uuid from the database)"
                            if ftype is T.UUID else
                            "remove it: a string key is given by the application") if primary
                           else "add 'primaryKey: true' to make this the model's key")
        elif "default" in spec:
            default = self._default(model, name, ftype, spec, path, enum, max_length,
                                    min_length, pattern, minimum, maximum, nullable, scale)
        if updated_at and default is None and not nullable:
            default = NOW  # a row's first "updated at" is its creation time
        # A nullable updatedAt without a default stays NULL until the row's first update.
        unique = bool(spec.get("unique", False)) and not primary
        for word, needs, holds in (("uniqueName", unique, "unique: true"),
                                   ("indexName", spec.get("index") or ftype is T.REF
                                    and spec.get("index") is not False, "index: true")):
            if word in spec and not needs:
                self.error((*path, word), f"{word} names no constraint: {model}.{name} has "
                           f"no {holds}", at_key=True)
        return Field(
            name=name, attr=naming.snake_case(name), column=column, type=ftype,
            nullable=nullable and not primary, default=default, primary_key=primary,
            generate=(spec.get("generate") or generate) if ftype is T.ID else generate,
            max_length=max_length, min_length=min_length, pattern=pattern,
            minimum=minimum, maximum=maximum, precision=precision, scale=scale, enum=enum,
            reference=reference, unique=unique,
            unique_constraint=(spec.get("uniqueName") or naming.constraint_name(
                table, (column,), "key")) if unique else None,
            index=(spec.get("indexName") or naming.constraint_name(table, (column,), "idx"))
            if spec.get("index") else None,
            updated_at=updated_at, description=spec.get("description"),
            position=self.source.key(path), renamed_from=self._rename(path, spec),
            timezone=bool(spec.get("timezone", True)),
            fixed_length=fixed_length,
        )

    def _referenced(self, model: str, name: str, spec: dict, path: tuple,
                    target: str) -> tuple[str, dict] | None:
        """The target field a ref holds (its key, or the unique field ``references:`` names)
        and that field's spec; None when it cannot (reported)."""
        target_raw = self.data["models"][target]
        target_name = spec.get("references") or self.key_names.get(target)
        if target_name is None:
            if target in self.composite_keys:
                self.error((*path, "to"), f"{target} has a composite primary key "
                           f"({', '.join(self.composite_keys[target])}): a ref field holds "
                           "one column", f"name a unique field of {target} with 'references:'")
            return None  # a model without a key: reported
        target_spec = target_raw["fields"].get(target_name)
        where = (*path, "references")
        if target_spec is None:
            self.error(where, f"unknown field '{target_name}' of model {target}",
                       did_you_mean(target_name, target_raw["fields"]))
            return None
        if target_name != self.key_names.get(target) and not (
                target_spec.get("unique") is True
                or [target_name] in [_group(u)[0] for u in target_raw.get("unique") or []]):
            self.error(where, f"{target}.{target_name} is not unique: a reference must name "
                       "one row", f"add 'unique: true' to {target}.{target_name}")
            return None
        if target_spec["type"] not in ("id", "int", "bigint", "string", "uuid"):
            self.error(where, f"{target}.{target_name} is {_a(FieldType(target_spec['type']))} "
                       "field: a reference holds an id, int, bigint, string or uuid value")
            return None
        return target_name, target_spec

    def _default(self, model, name, ftype, spec, path, enum, max_length, min_length, pattern,
                 minimum, maximum, nullable, scale):
        value = spec["default"]
        where = (*path, "default")
        if isinstance(value, dict):  # {sql: {dialect: expression}}, the escape hatch
            unknown = [d for d in value["sql"] if d not in SQL_DIALECTS]
            for dialect in unknown:
                self.error((*where, "sql", dialect), f"unknown SQL dialect '{dialect}' in the "
                           f"sql default of {model}.{name}",
                           did_you_mean(dialect, SQL_DIALECTS) or "one of: "
                           + ", ".join(SQL_DIALECTS), at_key=True)
            if unknown:
                return None
            return SqlDefault(tuple(sorted(value["sql"].items())))
        label = f"default {value!r} of {model}.{name}"
        if value == "now":
            if ftype in (T.DATE, T.DATETIME):
                return NOW
            self.error(where, f"{label}: 'now' is only a default for date and datetime fields")
            return None
        if ftype is T.UUID:
            if value == "uuid":
                return NEW_UUID
            self.error(where, f"{label}: a uuid field's default is 'uuid' (a new random uuid)")
            return None
        if isinstance(value, bool) and ftype in (T.STRING, T.TEXT, T.ENUM):
            word = self.source.yaml11_word(where)  # default: NO is Norway, not false
            if word is None:
                self.error(where, f"{label} is not {_a(ftype)} value",
                           f"quote it: default: '{self.source.written(where) or value}'")
                return None
            value, label = word, f"default {word!r} of {model}.{name}"
        expected = _DEFAULT_TYPES.get(ftype)
        if expected is None:
            self.error(where, f"{label}: {_a(ftype)} field takes no literal default"
                       + (" (only 'now')" if ftype in (T.DATE, T.DATETIME) else ""))
            return None
        if isinstance(value, bool) and ftype is not T.BOOL or not isinstance(value, expected):
            self.error(where, f"{label} is not {_a(ftype)} value")
            return None
        if ftype is T.ENUM and value not in enum.values:
            self.error(where, f"{label} is not a value of enum {enum.name}",
                       did_you_mean(value, enum.values))
            return None
        if isinstance(value, str):
            if max_length is not None and len(value) > max_length:
                self.error(where, f"{label} is longer than maxLength {max_length}")
                return None
            if min_length is not None and len(value) < min_length:
                self.error(where, f"{label} is shorter than minLength {min_length}")
                return None
            if pattern is not None and not re.search(pattern, value):
                self.error(where, f"{label} does not match pattern {pattern!r}")
                return None
        if ftype in INT_BOUNDS:
            low, high = INT_BOUNDS[ftype]
            if not low <= value <= high:
                self.error(where, f"{label} does not fit {_a(ftype)}")
                return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if value != value or value in (float("inf"), float("-inf")):
                self.error(where, f"{label} is not a finite number")
                return None
            if minimum is not None and value < minimum:
                self.error(where, f"{label} is below min {minimum}")
                return None
            if maximum is not None and value > maximum:
                self.error(where, f"{label} is above max {maximum}")
                return None
            if ftype is T.DECIMAL and round(value, scale) != value:
                self.error(where, f"{label} has more than {scale} decimal places")
                return None
        return value

    def _checks(self, model: str, table: str, field: Field) -> list[Check]:
        kinds = []
        if field.enum is not None:
            kinds.append(CheckKind.ENUM)
        if field.has_range:
            kinds.append(CheckKind.RANGE)
        if field.min_length is not None:
            kinds.append(CheckKind.LENGTH)
        if field.pattern is not None:
            kinds.append(CheckKind.PATTERN)
        named = self.data["models"][model]["fields"][field.name].get("checkNames") or {}
        for kind in named:
            if kind not in kinds:
                self.error(("models", model, "fields", field.name, "checkNames", kind),
                           f"checkNames names {_a_word(kind)} check, but {model}.{field.name} "
                           "has none", "its checks: " + (", ".join(k.value for k in kinds)
                                                         or "none"),
                           at_key=True)
        return [Check(kind, field.name, field.column, named.get(kind.value)
                      or naming.constraint_name(table, (field.column, kind.value), "check"))
                for kind in kinds]

    def _unique_physical_names(self, models: list[Model]) -> None:
        """Columns within a table, and constraint/index names within the schema, must differ:
        PostgreSQL keeps indexes and constraints in one namespace per schema."""
        names: dict[str, str] = {}
        tables: dict[str, list[str]] = defaultdict(list)
        for model in models:
            tables[model.table.lower()].append(model.name)
        clashing_tables = {name for group in tables.values() if len(group) > 1 for name in group}
        for model in models:
            columns: dict[str, Field] = {}
            for field in model.fields:
                other = columns.get(field.column.lower())
                if other is not None:
                    path = ("models", model.name, "fields", field.name)
                    self.error(path, f"fields {other.name} and {field.name} of model "
                               f"{model.name} both map to column '{field.column}'",
                               "set 'column:' on one of them", at_key=True)
                columns[field.column.lower()] = field
            constraint_names = [model.pk_constraint, *(u.name for u in model.uniques),
                                *(i.name for i in model.indexes), *(c.name for c in model.checks),
                                *(f.reference.constraint for f in model.references),
                                *(r.constraint for r in model.composite_references)]
            own: set[str] = set()
            for constraint in constraint_names:
                if constraint.lower() in own:
                    self.error(("models", model.name), f"constraint name '{constraint}' is "
                               f"used twice in model {model.name}",
                               "a unique or index is declared twice, or two names given or "
                               "derived coincide; remove or rename one", at_key=True)
                    continue
                own.add(constraint.lower())
                owner = names.get(constraint.lower())
                if owner is not None and owner in clashing_tables:
                    continue  # the table names already clash, and that was reported
                if owner is not None and owner != model.name:
                    self.error(("models", model.name), f"constraint name '{constraint}' of "
                               f"model {model.name} is used twice (also by {owner})",
                               "constraint and index names share one namespace per "
                               "database schema: give one another name (primaryKeyName, "
                               "uniqueName, indexName, foreignKeyName) or rename the table "
                               "or column it derives from", at_key=True)
                names[constraint.lower()] = model.name

    # -- API ---------------------------------------------------------------------------------

    def _api(self, models: list[Model], enums: dict[str, Enum]) -> Api:
        raw = self.data["api"]
        models_by_name = {m.name: m for m in models}
        schema_names = set((raw.get("schemas") or {}).keys())
        ctx = _ShapeContext(self, models_by_name, schema_names)
        schemas = tuple(
            NamedSchema(name, ctx.shape(shape, ("api", "schemas", name)),
                        shape.get("description") if isinstance(shape, dict) else None)
            for name, shape in sorted((raw.get("schemas") or {}).items())
        )
        global_params = raw.get("params") or {}
        auth = raw.get("auth")
        auth_required = bool(auth and auth.get("required", False))
        endpoints = []
        seen_names: dict[str, int] = {}
        seen_routes: dict[tuple, int] = {}
        for i, ep in enumerate(raw["endpoints"]):
            path = ("api", "endpoints", i)
            if ep["name"] in seen_names:
                self.error((*path, "name"), f"endpoint name '{ep['name']}' is used twice")
            seen_names[ep["name"]] = i
            route = (ep["method"], re.sub(r"\{[^}]*\}", "{}", ep["path"]))
            if route in seen_routes:
                self.error((*path, "path"), f"{ep['method']} {ep['path']} is defined twice")
            seen_routes[route] = i
            placeholders = re.findall(r"\{([^}]*)\}", ep["path"])
            own = ep.get("params") or {}
            for param in own:
                if param not in placeholders:
                    self.error((*path, "params", param), f"path parameter '{param}' is missing "
                               f"from the path {ep['path']}", at_key=True)
            params = []
            for placeholder in placeholders:
                if placeholders.count(placeholder) > 1 and placeholder in dict(params):
                    self.error((*path, "path"), f"path parameter '{placeholder}' appears twice")
                    continue
                source = own if placeholder in own else global_params
                where = ("api", "params") if source is global_params else (*path, "params")
                if placeholder not in source:
                    self.error((*path, "path"), f"path parameter '{placeholder}' is not "
                               "declared in api.params or the endpoint's params",
                               did_you_mean(placeholder, {**global_params, **own}))
                    continue
                shape = ctx.shape(source[placeholder], (*where, placeholder), param=True)
                if shape is None:
                    continue
                if not isinstance(shape, FieldShape):
                    self.error((*where, placeholder), "a path parameter must be typed by a "
                               "field (Model.field)")
                    continue
                params.append((placeholder, shape))
            body = None
            if "body" in ep:
                if ep["method"] in ("GET", "DELETE"):
                    self.error((*path, "body"), f"a {ep['method']} endpoint takes no body",
                               at_key=True)
                body = ctx.object(ep["body"], (*path, "body"))
            response = ep.get("response")
            if response is not None and response not in schema_names:
                self.error((*path, "response"), f"unknown schema '{response}'",
                           did_you_mean(response, schema_names))
            ep_auth = ep.get("auth") or {}
            endpoints.append(Endpoint(
                name=ep["name"], method=ep["method"], path=ep["path"],
                summary=ep.get("summary"), description=ep.get("description"),
                tag=ep.get("tag"), params=tuple(params), body=body, response=response,
                not_found=bool(ep.get("notFound", False)),
                auth_required=bool(ep_auth.get("required", auth_required)) if auth else False,
                position=self.source.value(path),
                via=ep.get("via"), merge=ep.get("merge"),
            ))
        api = Api(
            base_path=raw.get("basePath", ""),
            auth_scheme=auth["scheme"] if auth else None,
            auth_required=auth_required,
            schemas=schemas,
            endpoints=tuple(endpoints),
            owners=self._owners(auth, ctx),
        )
        self._check_create(api, models_by_name)
        self._check_component_names(api)
        operations, unbound = plan(models_by_name, api)
        return dataclasses.replace(api, operations=operations, unbound=unbound)

    def _check_component_names(self, api: Api) -> None:
        """Named schemas, request bodies and the envelopes are one namespace in every API
        target (OpenAPI components, Pydantic classes, Zod exports): a name taken twice is a
        spec error, at the schema or endpoint that takes it second."""
        taken = {name: f"the {name.lower()} envelope" for name in naming.ENVELOPES}
        for named in api.schemas:
            if named.name in taken:
                self.error(("api", "schemas", named.name), f"schema name '{named.name}' is "
                           f"taken by {taken[named.name]}", "rename the schema", at_key=True)
            taken.setdefault(named.name, f"schema '{named.name}'")
        seen: set[str] = set()
        for i, endpoint in enumerate(api.endpoints):
            name = naming.body_component(endpoint.name)
            if endpoint.body is None or endpoint.name in seen:
                continue  # a name used twice is reported as such
            seen.add(endpoint.name)
            if name in taken:
                self.error(("api", "endpoints", i, "name"), f"the request body of endpoint "
                           f"{endpoint.name} would be named '{name}', which is taken by "
                           f"{taken[name]}", "rename one of them")
            taken.setdefault(name, f"the body of endpoint '{endpoint.name}'")

    def _owners(self, auth: dict | None, ctx: _ShapeContext) -> tuple[tuple[str, Field], ...]:
        """``api.auth.owner``: one field per model, holding the owner id (a string)."""
        raw = (auth or {}).get("owner")
        refs = [raw] if isinstance(raw, str) else list(raw or [])
        owners: dict[str, Field] = {}
        for i, ref in enumerate(refs):
            where = ("api", "auth", "owner") if isinstance(raw, str) else \
                ("api", "auth", "owner", i)
            found = ctx.field(ref, where)
            if found is None:
                continue
            model, field = found
            if model in owners:
                self.error(where, f"{model} has two owner fields")
            elif field.type not in (T.STRING, T.ID, T.REF):
                self.error(where, f"an owner field holds the token's owner id: a string, id "
                           f"or ref field, not {_a(field.type)}")
            else:
                owners[model] = field
        return tuple(owners.items())

    def _check_create(self, api: Api, models: dict[str, Model]) -> None:
        """``create: true`` needs a root that the path and the owner can fill alone."""
        owners = dict(api.owners)
        for i, endpoint in enumerate(api.endpoints):
            creating = [p for p, shape in endpoint.params if shape.create]
            if not creating:
                continue
            model = models[endpoint.params[0][1].model]
            params = {shape.field.name for _, shape in endpoint.params}
            missing = creatable(model, params, owners.get(model.name))
            own = (self.data["api"]["endpoints"][i].get("params") or {})
            where = ("api", "endpoints", i, "params", creating[0]) if creating[0] in own \
                else ("api", "params", creating[0])
            if missing:
                self.error((*where, "create"),
                           f"'{creating[0]}' says create: true, but a new {model.name} needs "
                           f"{', '.join(missing)}, which neither the path nor the token gives",
                           at_key=True)


# Patterns travel to PostgreSQL (POSIX ARE), MySQL (ICU), DuckDB (RE2), JSON Schema (ECMA 262)
# and Pydantic (Rust regex): only the common subset is accepted.
_UNPORTABLE_REGEX = (
    (re.compile(r"\(\?[=!<]"), "a lookaround"),
    (re.compile(r"\(\?[A-Za-z]"), "an inline flag"),
    (re.compile(r"\\[1-9]"), "a backreference"),
    (re.compile(r"[*+?}]\+"), "a possessive quantifier"),
)


def _unportable_regex(pattern: str) -> str | None:
    for regex, problem in _UNPORTABLE_REGEX:
        if regex.search(pattern):
            return problem
    return None


class _ShapeContext:
    """Resolves API shapes: ``Model.field`` references, named schemas, objects, lists, maps."""

    def __init__(self, builder: _Builder, models: dict[str, Model], schema_names: set[str]):
        self.builder = builder
        self.models = models
        self.schema_names = schema_names

    def field(self, ref: str, path: tuple) -> tuple[str, Any] | None:
        model_name, _, field_name = ref.partition(".")
        model = self.models.get(model_name)
        if model is None:
            self.builder.error(path, f"unknown model '{model_name}' in '{ref}'",
                               did_you_mean(model_name, self.models))
            return None
        try:
            return model_name, model.field(field_name)
        except KeyError:
            if field_name in self.builder.data["models"][model_name]["fields"]:
                return None  # declared, but refused (a broken to:, enum:, option): reported
            self.builder.error(path, f"unknown field '{field_name}' of model {model_name}",
                               did_you_mean(field_name, [f.name for f in model.fields]))
            return None

    def object(self, properties: dict, path: tuple, optional=False, nullable=False,
               description=None) -> ObjectShape:
        props = []
        for name, sub in properties.items():
            resolved = self.shape(sub, (*path, name))
            if resolved is not None:
                props.append((name, resolved))
        return ObjectShape(tuple(props), optional, nullable, description)

    def shape(self, raw: Any, path: tuple, param: bool = False) -> Shape | None:
        if isinstance(raw, str):
            raw = {"field": raw}
        if "create" in raw and not param:
            self.builder.error((*path, "create"), "'create' belongs on a path parameter "
                               "(api.params or an endpoint's params)", at_key=True)
        optional = raw.get("optional")
        nullable = raw.get("nullable")
        description = raw.get("description")
        if "field" in raw:
            found = self.field(raw["field"], (*path, "field") if len(raw) > 1 else path)
            if found is None:
                return None
            model_name, field = found
            return FieldShape(
                model=model_name, field=field,
                optional=field.nullable if optional is None else optional,
                nullable=field.nullable if nullable is None else nullable,
                description=description or field.description,
                create=bool(raw.get("create", False)),
            )
        if "schema" in raw:
            if raw["schema"] not in self.schema_names:
                self.builder.error((*path, "schema"), f"unknown schema '{raw['schema']}'",
                                   did_you_mean(raw["schema"], self.schema_names))
                return None
            return SchemaRef(raw["schema"], bool(optional), bool(nullable), description,
                             raw.get("via"))
        if "object" in raw:
            return dataclasses.replace(
                self.object(raw["object"], (*path, "object"), bool(optional), bool(nullable),
                            description), via=raw.get("via"))
        if "list" in raw:
            items = self.shape(raw["list"], (*path, "list"))
            if items is None:
                return None
            return ListShape(items, raw.get("maxItems"), bool(optional), bool(nullable),
                             description, raw.get("via"))
        if "map" in raw:
            values = self.shape(raw["map"], (*path, "map"))
            keys = self.shape(raw["keys"], (*path, "keys"))
            if values is None or keys is None:
                return None
            if keys.field.type not in (T.INT, T.BIGINT, T.STRING, T.ENUM, T.ID):
                self.builder.error((*path, "keys"), "map keys must be an int, bigint, string, "
                                   f"enum or id field, not {keys.field.type.value}")
                return None
            return MapShape(values, keys, bool(optional), bool(nullable), description,
                            raw.get("via"))
        raise AssertionError(f"shape not caught by the JSON Schema: {raw!r}")


def _group(entry: list | dict) -> tuple[list[str], str | None]:
    """A composite unique or index: ``[a, b]``, or ``{fields: [a, b], name: x}`` (its name
    explicit, for a database adopted as it is)."""
    if isinstance(entry, dict):
        return entry["fields"], entry.get("name")
    return entry, None


def _a_word(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _is_key(spec: dict) -> bool:
    """An id field, or a field of a key type that says ``primaryKey: true``."""
    return spec["type"] == "id" or spec.get("primaryKey") is True and \
        _FIELD_TYPES.get(spec["type"]) in KEY_TYPES


def _a(ftype: FieldType) -> str:
    """The type name with its article: 'an int', 'a string'."""
    # "a uuid": the article follows the sound, and uuid starts with a "you".
    vowel = ftype.value[0] in "aeiou" and ftype is not T.UUID
    return ("an " if vowel else "a ") + ftype.value


def upper_words(name: str) -> str:
    return " ".join(part.capitalize() for part in naming.snake_case(name).split("_"))


def build_spec(data: dict[str, Any], source: SourceMap) -> Spec:
    return _Builder(data, source).build()
