import type { Role } from '@tthc/platform';

/** No bearer token, or one that does not verify: 401 with `WWW-Authenticate: Bearer`. */
export class AuthenticationRequired extends Error {
  readonly code = 'AUTHENTICATION_REQUIRED';
  constructor(
    /** `missing`: no credentials were sent (RFC 6750 §3.1: no error code then). */
    readonly reason: 'missing' | 'invalid_token' | 'invalid_request',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationRequired';
  }
}

/** A valid token without a role the endpoint accepts: 403. */
export class AccessDenied extends Error {
  readonly code = 'ACCESS_DENIED';
  constructor(readonly required: readonly Role[]) {
    super(required.length === 1 ? `This endpoint needs the role ${required[0]}` : `This endpoint needs one of the roles ${required.join(', ')}`);
    this.name = 'AccessDenied';
  }
}

/** The identity provider's keys could not be fetched: the token may be fine, retry later (503). */
export class AuthenticationUnavailable extends Error {
  readonly code = 'AUTHENTICATION_UNAVAILABLE';
  constructor(options?: { cause?: unknown }) {
    super("The identity provider's signing keys could not be fetched", options);
    this.name = 'AuthenticationUnavailable';
  }
}

/**
 * A valid token whose authority scope does not cover the authority a request is for (issue 14): 403
 * naming the authority. `authorityCode` is null for an endpoint that is not one authority's.
 */
export class OutsideAuthorityScope extends Error {
  readonly code = 'OUTSIDE_AUTHORITY_SCOPE';
  constructor(
    readonly authorityCode: string | null,
    /** The caller's scope as `describeScope` names it: `*`, `74,79` or `none`. */
    readonly scope: string,
    why: string,
  ) {
    super(
      authorityCode === null
        ? `This endpoint is national: it needs the authority scope * (the token's scope is ${scope})`
        : `The token may not act for authority ${authorityCode}: ${why}`,
    );
    this.name = 'OutsideAuthorityScope';
  }
}
