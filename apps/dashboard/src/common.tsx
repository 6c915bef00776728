// Pieces every view shares: loading a query with its states, the date / known-at / boundaries
// controls, the stamp with CSV export and the API call, and error messages that say what happened.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ApiError, type Boundaries } from './api.js';
import { t, type Key } from './i18n.js';
import { todayInVietnam, type ViewParams } from './route.js';

export type Loaded<T> = { state: 'loading'; data?: T } | { state: 'ok'; data: T } | { state: 'error'; error: ApiError | Error; data?: T };

/**
 * Runs `load` whenever `deps` change; with `pollMs`, runs it again on that period while the tab is
 * visible and keeps the newer answer (live updates by polling: each view's own query, its `position`
 * compared).
 */
export function useQuery<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> & { reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setResult((previous) => ({ state: 'loading', data: previous.data }));
    load().then(
      (data) => mine === generation.current && setResult({ state: 'ok', data }),
      (error: Error) => mine === generation.current && setResult((previous) => ({ state: 'error', error, data: previous.data })),
    );
  }, [...deps, tick]);
  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      const mine = generation.current;
      load().then(
        (data) => mine === generation.current && setResult({ state: 'ok', data }),
        () => undefined,
      );
    }, pollMs);
    return () => clearInterval(timer);
  }, [...deps, pollMs]);
  return { ...result, reload: () => setTick((n) => n + 1) };
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  const kind = error instanceof ApiError ? error.kind : 'other';
  const detail = error instanceof ApiError && (kind === 'invalid' || kind === 'other' || kind === 'not-found') ? ` ${error.detail}` : '';
  return (
    <div class="error" role="alert" data-kind={kind}>
      <p>
        {t(`error.${kind}` as Key)}
        {detail}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status" aria-live="polite">
      {t('loading')}
    </p>
  );
}

/** YYYY-MM-DD of the first day of this month, quarter, year (in Vietnam). */
function presets(): { key: Key | null; label?: string; date: string }[] {
  const today = todayInVietnam();
  const [y, m] = today.split('-').map(Number);
  const pad = (n: number) => String(n).padStart(2, '0');
  return [
    { key: 'preset.today', date: today },
    { key: 'preset.month', date: `${y}-${pad(m)}-01` },
    { key: 'preset.quarter', date: `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01` },
    { key: 'preset.year', date: `${y}-01-01` },
    { key: null, label: '2023-06-01', date: '2023-06-01' },
    { key: null, label: '2023-10-16', date: '2023-10-16' },
    { key: null, label: '2025-07-01', date: '2025-07-01' },
  ];
}

/** `datetime-local` value (Vietnam time) ⇄ ISO instant. */
const toLocalInput = (iso?: string) => (iso ? new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 16) : '');
const fromLocalInput = (value: string) => (value ? `${value}:00+07:00` : undefined);

export function Controls({ value, onChange, showBoundaries = true }: { value: ViewParams; onChange: (next: ViewParams) => void; showBoundaries?: boolean }) {
  return (
    <form class="controls" onSubmit={(e) => e.preventDefault()} aria-label={t('at')}>
      <label>
        {t('at')}
        <input type="date" name="at" value={value.at} min="2000-01-01" max="2099-12-31" required onChange={(e) => e.currentTarget.value && onChange({ ...value, at: e.currentTarget.value })} />
      </label>
      <fieldset class="presets">
        <legend>{t('presets')}</legend>
        {presets().map((p) => (
          <button type="button" key={p.date + (p.key ?? '')} aria-pressed={value.at === p.date} onClick={() => onChange({ ...value, at: p.date })}>
            {p.key ? t(p.key) : p.label}
          </button>
        ))}
      </fieldset>
      <label title={t('knownAt.hint')}>
        {t('knownAt')}
        <input
          type="datetime-local"
          name="knownAt"
          value={toLocalInput(value.knownAt)}
          onChange={(e) => onChange({ ...value, knownAt: fromLocalInput(e.currentTarget.value) })}
        />
        {value.knownAt && (
          <button type="button" class="link" onClick={() => onChange({ ...value, knownAt: undefined })}>
            {t('knownAt.now')}
          </button>
        )}
      </label>
      {showBoundaries && (
        <label>
          {t('boundaries')}
          <select name="boundaries" value={value.boundaries ?? ''} onChange={(e) => onChange({ ...value, boundaries: (e.currentTarget.value || undefined) as Boundaries | undefined })}>
            <option value="">{t('boundaries.auto')}</option>
            <option value="2023">{t('boundaries.2023')}</option>
            <option value="2025">{t('boundaries.2025')}</option>
          </select>
        </label>
      )}
    </form>
  );
}

/** Saves `text` as a file (a blob URL on a temporary link). */
export function download(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * What an answer reflects (date, known-at, log position), the API call that produced it (with
 * `asOfPosition` to regenerate it exactly) and the CSV export.
 */
export function Stamp({ at, knownAt, position, path, onExport }: { at?: string; knownAt?: string | null; position: number; path: string; onExport?: () => void }) {
  const exact = `${path}${path.includes('?') ? '&' : '?'}asOfPosition=${position}`.replace(/&?knownAt=[^&]*/, '').replace('?&', '?');
  return (
    <div class="stamp" data-position={position}>
      <span>
        {at && (
          <>
            {t('stamp.at')} <strong>{at}</strong> ·{' '}
          </>
        )}
        {t('stamp.knownAt')} <strong>{knownAt ?? t('knownAt.now')}</strong> · {t('position')} <strong class="position">{position}</strong>
      </span>
      <span class="stamp-actions">
        {onExport && (
          <button type="button" onClick={onExport}>
            {t('exportCsv')}
          </button>
        )}
        <span class="api-link">
          {t('apiCall')}:{' '}
          <code title={`curl -H "Authorization: Bearer $TOKEN" '${location.origin}${exact}'`}>GET {exact}</code>
        </span>
      </span>
    </div>
  );
}

/** CSV (RFC 4180, CRLF, header row first) of rows, cells that would start a formula prefixed with '. */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
