// The page's state lives in the address's fragment, so that every view can be linked, bookmarked and
// reloaded: #/?at=2023-06-01&knownAt=…&b=2023, #/a/74?…, #/a/74/list?mode=FULL_PROCESS&…, #/a/74/p/9.000001.
import { signal } from '@preact/signals';
import type { Boundaries, OnlineMode, PaperIntake } from './api.js';

export interface Route {
  view: 'national' | 'province' | 'list' | 'trail';
  authority?: string;
  procedure?: string;
  params: URLSearchParams;
}

export function parse(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'a' && parts[1]) {
    if (parts[2] === 'list') return { view: 'list', authority: parts[1], params };
    if (parts[2] === 'p' && parts[3]) return { view: 'trail', authority: parts[1], procedure: parts[3], params };
    return { view: 'province', authority: parts[1], params };
  }
  return { view: 'national', params };
}

export const route = signal<Route>(parse(location.hash));
window.addEventListener('hashchange', () => {
  route.value = parse(location.hash);
});

/** A fragment link: the path and the given parameters (undefined and empty ones left out). */
export function href(path: string, params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [k, String(v)])).toString();
  return `#${path}${search ? `?${search}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | number | undefined | null>): void {
  location.hash = href(path, params);
}

/** Today in Vietnam (UTC+7), as YYYY-MM-DD: the API's default `at`. */
export function todayInVietnam(): string {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The shared view parameters: date, known-at, boundaries. */
export interface ViewParams {
  at: string;
  knownAt?: string;
  boundaries?: Boundaries;
}

export function viewParams(params: URLSearchParams): ViewParams {
  const at = params.get('at');
  const b = params.get('b');
  return {
    at: at && /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : todayInVietnam(),
    knownAt: params.get('knownAt') || undefined,
    boundaries: b === '2023' || b === '2025' ? b : undefined,
  };
}

export const asLink = (p: ViewParams) => ({ at: p.at, knownAt: p.knownAt, b: p.boundaries });

export function listFilter(params: URLSearchParams): { onlineMode?: OnlineMode; paperIntake?: PaperIntake; page: number } {
  const mode = params.get('mode');
  const paper = params.get('paper');
  return {
    onlineMode: mode === 'FULL_PROCESS' || mode === 'PARTIAL' || mode === 'INFORMATION_ONLY' ? mode : undefined,
    paperIntake: paper === 'DISABLED' || paper === 'ACCEPTED' ? paper : undefined,
    page: Math.max(1, Number(params.get('page')) || 1),
  };
}
