// The dashboard's shell: sign-in (a token from the URL fragment or pasted), the language switch, the
// api's health, and the view the fragment names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getHealth, takeTokenFromLocation, token } from './api.js';
import { lang, setLang, t } from './i18n.js';
import { NationalView } from './national.js';
import { ListView, TrailView } from './procedures.js';
import { ProvinceView } from './province.js';
import { completeSignIn, oidcSettings, signInWithProvider } from './oidc.js';
import { parse, route } from './route.js';
import './styles.css';

takeTokenFromLocation();
const signInError = await completeSignIn();
route.value = parse(location.hash); // the view the sign-in started from
document.documentElement.lang = lang.value;

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [value, setValue] = useState('');
  const oidc = oidcSettings();
  return (
    <main id="main" class="signin">
      <h1>{t('signin.title')}</h1>
      {signInError && (
        <p class="error" role="alert">
          {signInError}
        </p>
      )}
      {oidc && (
        <p>
          <button type="button" class="primary" data-signin="oidc" onClick={() => void signInWithProvider(oidc)}>
            {t('signin.oidc')}
          </button>
        </p>
      )}
      <p>{t('signin.text')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) {
            token.set(value);
            onSignedIn();
          }
        }}
      >
        <label>
          {t('signin.token')}
          <textarea name="token" rows={4} value={value} onInput={(e) => setValue(e.currentTarget.value)} spellcheck={false} autocomplete="off" />
        </label>
        <button type="submit">{t('signin.submit')}</button>
      </form>
    </main>
  );
}

function Health() {
  const [health, setHealth] = useState<Awaited<ReturnType<typeof getHealth>> | null>(null);
  useEffect(() => {
    const check = () => getHealth().then(setHealth);
    check();
    const timer = setInterval(check, 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!health) return null;
  const behind = health.projector && health.projector.status !== 'up';
  if (health.status === 'ok' && !behind) return null;
  return (
    <p class="banner" role="status">
      {behind ? t('health.behind') : t('health.down')}
    </p>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(token.get() !== null);
  const claims = token.claims();
  const r = route.value;
  const expires = claims?.exp ? new Date(claims.exp * 1000) : null;
  void lang.value; // re-render on a language switch
  return (
    <>
      <a class="skip" href="#main">
        {lang.value === 'vi' ? 'Tới nội dung chính' : 'Skip to content'}
      </a>
      <header class="top">
        <div>
          <a href="#/" class="brand">
            {t('title')}
          </a>
          <span class="subtitle">{t('subtitle')}</span>
        </div>
        <div class="who">
          {signedIn && claims && (
            <span>
              {t('signedInAs')} {claims.sub} {expires && `(${t('until')} ${expires.toLocaleTimeString(lang.value === 'vi' ? 'vi-VN' : 'en-GB', { hour: '2-digit', minute: '2-digit' })})`}{' '}
              <button
                type="button"
                class="link"
                onClick={() => {
                  token.clear();
                  setSignedIn(false);
                }}
              >
                {t('signOut')}
              </button>
            </span>
          )}
          <button type="button" class="lang" title={t('lang.label')} onClick={() => setLang(lang.value === 'vi' ? 'en' : 'vi')} lang={lang.value === 'vi' ? 'en' : 'vi'}>
            {t('lang.switch')}
          </button>
        </div>
      </header>
      <Health />
      {!signedIn ? (
        <SignIn onSignedIn={() => setSignedIn(true)} />
      ) : r.view === 'list' ? (
        <ListView authority={r.authority!} params={r.params} />
      ) : r.view === 'trail' ? (
        <TrailView authority={r.authority!} procedure={r.procedure!} params={r.params} />
      ) : r.view === 'province' ? (
        <ProvinceView authority={r.authority!} params={r.params} />
      ) : (
        <NationalView params={r.params} />
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
