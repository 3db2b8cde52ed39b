// Open a database for generated query helpers: Drizzle (node-postgres, better-sqlite3) or a
// generated Prisma 7 client over its driver adapters. Returns { db, close }.
import { importTs } from './bundle.mjs';
import { UsageError } from './cli.mjs';

export async function openPrisma(dialect, url, clientPath) {
  const { PrismaClient } = await importTs(clientPath);
  let adapter;
  if (dialect === 'postgres') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    adapter = new PrismaPg({ connectionString: url });
  } else if (dialect === 'sqlite') {
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    adapter = new PrismaBetterSqlite3({ url: 'file:' + url.replace(/^sqlite:\/\/\//, '').replace(/^file:/, '') });
  } else {
    throw new UsageError(`unknown dialect ${dialect}`);
  }
  const db = new PrismaClient({ adapter });
  if (dialect === 'sqlite') await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return { db, close: () => db.$disconnect() };
}

export async function openDb(dialect, url) {
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    return { db: drizzle(pool), close: () => pool.end() };
  }
  if (dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const { drizzle } = await import('drizzle-orm/better-sqlite3');
    const client = new Database(url.replace(/^sqlite:\/\/\//, '').replace(/^file:/, ''));
    client.pragma('foreign_keys = ON');
    client.pragma('busy_timeout = 30000');
    client.pragma('journal_mode = WAL');
    return { db: drizzle(client), close: () => client.close() };
  }
  throw new UsageError(`unknown dialect ${dialect}`);
}

