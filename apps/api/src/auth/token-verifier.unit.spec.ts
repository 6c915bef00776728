import { mintToken } from '@tthc/platform';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const START = Date.UTC(2026, 10, 30, 9, 0, 0);

/** A verifier on a clock the test moves (ms since the epoch). */
function verifierAt(start: number) {
  const clock = { ms: start };
  return { clock, verifier: new TokenVerifier({ secret: SECRET }, () => clock.ms) };
}

const token = (options: { secret?: string; expiresIn?: string; now?: number } = {}) =>
  mintToken({
    secret: options.secret ?? SECRET,
    subject: 'nguyen.van.a',
    roles: ['administrator'],
    authorities: ['74'],
    expiresIn: options.expiresIn ?? '1h',
    now: new Date(options.now ?? START),
  });

describe('TokenVerifier: verified tokens remembered', () => {
  it('answers a token it verified with the same principal, frozen', async () => {
    const { verifier } = verifierAt(START);
    const bearer = `Bearer ${await token()}`;
    const first = await verifier.authenticate(bearer);
    expect(first).toEqual(expect.objectContaining({ subject: 'nguyen.van.a', roles: ['administrator'], authorities: { national: false, units: ['74'] } }));
    expect(await verifier.authenticate(bearer)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.roles)).toBe(true);
  });

  it('refuses a token it remembered once it has expired, as jose does (30 s tolerance)', async () => {
    const { clock, verifier } = verifierAt(START);
    const bearer = `Bearer ${await token({ expiresIn: '2m' })}`;
    await verifier.authenticate(bearer);
    clock.ms = START + 120_000 + 10_000; // 10 s past exp: within the tolerance
    await expect(verifier.authenticate(bearer)).resolves.toEqual(expect.objectContaining({ subject: 'nguyen.van.a' }));
    clock.ms = START + 120_000 + 31_000;
    await expect(verifier.authenticate(bearer)).rejects.toThrow('The bearer token has expired');
  });

  it('remembers a token only as the exact string that verified', async () => {
    const { verifier } = verifierAt(START);
    const good = await token();
    await verifier.authenticate(`Bearer ${good}`);
    // The same header and claims with another signature.
    const [header, claims] = good.split('.');
    const forged = `${header}.${claims}.${(await token({ secret: 'another-secret-of-at-least-thirty-two-bytes' })).split('.')[2]}`;
    await expect(verifier.authenticate(`Bearer ${forged}`)).rejects.toThrow("The bearer token's signature does not verify");
    const tampered = `${good.slice(0, -2)}${good.at(-2) === 'A' ? 'B' : 'A'}${good.at(-1)}`;
    await expect(verifier.authenticate(`Bearer ${tampered}`)).rejects.toThrow();
  });
});
