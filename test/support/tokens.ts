import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { TEST_JWT_SECRET } from './api-app.js';

/** Claims of a token the harness's api accepts: a subject, administrator of national scope, valid for an hour. */
export function claims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'someone', roles: ['administrator'], authorities: ['*'], iat: now, exp: now + 3_600, ...overrides };
}

/** A token over `payload`, signed by `key` with `alg` (HS256 with the harness secret by default). */
export function sign(
  payload: JWTPayload,
  options: { alg?: string; key?: CryptoKey | Uint8Array | string; kid?: string; typ?: string } = {},
): Promise<string> {
  const key = options.key ?? TEST_JWT_SECRET;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: options.typ ?? 'JWT', ...(options.kid && { kid: options.kid }) })
    .sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (`alg: none`, empty signature), as RFC 7519 §6 defines it. */
export function unsigned(payload: JWTPayload, alg = 'none'): string {
  return `${base64url({ alg, typ: 'JWT' })}.${base64url(payload)}.`;
}

/** `token` with its payload replaced but its signature kept. */
export function tampered(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(payload)}.${signature}`;
}

export interface IdentityProvider {
  jwksUrl: string;
  /** Signs with the provider's RS256 or ES256 key (its `kid` in the header). */
  sign(payload: JWTPayload, alg?: 'RS256' | 'ES256'): Promise<string>;
  /** An RS256 key pair the provider does not publish. */
  stranger: { privateKey: CryptoKey; publicKey: CryptoKey };
  /** The published RSA key as PEM text, for the HS256-with-the-public-key confusion attack. */
  rsaPublicPem: string;
  /** Answer the JWKS requests with 503 from now on. */
  fail(): void;
  requests(): number;
  close(): Promise<void>;
}

/** A local identity provider: an http server publishing an RS256 and an ES256 key as a JWKS. */
export async function startIdentityProvider(): Promise<IdentityProvider> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  const { createPublicKey } = await import('node:crypto');
  const rsaPublicPem = createPublicKey({ key: keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  let failing = false;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    if (failing || req.url !== '/jwks') {
      res.writeHead(failing ? 503 : 404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks`,
    sign: (payload, alg = 'RS256') =>
      sign(payload, alg === 'RS256' ? { alg, key: rsa.privateKey, kid: 'rsa-1' } : { alg, key: ec.privateKey, kid: 'ec-1' }),
    stranger,
    rsaPublicPem,
    fail: () => {
      failing = true;
    },
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
