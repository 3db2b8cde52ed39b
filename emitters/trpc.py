"""``vigilo-gen trpc``: a tRPC v11 router with a procedure per endpoint over the query helpers
of ``vigilo-gen ts-handlers`` (either ORM): the input is the path parameters (checked by their
fields' Zod rules) and ``body`` (the endpoint's Zod schema); GET endpoints are queries, the
others mutations. A helper's Problem becomes the TRPCError of its status (400 BAD_REQUEST,
401 UNAUTHORIZED, 404 NOT_FOUND, 409 CONFLICT); the bearer token is read from the context's
``authorization`` header by the same verifier contract as the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import Spec

from . import ts_layout as ts
from .openapi import body_name
from .ts_handlers import helper_name
from .zod import _Builder

RUNTIME = '''\
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import * as api from "__ZOD__";
import * as q from "__HANDLERS__";

/** What every procedure needs: the database of the query helpers, the token verifier and
 * the request's Authorization header (null without one). */
export interface Context {
  db: q.Db;
  verify?: q.Verifier;
  authorization: string | null;
}

/** A context factory for tRPC's fetch adapter (`fetchRequestHandler({ createContext })`). */
export function createContext(db: q.Db, verify?: q.Verifier) {
  return ({ req }: { req: Request }): Context => ({
    db,
    verify,
    authorization: req.headers.get("authorization"),
  });
}

const CODES = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
} as const;

async function run<R>(
  ctx: Context,
  required: boolean,
  work: (caller: string | null) => Promise<R>,
): Promise<R> {
  try {
    return await work(await q.callerOf(ctx.authorization, ctx.verify, required));
  } catch (exc) {
    if (exc instanceof q.Problem) {
      const code = CODES[exc.status as keyof typeof CODES] ?? "INTERNAL_SERVER_ERROR";
      throw new TRPCError({ code, message: exc.message });
    }
    throw exc;
  }
}

export { tokenVerifier, tokensFromEnv } from "__HANDLERS__";

type Body = Record<string, unknown>;
const t = initTRPC.context<Context>().create();
'''


@dataclass(frozen=True)
class TrpcOptions:
    handlers: str = option("./handlers", "Module of the generated query helpers (ts-handlers).")
    zod: str = option("./schemas.zod", "Module of the generated Zod schemas (import path).")


def render(spec: Spec, options: TrpcOptions, provenance: Provenance) -> str:
    api = spec.api
    if api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there is nothing to serve")
    if api.unbound:
        name, position, why = api.unbound[0]
        raise UsageError(f"{spec.shown_path}:{position.line}:{position.column}: endpoint "
                         f"{name} cannot be served: {why}")
    fields = _Builder(api)
    procedures = []
    for op in api.operations:
        endpoint = op.endpoint
        params = [name for name, _ in op.root.params]
        if "body" in params:
            raise UsageError(f"endpoint {endpoint.name}: a path parameter named 'body' "
                             "collides with the tRPC input's body")
        props = [f"{name}: {ts.render(fields.field(field).doc)}" for name, field in
                 op.root.params]
        if endpoint.body is not None:
            props.append(f"body: api.{body_name(endpoint)}")
        key = "{ " + ", ".join(f"{p}: input.{p}" for p in params) + " }"
        args = "ctx.db, caller, " + key
        if endpoint.body is not None:
            args += f", input.body as api.{body_name(endpoint)} & Body"
        kind = "query" if endpoint.method == "GET" else "mutation"
        required = "true" if endpoint.auth_required else "false"
        procedures.append(
            f"  /** {endpoint.method} {endpoint.path} */\n"
            f"  {endpoint.name}: t.procedure\n"
            f"    .input(z.strictObject({{ {', '.join(props)} }}))\n"
            f"    .{kind}(({{ ctx, input }}) =>\n"
            f"      run(ctx, {required}, (caller) => q.{helper_name(endpoint.name)}({args})),\n"
            "    ),")
    code = (provenance.header("//") + "\n"
            + RUNTIME.replace("__ZOD__", options.zod).replace("__HANDLERS__", options.handlers)
            + "\nexport const appRouter = t.router({\n" + "\n".join(procedures) + "\n});\n\n"
            "export type AppRouter = typeof appRouter;\n")
    return code


emitter = Emitter(
    name="trpc",
    description="A tRPC v11 router: a procedure per endpoint over the ts-handlers query helpers.",
    options=TrpcOptions,
    render=render,
    filename=lambda options: "router.trpc.ts",
    needs_api=True,
)
