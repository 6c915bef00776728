import { readConfig } from './config.js';

describe('readConfig: the event store', () => {
  it('is PostgreSQL unless EVENT_STORE says otherwise', () => {
    expect(readConfig({}).eventStore).toEqual({ kind: 'postgres' });
    expect(readConfig({ EVENT_STORE: 'postgres', KURRENTDB_CONNECTION_STRING: 'kurrentdb://k:2113' }).eventStore).toEqual({ kind: 'postgres' });
  });

  it('is KurrentDB at KURRENTDB_CONNECTION_STRING with EVENT_STORE=kurrentdb', () => {
    const env = { EVENT_STORE: 'kurrentdb', KURRENTDB_CONNECTION_STRING: 'kurrentdb://k1:2113,k2:2113?tls=false' };
    expect(readConfig(env).eventStore).toEqual({ kind: 'kurrentdb', connectionString: 'kurrentdb://k1:2113,k2:2113?tls=false' });
  });

  it('keeps the connection string for migrate-events whatever the store', () => {
    expect(readConfig({ KURRENTDB_CONNECTION_STRING: 'kurrentdb://k:2113' }).kurrentdbConnectionString).toBe('kurrentdb://k:2113');
    expect(readConfig({}).kurrentdbConnectionString).toBeUndefined();
  });

  it('refuses an unknown store, or KurrentDB without a connection string', () => {
    expect(() => readConfig({ EVENT_STORE: 'mongodb' })).toThrow("EVENT_STORE must be postgres or kurrentdb, got 'mongodb'");
    expect(() => readConfig({ EVENT_STORE: 'kurrentdb' })).toThrow(/needs KURRENTDB_CONNECTION_STRING/);
  });
});
