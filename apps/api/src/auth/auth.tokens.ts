/** AuthOptions (auth.options.ts): how the api authenticates. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
/** The TokenVerifier, or null when authentication is off. */
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
