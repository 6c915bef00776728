import pg from 'pg';

// Calendar dates stay 'YYYY-MM-DD' strings end to end: pg's default turns a DATE into a JS Date at
// local midnight, which shifts the day in any time zone west of UTC. Applies to TypeORM too (same pg).
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (value: string) => value);
