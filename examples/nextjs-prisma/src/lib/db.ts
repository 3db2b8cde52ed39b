// The Prisma 7 client of this app, over the driver adapter DATABASE_URL names:
// postgres:// or postgresql:// -> @prisma/adapter-pg, file: -> @prisma/adapter-better-sqlite3.
// The client must have been generated for the same database (`prisma generate` on a schema
// whose provider matches); opening is lazy so that `next build`, which imports the route
// modules, needs no database.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";

const ADAPTERS: Record<string, (url: string) => PrismaPg | PrismaBetterSqlite3> = {
  "postgres:": (url) => new PrismaPg({ connectionString: url }),
  "postgresql:": (url) => new PrismaPg({ connectionString: url }),
  "file:": (url) => new PrismaBetterSqlite3({ url }),
};

async function open(): Promise<PrismaClient> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (postgres://... or file:./path.db)");
  const adapter = ADAPTERS[new URL(url).protocol];
  if (!adapter) throw new Error(`DATABASE_URL: no Prisma adapter for ${new URL(url).protocol}`);
  const db = new PrismaClient({ adapter: adapter(url) });
  // SQLite enforces foreign keys only when asked, per connection (better-sqlite3: one).
  if (url.startsWith("file:")) await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  return db;
}

// One client per server process; `next dev` re-evaluates modules on each edit, so the promise
// lives on globalThis there, as Prisma's Next.js guide recommends.
const shared = globalThis as unknown as { vigiloDb?: Promise<PrismaClient> };

export function db(): Promise<PrismaClient> {
  shared.vigiloDb ??= open();
  return shared.vigiloDb;
}
