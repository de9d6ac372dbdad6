import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { migrate } from '../../lib/db/migrate';
import { cachingClient, withStatementCache } from '../../lib/db/sqlite-statement-cache';
import { PrismaClient as SqliteClient } from '../../prisma/order/sqlite/generated/client';
import { orderMigrations } from '../../services/order/db';
import { freshDatabase } from './helpers';

function memoryDb() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  return db;
}

describe('the SQLite statement cache', () => {
  it('compiles a query once and binds each call its own arguments', () => {
    const client = cachingClient(memoryDb());
    for (const [id, name] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ] as const) {
      const insert = client.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([id, name]);
      assert.equal(insert.reader, false);
      assert.equal((insert.run() as { changes: number }).changes, 1);
    }
    const select = (id: number) => client.prepare('SELECT id, name FROM t WHERE id = ?').bind([id]);
    assert.deepEqual(select(2).raw().all(), [[2, 'b']]);
    assert.deepEqual(select(3).raw().all(), [[3, 'c']]);
    assert.equal(select(1).reader, true);
    assert.deepEqual(
      select(1)
        .columns()
        .map((c) => c.name),
      ['id', 'name'],
    );
    assert.equal(client.compiled(), 2, 'one INSERT and one SELECT compiled, each used several times');
  });

  it('keeps the most recently used statements up to its capacity', () => {
    const client = cachingClient(memoryDb(), 2);
    const use = (sql: string) => client.prepare(sql).bind([]).raw().all();
    use('SELECT 1');
    use('SELECT 2');
    use('SELECT 1'); // now the most recent: SELECT 2 goes first
    use('SELECT 3');
    assert.equal(client.compiled(), 3);
    use('SELECT 1');
    assert.equal(client.compiled(), 3, 'SELECT 1 was kept');
    use('SELECT 2');
    assert.equal(client.compiled(), 4, 'SELECT 2 was evicted and compiled again');
  });

  it("serves a service's Prisma client: transactions, writes and reads, compiled once", async () => {
    const database = await freshDatabase('sqlite', 'statement_cache');
    await migrate({ target: database.target, migrationsDir: orderMigrations('sqlite') });
    const { target } = database;
    assert.equal(target.provider, 'sqlite');
    const factory = withStatementCache(new PrismaBetterSqlite3({ url: target.file }));
    const clients: { compiled(): number }[] = [];
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      clients.push((adapter as unknown as { client: { compiled(): number } }).client);
      return adapter;
    };
    const prisma = new SqliteClient({ adapter: factory });
    try {
      const createAndRead = async (i: number) => {
        const id = `cache-${i}`;
        await prisma.$transaction(async (tx) => {
          await tx.order.create({
            data: {
              id,
              customerId: 'cust',
              currency: 'EUR',
              status: 'PENDING',
              totalMinor: 100 * i,
              items: { create: [{ sku: 'SKU-1', quantity: i, unitPriceMinor: 100, lineTotalMinor: 100 * i }] },
            },
          });
          const moved = await tx.order.updateMany({
            where: { id, status: 'PENDING' },
            data: { status: 'PAID', updatedAt: new Date() },
          });
          assert.equal(moved.count, 1);
        });
        const order = await prisma.order.findUnique({ where: { id }, include: { items: true } });
        assert.equal(order?.status, 'PAID');
        assert.equal(order?.totalMinor, 100 * i);
        assert.deepEqual(
          order?.items.map((item) => item.quantity),
          [i],
        );
      };
      await createAndRead(1);
      assert.equal(clients.length, 1);
      const afterFirst = clients[0]!.compiled();
      assert.ok(afterFirst > 0);
      for (let i = 2; i <= 20; i++) await createAndRead(i);
      assert.equal(clients[0]!.compiled(), afterFirst, 'the same queries again compile nothing new');
      assert.equal(await prisma.order.count(), 20);
    } finally {
      await prisma.$disconnect();
      await database.drop();
    }
  });
});
