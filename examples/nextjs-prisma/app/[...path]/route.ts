// Every endpoint of the spec, through one catch-all route: the generated handlers route the
// path themselves (the spec's basePath, its parameters, their rules) and answer what no
// endpoint matches with the same 404 / 405 (and Allow) Error envelopes as the Python service.
// One file per endpoint would let Next.js answer those itself, with its HTML 404 page and a
// bodiless 405. `[...path]` rather than `[[...path]]`: it leaves "/" to a page, and any more
// specific route (app/healthz here) still wins over the catch-all.
import { createHandlers, tokensFromEnv } from "@/vigilo/handlers";
import { db } from "@/lib/db";

export const runtime = "nodejs"; // Prisma's driver adapters need Node (pg, better-sqlite3)
export const dynamic = "force-dynamic"; // every answer reads the database: never prerendered

// tokensFromEnv(): VIGILO_TOKENS="token=owner,..." (development); pass any
// (token) => ownerId | null, sync or async (a JWT or session check), instead.
let handlers: Promise<ReturnType<typeof createHandlers>> | undefined;

async function handle(request: Request): Promise<Response> {
  handlers ??= db().then((client) => createHandlers(client, tokensFromEnv()));
  return (await handlers).handle(request);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
