import type { AuthConfig } from '@tthc/platform';

/** How the api authenticates: bearer JWTs, or (AUTH_DISABLED=true, development only) not at all. */
export type AuthOptions = ({ disabled: true } | JwtAuthOptions) & {
  /** `restricted`: queries are limited to the caller's authority scope too (AUTH_QUERY_SCOPE; default open). */
  queryScope?: 'open' | 'restricted';
};

export interface JwtAuthOptions {
  disabled?: false;
  /** HS256 shared secret (AUTH_JWT_SECRET or DATA_DIR/jwt-secret). */
  secret?: string;
  /** The identity provider's JWKS, for RS256 and ES256 tokens (AUTH_JWKS_URL). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Where the roles are: a claim name or a dotted path (default `roles`). */
  rolesClaim?: string;
  /** Where the authority scope is: a claim name or a dotted path (default `authorities`). */
  authoritiesClaim?: string;
  /** Clock skew tolerated on `exp` and `nbf` (default 30 s). */
  clockToleranceSeconds?: number;
}

export class AuthNotConfigured extends Error {
  constructor() {
    super(
      'Authentication is not configured: set AUTH_JWT_SECRET (HS256, at least 32 bytes) or AUTH_JWKS_URL (your identity ' +
        "provider's RS256/ES256 keys). AUTH_DISABLED=true runs the api without authentication, for local development only.",
    );
    this.name = 'AuthNotConfigured';
  }
}

/** The options of AUTH_* (see readConfig), the embedded default's secret file aside; throws when there are none. */
export function authOptionsFromConfig(config: AuthConfig, fallbackSecret?: string): AuthOptions {
  if (config.disabled) return { disabled: true, queryScope: config.queryScope };
  const secret = config.jwtSecret ?? fallbackSecret;
  if (secret === undefined && config.jwksUrl === undefined) throw new AuthNotConfigured();
  return {
    secret,
    jwksUrl: config.jwksUrl,
    issuer: config.issuer,
    audience: config.audience,
    rolesClaim: config.rolesClaim,
    authoritiesClaim: config.authoritiesClaim,
    queryScope: config.queryScope,
  };
}
