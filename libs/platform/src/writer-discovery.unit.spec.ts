import { databaseHosts, NoWritableDatabase } from './writer-discovery.js';
import { isDatabaseUnreachable } from './database-errors.js';

describe('databaseHosts (DATABASE_URL read as libpq reads it)', () => {
  it('a URL of one host, without target_session_attrs, comes back as it is', () => {
    expect(databaseHosts('postgres://u:p@db:5432/tthc?sslmode=disable')).toEqual({ urls: ['postgres://u:p@db:5432/tthc?sslmode=disable'], findWriter: false });
  });

  it('several hosts: one URL each, in order, with the same credentials, database and options, target_session_attrs taken out', () => {
    expect(databaseHosts('postgres://u:p%40ss@a:5432,b:5433/tthc?target_session_attrs=read-write&sslmode=disable')).toEqual({
      urls: ['postgres://u:p%40ss@a:5432/tthc?sslmode=disable', 'postgres://u:p%40ss@b:5433/tthc?sslmode=disable'],
      findWriter: true,
    });
  });

  it('one host with target_session_attrs=read-write (or primary) asks it too; any does not', () => {
    expect(databaseHosts('postgres://u@a/tthc?target_session_attrs=primary')).toEqual({ urls: ['postgres://u@a/tthc'], findWriter: true });
    expect(databaseHosts('postgres://u@a/tthc?target_session_attrs=any').findWriter).toBe(false);
  });

  it('refuses what the app cannot honour: an empty host, a read-only target', () => {
    expect(() => databaseHosts('postgres://u@a,,b/tthc')).toThrow(/empty host/);
    expect(() => databaseHosts('postgres://u@a,b/tthc?target_session_attrs=standby')).toThrow(/read-write, primary or any/);
  });
});

describe('NoWritableDatabase', () => {
  it('counts as the database being unreachable (the api answers 503) and names each host', () => {
    const error = new NoWritableDatabase([{ host: 'a:5432', state: 'unreachable' }, { host: 'b:5432', state: 'standby' }]);
    expect(isDatabaseUnreachable(error)).toBe(true);
    expect(error.message).toBe('No database server accepts writes now (a:5432: unreachable, b:5432: standby)');
  });
});
