// Signing in through the identity provider (OpenID Connect, Authorization Code with PKCE) with
// oidc-client-ts, when the api announces a provider (AUTH_OIDC_ISSUER / AUTH_OIDC_CLIENT_ID: a meta
// element in index.html). The access token it gets is the bearer token the api verifies (AUTH_JWKS_URL).
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { token } from './api.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

export function oidcSettings(): OidcSettings | null {
  const content = document.querySelector<HTMLMetaElement>('meta[name="tthc-oidc"]')?.content;
  if (!content) return null;
  try {
    return JSON.parse(content) as OidcSettings;
  } catch {
    return null;
  }
}

function manager(s: OidcSettings): UserManager {
  return new UserManager({
    authority: s.issuer,
    client_id: s.clientId,
    redirect_uri: `${location.origin}/`,
    response_type: 'code',
    scope: s.scope,
    loadUserInfo: false,
    automaticSilentRenew: false,
    userStore: new WebStorageStateStore({ store: sessionStorage }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    ...(s.resource && { extraQueryParams: { resource: s.resource }, extraTokenParams: { resource: s.resource } }),
  });
}

/** To the provider's sign-in; back on this page with a code (PKCE: the verifier stays in sessionStorage). */
export function signInWithProvider(s: OidcSettings): Promise<void> {
  return manager(s).signinRedirect({ state: location.hash || '#/' });
}

/**
 * On the way back from the provider (`/?code=…&state=…`): exchanges the code for the tokens, keeps
 * the access token as the bearer token and restores the view the sign-in started from. Returns an
 * error message when the exchange failed, null otherwise.
 */
export async function completeSignIn(): Promise<string | null> {
  const query = new URLSearchParams(location.search);
  const s = oidcSettings();
  if (!s || !query.has('state') || !(query.has('code') || query.has('error'))) return null;
  try {
    const user = await manager(s).signinRedirectCallback();
    token.set(user.access_token);
    history.replaceState(null, '', `/${typeof user.state === 'string' ? user.state : '#/'}`);
    return null;
  } catch (error) {
    history.replaceState(null, '', '/#/');
    return (error as Error).message;
  }
}
