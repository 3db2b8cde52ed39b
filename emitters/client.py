"""``vigilo-gen client``: the browser side of the API in TypeScript: a typed fetch client and an
offline-safe storage adapter, over the Zod schemas of ``vigilo-gen zod`` (``--zod``: their
import path).

The generated part is two tables, rendered from the operation plan (``Spec.api.operations``):

- ``ENDPOINTS``: per endpoint its method, path, kind, a Zod object of its path parameters (the
  fields' rules), its body and response schemas. ``createClient`` makes one function per entry,
  typed from the table; the fixed part (errors, timeout, abort, the queue) is
  ``templates/client_runtime.ts.txt``.
- ``STORES``: per read endpoint (a GET with a response), the writes addressed by the same path
  parameters to the same root model, and where each body property lands in the state the read
  returns (``into``: body path -> state path). Both sides are matched by the field that types
  them (the plan's ``Assign`` and ``ReadColumn``) and sets by their relation (``ReplaceSet`` and
  ``ReadList``/``ReadMap``), so the optimistic state is what the server will answer. A write
  whose body cannot be placed (or a replace that would reset omitted properties) is still
  queued, but not merged (``into: null``); inserts are never coalesced (each is a new row).
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import Spec
from vigilo_gen.operations import (
    Operation,
    Read,
    ReadColumn,
    ReadList,
    ReadMap,
    ReadObject,
    ReplaceSet,
    UpdateRoot,
    UpsertChild,
)

from . import ts_layout as ts
from .openapi import SUCCESS, body_name
from .zod import _Builder, _key

Path = tuple[str, ...]


@dataclass(frozen=True)
class ClientOptions:
    zod: str = option("./schemas.zod", "Module of the generated Zod schemas (import path).")


def _runtime() -> str:
    from importlib import resources

    return (
        resources.files("vigilo_gen.emitters")
        .joinpath("templates/client_runtime.ts.txt")
        .read_text(encoding="utf-8")
    )


# --- where a write lands in a read's state ---------------------------------------------------


def _columns(read: Read, path: Path) -> list[tuple[Path, object]]:
    """(state path, field) of every column a read places outside lists and maps."""
    if isinstance(read, ReadColumn):
        return [(path, read.field)]
    if isinstance(read, ReadObject):
        return [c for name, sub in read.properties for c in _columns(sub, (*path, name))]
    return []


def _sets(read: Read, path: Path) -> list[tuple[Path, Read]]:
    """(state path, list or map read) of every child set a read places."""
    if isinstance(read, (ReadList, ReadMap)):
        return [(path, read)]
    if isinstance(read, ReadObject):
        return [s for name, sub in read.properties for s in _sets(sub, (*path, name))]
    return []


def _item_columns(read: Read) -> set:
    return {(p, f) for p, f in _columns(read, ())}


def _same_set(write: ReplaceSet, read: Read) -> bool:
    """The read lists (or maps) the very rows the write replaces, with the same item shape."""
    if isinstance(read, ReadList):
        if write.key is not None or read.step != write.step:
            return False
        item = read.item
    elif isinstance(read, ReadMap):
        if write.key is None or read.step != write.step or read.key != write.key:
            return False
        item = read.value
    else:
        return False
    return _item_columns(item) == {(a.path, a.field) for a in write.assigns}


def placement(read_op: Operation, write_op: Operation) -> list[tuple[Path, Path]] | None:
    """Body path -> state path of every body value of ``write_op``, or None when some value
    has no place in the state (or the write resets what its body omits)."""
    if write_op.kind != "write" or read_op.read is None:
        return None
    columns = _columns(read_op.read, ())
    sets = _sets(read_op.read, ())
    into: list[tuple[Path, Path]] = []
    for write in write_op.writes:
        if isinstance(write, (UpdateRoot, UpsertChild)):
            for assign in write.assigns:
                if not (write_op.merge or assign.required):
                    return None  # a PUT resets an omitted value to what only the server knows
                found = [p for p, f in columns if f == assign.field]
                if len(found) != 1:
                    return None
                into.append((assign.path, found[0]))
        elif isinstance(write, ReplaceSet):
            found = [p for p, r in sets if _same_set(write, r)]
            if len(found) != 1 or not (write_op.merge or write.required):
                return None
            into.append(((write.prop,), found[0]))
        else:
            return None
    return into or None


def stores(spec: Spec) -> list[tuple[Operation, list[tuple[Operation, list | None]]]]:
    """Every read with a response, and the writes to its root by the same path parameters."""
    ops = spec.api.operations
    found = []
    for read in ops:
        if read.kind != "read" or read.read is None:
            continue
        writes = [
            (op, placement(read, op))
            for op in ops
            if op.kind in ("write", "insert")
            and op.root.model == read.root.model
            and [n for n, _ in op.root.params] == [n for n, _ in read.root.params]
        ]
        found.append((read, writes))
    return found


# --- rendering ---------------------------------------------------------------------------------


def _string(value: str) -> ts.Node:
    return ts.text(ts.string(value))


def _endpoint(op: Operation, fields: _Builder) -> ts.Node:
    endpoint = op.endpoint
    params = ts.call(
        "z.strictObject",
        [ts.obj([(_key(name), fields.field(field)) for name, field in op.root.params])],
    )
    body = f"api.{body_name(endpoint)}" if endpoint.body is not None else "null"
    response = f"api.{endpoint.response}" if endpoint.response else f"api.{SUCCESS}"
    return ts.obj(
        [
            ("method", _string(endpoint.method)),
            ("path", _string(endpoint.path)),
            ("kind", _string(op.kind)),
            ("params", params),
            ("body", ts.text(body)),
            ("response", ts.text(response)),
        ],
        expanded=True,
    )


def _path(path: Path) -> ts.Node:
    return _array([_string(p) for p in path], [0] * len(path))


def _array(items: list[ts.Node], sizes: list[int]) -> ts.Node:
    """An array; one of two or more arrays of two or more items each is a 'matrix', which
    prettier prints one item per line (``sizes``: each item's length, 0 for a string)."""
    node = ts.arr(items)
    if len(items) > 1 and all(size > 1 for size in sizes):
        node = ts.Node(ts.Group(node.doc.parts, True), node.simple, node.huggable)
    return node


def _pair(body: Path, state: Path) -> ts.Node:
    return _array([_path(body), _path(state)], [len(body), len(state)])


def _store(writes: list[tuple[Operation, list | None]]) -> ts.Node:
    entries = []
    for op, into in writes:
        placed = (
            ts.text("null")
            if into is None
            else _array([_pair(body, state) for body, state in into], [2] * len(into))
        )
        entries.append(
            (
                _key(op.endpoint.name),
                ts.obj(
                    [
                        ("coalesce", ts.text("true" if op.kind == "write" else "false")),
                        ("into", placed),
                    ],
                    expanded=True,
                ),
            )
        )
    return ts.obj([("writes", ts.obj(entries, expanded=True))], expanded=True)


def render(spec: Spec, options: ClientOptions, provenance: Provenance) -> str:
    api = spec.api
    if api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there is nothing to call")
    if api.unbound:
        name, position, why = api.unbound[0]
        raise UsageError(
            f"{spec.shown_path}:{position.line}:{position.column}: endpoint "
            f"{name} cannot be called: {why}"
        )
    fields = _Builder(api)
    endpoints = ts.obj(
        [(_key(op.endpoint.name), _endpoint(op, fields)) for op in api.operations], expanded=True
    )
    found = ts.obj(
        [(_key(read.endpoint.name), _store(writes)) for read, writes in stores(spec)], expanded=True
    )
    head = "\n".join(
        [
            provenance.header("//"),
            'import { z } from "zod";',
            f"import * as api from {ts.string(options.zod)};",
            "",
            "/** The API's base path, appended to the client's baseUrl. */",
            f"export const BASE_PATH = {ts.string(api.base_path)};",
            "/** Prefix of the storage keys of the stores (state and queued writes). */",
            f"export const STORAGE_PREFIX = {ts.string('vigilo-gen:' + spec.name)};",
            "",
            "/** Every endpoint of the API: what createClient makes a function of. */",
            ts.render(
                ["export const ENDPOINTS = ", endpoints.doc, " satisfies Record<string, Endpoint>;"]
            ),
            "",
            "/** Per read endpoint, its writes and where their bodies land in its state. */",
            ts.render(
                [
                    "export const STORES = ",
                    found.doc,
                    " satisfies Record<string, { writes: Record<string, StoreWrite> }>;",
                ]
            ),
        ]
    )
    return head + "\n" + _runtime()


emitter = Emitter(
    name="client",
    description="A typed TypeScript fetch client of the API (one function per endpoint, typed "
    "errors, Zod-checked answers) and an offline-safe storage adapter.",
    options=ClientOptions,
    render=render,
    filename=lambda options: "client.ts",
    needs_api=True,
)
