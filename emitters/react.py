"""``vigilo-gen react``: a React 19 provider and hooks over the store of ``vigilo-gen client``
(``--client``: its import path).

``<Provider client={...} {...pathParameters}>`` holds one instance of a store: a read endpoint of
the spec (``--store``, default the first read that has a write the state shows), whose path
parameters are the provider's props under their spec names. Then one hook per write that the
state shows (``STORES[...].writes[...].into`` in the client), named after the top-level property
of the state it sets (``useDisplayMode``), or after the endpoint when it sets several or shares
its property with another write: ``[value, set, { loading, error }]``; ``set`` takes the
body property's value when the body is that one property, else the whole body, applies it at
once (optimistic) and queues the write. ``useStatus()`` says online, syncing or offline, with
the number of queued writes; ``useStore()`` gives the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen import naming
from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import Spec

from . import ts_layout as ts
from .client import stores

IMPORTS = """\
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from "react";
"""


# The hooks the module writes whatever the spec says (the docstring's useStatus and useStore).
OWN_HOOKS = ("useStore", "useStatus")


@dataclass(frozen=True)
class ReactOptions:
    client: str = option("./client", "Module of the generated client (vigilo-gen client).")
    store: str = option(
        "",
        "The read endpoint whose state the provider holds (default: the "
        "first read that a write of the API updates).",
    )


@dataclass(frozen=True)
class Hook:
    name: str
    endpoint: str
    prop: str | None  # the state's top-level property it reads (None: the whole state)
    body: str | None  # the body's one property that set() takes (None: the whole body)


def hooks(writes) -> list[Hook]:
    """A hook per write that the state shows, named by the rule in the module's docstring."""
    placed = [(op.endpoint.name, into) for op, into in writes if into]
    tops = {name: {state[0] for _, state in into} for name, into in placed}
    shared = [top for top_set in tops.values() for top in top_set]
    found = []
    for name, into in placed:
        top = next(iter(tops[name])) if len(tops[name]) == 1 else None
        whole = len(into) == 1 and len(into[0][0]) == 1 and into[0][1] == (top,)
        body = into[0][0][0] if whole else None
        own = top is not None and shared.count(top) == 1
        hook = "use" + naming.upper_camel(top if own else name)
        found.append(Hook(hook, name, top, body))
    return found


def _choose(spec: Spec, wanted: str):
    found = stores(spec)
    if wanted:
        for read, writes in found:
            if read.endpoint.name == wanted:
                return read, writes
        names = ", ".join(read.endpoint.name for read, _ in found) or "none"
        raise UsageError(f"--store {wanted}: not a read endpoint with a response (there: {names})")
    for read, writes in found:
        if any(into for _, into in writes):
            return read, writes
    raise UsageError(
        f"{spec.shown_path}: no read endpoint's state is updated by a write: "
        "there is nothing for a provider to hold"
    )


def _hook(hook: Hook) -> str:
    arguments = [
        ts.text(ts.string(hook.endpoint)),
        ts.text("null" if hook.prop is None else ts.string(hook.prop)),
        ts.text("null" if hook.body is None else ts.string(hook.body)),
    ]
    doc = (
        f"/** {'The state' if hook.prop is None else f'`{hook.prop}`'}, "
        f"set through {hook.endpoint}. */"
    )
    return (
        doc
        + "\n"
        + ts.render([f"export const {hook.name} = ", ts.call("piece", arguments).doc, ";"])
    )


def _runtime() -> str:
    from importlib import resources

    return (
        resources.files("vigilo_gen.emitters")
        .joinpath("templates/react_runtime.ts.txt")
        .read_text(encoding="utf-8")
    )


def render(spec: Spec, options: ReactOptions, provenance: Provenance) -> str:
    if spec.api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there is no state to hold")
    read, writes = _choose(spec, options.store)
    found = hooks(writes)
    for hook in found:
        if hook.name in OWN_HOOKS:
            raise UsageError(f"endpoint {hook.endpoint}'s hook would be named {hook.name}, which "
                             "the module exports for itself; rename the endpoint")
        same = [h.endpoint for h in found if h.name == hook.name]
        if len(same) > 1:
            raise UsageError(f"two hooks would be named {hook.name} (endpoints "
                             f"{' and '.join(same)}); rename one")
    params = ts.arr([ts.text(ts.string(n)) for n, _ in read.root.params])
    head = "\n".join(
        [
            provenance.header("//"),
            IMPORTS + f"import * as c from {ts.string(options.client)};",
            "",
            "/** The read endpoint whose state the provider holds, and its path parameters. */",
            f"const STORE = {ts.string(read.endpoint.name)};",
            ts.render(["const PARAMS = ", params.doc, " as const;"]),
        ]
    )
    return head + "\n" + _runtime() + "\n" + "\n\n".join(_hook(h) for h in found) + "\n"


emitter = Emitter(
    name="react",
    description="A React 19 provider and hooks over the client's offline-safe store: a hook "
    "per piece of state (value and optimistic setter) and a status hook.",
    options=ReactOptions,
    render=render,
    filename=lambda options: "provider.ts",
    needs_api=True,
)
