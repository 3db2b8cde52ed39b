// GET /healthz: 200 once the database answers (a load balancer's or a test's readiness probe).
// A static segment, so it takes precedence over the catch-all app/[...path]/route.ts.
import { db } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  await (await db()).$queryRawUnsafe("SELECT 1");
  return Response.json({ ok: true });
}
