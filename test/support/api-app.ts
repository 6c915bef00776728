import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { createApp, type CreateAppOptions } from '../../apps/api/src/create-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface ApiHarness {
  app: NestExpressApplication;
  db: TestDatabase;
  /** A supertest agent on the app's server (no port is opened). */
  http(): ReturnType<typeof request>;
  /** How many events the whole log holds: "nothing was appended" checks compare it. */
  eventCount(): Promise<number>;
  /** Rows of a SQL query on the test database. */
  sql<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** A fresh database and the api on it, as `npm start` configures it, but silent. */
export async function startApi(options: Partial<CreateAppOptions> = {}): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const app = await createApp({ databaseUrl: db.url, logLevel: 'silent', ...options });
  await app.init();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined); // an idle client whose database was dropped by a test
  const server = app.getHttpServer();
  return {
    app,
    db,
    http: () => request(server),
    async eventCount() {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM event_store.events');
      return Number(rows[0].n);
    },
    async sql(text, params) {
      return (await pool.query(text, params)).rows;
    },
    async close() {
      await pool.end();
      await app.close();
      await db.drop();
    },
  };
}

export const PROBLEM_JSON = /^application\/problem\+json/;

export const BINH_DUONG = '74';
export const PROCEDURE = '1.001612';

export const registration = (overrides: Record<string, unknown> = {}) => ({
  procedureCode: PROCEDURE,
  name: 'Đăng ký thành lập hộ kinh doanh',
  onlineMode: 'PARTIAL',
  effectiveFrom: '2023-06-01',
  decisionRef: 'QĐ 1234/QĐ-UBND',
  ...overrides,
});

export const decision = (overrides: Record<string, unknown> = {}) => ({
  effectiveFrom: '2023-07-01',
  decisionRef: 'QĐ 2345/QĐ-UBND',
  ...overrides,
});

let sequence = 100_000;
/** A procedure code no other test of the file uses, so that tests do not share streams. */
export function freshProcedureCode(): string {
  sequence += 1;
  return `1.${String(sequence).padStart(6, '0')}`;
}

export function proceduresPath(authorityCode = BINH_DUONG): string {
  return `/api/authorities/${authorityCode}/procedures`;
}

export function procedurePath(procedureCode: string, authorityCode = BINH_DUONG): string {
  return `${proceduresPath(authorityCode)}/${procedureCode}`;
}
