import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { authorityScope, type AuthorityScope } from '@tthc/domain';
import { claimAt, isRole, subjectProblem, type Role } from '@tthc/platform';
import { AuthenticationRequired, AuthenticationUnavailable } from './auth.errors.js';
import type { JwtAuthOptions } from './auth.options.js';

/** Who is calling: the token's subject (recorded as each event's actor), its roles and the authorities it acts for. */
export interface Principal {
  subject: string;
  roles: readonly Role[];
  /** From the authorities claim (AUTH_AUTHORITIES_CLAIM); no unit at all when the token has none. */
  authorities: AuthorityScope;
  /** The token's `iat`, when it has one: the scope's lineage rule reads the units as they stood then. */
  issuedAt?: Date;
}

/** The algorithms each kind of key verifies. A shared secret never verifies an RS/ES token, nor the reverse. */
const SECRET_ALGORITHMS = ['HS256'];
const JWKS_ALGORITHMS = ['RS256', 'ES256'];
/** Larger tokens are refused unread; an identity provider's tokens are a few KiB at most. */
const MAX_TOKEN_LENGTH = 8_192;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/**
 * Tokens verified recently, each remembered until its `exp` at the latest (bounded by count: at most
 * 8 MiB of tokens of the largest size accepted).
 */
const VERIFIED_TOKENS = 1_000;
/** A verified token is verified again after this long at the latest (ms), however far its `exp`. */
const VERIFIED_TOKEN_TTL_MS = 10 * 60_000;

const invalid = (message: string) => new AuthenticationRequired('invalid_token', message);

/**
 * Verifies bearer JWTs with `jose`: HS256 with the configured secret, RS256/ES256 with the keys of the
 * identity provider's JWKS (fetched and cached by jose, refetched for an unknown `kid`). `exp` and
 * `sub` are required; `iss` and `aud` are checked when configured.
 *
 * A token that verified is remembered, keyed by the token itself, until the second before its `exp`
 * (and for 10 minutes at most; the 1,000 most recently used): a client sends the same token with
 * every request, and verifying its signature was the largest single cost of a request
 * (bench/http.bench.ts). Only a success is remembered, and of the time-dependent checks only `exp`
 * can turn a success into a failure later (`nbf` and `iat` only the reverse); from the second of its
 * `exp` on, the token is verified again, and jose's clock tolerance applies as before.
 */
export class TokenVerifier {
  private readonly secret: KeyObject | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly rolesClaim: string;
  private readonly authoritiesClaim: string;
  private readonly verified: LRUCache<string, Principal>;

  /** `now`: the clock, in ms since the epoch (tests move it). */
  constructor(
    private readonly options: JwtAuthOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS, perf: { now }, ttlResolution: 0 });
    // A KeyObject made once: given raw bytes, jose imports a WebCrypto key on every verification
    // (a tenth of the api's CPU under load, measured with bench/http.bench.ts).
    this.secret = options.secret === undefined ? undefined : createSecretKey(Buffer.from(options.secret, 'utf8'));
    this.jwks =
      options.jwksUrl === undefined
        ? undefined
        : createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    this.rolesClaim = options.rolesClaim ?? 'roles';
    this.authoritiesClaim = options.authoritiesClaim ?? 'authorities';
  }

  /** The principal of an `Authorization` header; throws AuthenticationRequired (401) or AuthenticationUnavailable (503). */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new AuthenticationRequired('missing', 'This endpoint needs a bearer token (Authorization: Bearer <token>)');
    }
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) throw new AuthenticationRequired('invalid_request', 'The Authorization header must be: Bearer <token>');
    const token = match[1];
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN68.test(token)) throw invalid('The bearer token is malformed');
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    const payload = await this.verify(token);
    const principal = this.principalOf(payload);
    // Until the start of the second of `exp` (jose refuses from exp + tolerance): never past it.
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, (payload.exp as number) * 1000 - 1000 - this.now());
    if (ttl > 0) this.verified.set(token, principal, { ttl });
    return principal;
  }

  private async verify(token: string): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw invalid('The bearer token is malformed');
    }
    const common = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockToleranceSeconds ?? 30,
      requiredClaims: ['sub', 'exp'],
      currentDate: new Date(this.now()),
    };
    try {
      if (typeof alg === 'string' && SECRET_ALGORITHMS.includes(alg) && this.secret) {
        return (await jwtVerify(token, this.secret, { ...common, algorithms: SECRET_ALGORITHMS })).payload;
      }
      if (typeof alg === 'string' && JWKS_ALGORITHMS.includes(alg) && this.jwks) {
        return (await jwtVerify(token, this.jwks, { ...common, algorithms: JWKS_ALGORITHMS })).payload;
      }
    } catch (error) {
      throw describe(error);
    }
    // The header is the caller's: name its algorithm only when it looks like one.
    const named = typeof alg === 'string' && /^[A-Za-z0-9]{1,16}$/.test(alg) ? alg : 'unnamed';
    throw invalid(`The bearer token's algorithm (${named}) is not accepted`);
  }

  private principalOf(payload: JWTPayload): Principal {
    const problem = subjectProblem(payload.sub);
    if (problem) throw invalid(`The bearer token's subject ${problem}`);
    // Frozen: one principal serves every request that carries its token.
    return Object.freeze({
      subject: payload.sub as string,
      roles: Object.freeze([...new Set(namesIn(claimAt(payload, this.rolesClaim)).filter(isRole))]),
      authorities: authorityScope(namesIn(claimAt(payload, this.authoritiesClaim))),
      ...(typeof payload.iat === 'number' && Number.isFinite(payload.iat) && { issuedAt: new Date(payload.iat * 1000) }),
    });
  }
}

/**
 * The entries of a claim holding an array of names or a string of names separated by spaces or commas;
 * nothing for any other shape. The caller keeps only the entries it knows (roles; codes or `*`).
 */
function namesIn(claim: unknown): unknown[] {
  return Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
}

/** What a client may be told about a token that does not verify; never the key or the token. */
function describe(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  // Not a JOSE error: fetching the JWKS failed (a network error), nothing the token can be blamed for.
  if (typeof code !== 'string' || !code.startsWith('ERR_J')) return new AuthenticationUnavailable({ cause: error });
  switch (code) {
    case errors.JWTExpired.code:
      return invalid('The bearer token has expired');
    case errors.JWTClaimValidationFailed.code: {
      const { claim, reason } = error as errors.JWTClaimValidationFailed;
      if (reason === 'missing') return invalid(`The bearer token has no "${claim}" claim`);
      if (claim === 'nbf') return invalid('The bearer token is not valid yet');
      if (claim === 'iat') return invalid('The bearer token was issued in the future');
      if (claim === 'iss') return invalid("The bearer token's issuer is not accepted");
      if (claim === 'aud') return invalid("The bearer token's audience is not accepted");
      return invalid(`The bearer token's "${claim}" claim is not valid`);
    }
    case errors.JWSSignatureVerificationFailed.code:
      return invalid("The bearer token's signature does not verify");
    case errors.JOSEAlgNotAllowed.code:
    case errors.JOSENotSupported.code:
      return invalid("The bearer token's algorithm is not accepted");
    case errors.JWKSNoMatchingKey.code:
    case errors.JWKSMultipleMatchingKeys.code:
      return invalid("No key of the identity provider matches the bearer token's key id");
    case errors.JWKSTimeout.code:
    case errors.JWKSInvalid.code:
      return new AuthenticationUnavailable({ cause: error });
    case errors.JWSInvalid.code:
    case errors.JWTInvalid.code:
    case errors.JWKInvalid.code:
      return invalid('The bearer token is malformed');
    case 'ERR_JOSE_GENERIC':
      // The identity provider answered the JWKS request with something other than 200.
      return new AuthenticationUnavailable({ cause: error });
    default:
      return invalid('The bearer token is not valid');
  }
}
