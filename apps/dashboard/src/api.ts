// The documented HTTP API (../shared/API.md, /docs-json), as the dashboard calls it: same origin,
// a bearer token from the sign-in (URL fragment or pasted), JSON or CSV. Nothing else is called.
// The answers' types are the contract's shapes (the fields this page reads), not the server's code.

export type OnlineMode = 'FULL_PROCESS' | 'PARTIAL' | 'INFORMATION_ONLY';
export type PaperIntake = 'ACCEPTED' | 'DISABLED';
export type Boundaries = '2023' | '2025';

export interface Share {
  count: number;
  share: number;
}

export interface Figures {
  at: string;
  knownAt: string | null;
  position: number;
  asOfPosition?: number;
  total: number;
  online: Share;
  fullProcess: Share;
  partial: Share;
  informationOnly: Share;
  paperIntakeDisabled: Share;
}

export interface UnitLineage {
  kind: string;
  nameEn: string | null;
  region: string | null;
  establishedFrom: string;
  validFrom: string;
  validTo: string | null;
  territory: string[];
  predecessors: string[];
  successorCode: string | null;
  dissolvedOn: string | null;
}

export interface AuthoritySummary extends Figures {
  authorityCode: string;
  authorityName: string;
  boundaries?: Boundaries;
  composedOf?: string[];
  servedBy?: string;
  dissolvedOn?: string;
}

export interface AuthorityRow extends AuthoritySummary {
  lineage: UnitLineage;
}

export interface NationalSummary {
  at: string;
  knownAt: string | null;
  position: number;
  boundaries: Boundaries;
  authorities: AuthorityRow[];
  totals: Figures & { authorityCode: null; authorityName: string };
}

export interface Transitions {
  registered: number;
  upgradedToFullProcess: number;
  upgradedToPartial: number;
  downgradedToPartial: number;
  downgradedToInformationOnly: number;
  paperIntakeDisabled: number;
  paperIntakeReenabled: number;
  withdrawn: number;
  discontinued: number;
}

export interface Movement {
  authorityCode: string;
  boundaries: Boundaries;
  position: number;
  from: AuthoritySummary;
  to: AuthoritySummary;
  delta: { total: number; fullProcess: number; partial: number; informationOnly: number; paperIntakeDisabled: number };
  transitions: Transitions;
  transitionsByAuthority: { authorityCode: string; from: string; to: string; transitions: Transitions }[];
  lineage: { effectiveFrom: string; successorCode: string; successorName: string; predecessors: string[]; legalBasis: string | null }[];
}

/** A count of authorities among a total, and its share (a percentage, 2 decimals). */
export interface FactShare {
  count: number;
  total: number;
  share: number;
}

/** `GET /api/national-facts`: procedure-handling systems and National Population Database connections on `at`. */
export interface NationalFacts {
  at: string;
  knownAt: string | null;
  position: number;
  procedureHandlingSystems: FactShare & { requirements: string; byKind: { ministries: FactShare; localities: FactShare } };
  populationDatabase: FactShare & { byKind: { ministries: FactShare; localities: FactShare } };
}

/** A procedure as the API describes it (ProcedureDescription, with its keys). */
export interface ProcedureDescription {
  authorityCode: string;
  procedureCode: string;
  name: string;
  field: string | null;
  level: string | null;
  onlineMode: OnlineMode;
  paperIntake: PaperIntake;
}

export interface ProcedureItem extends ProcedureDescription {
  inForceFrom: string;
}

export interface ProcedurePage {
  at: string;
  knownAt: string | null;
  position: number;
  boundaries?: Boundaries;
  composedOf?: string[];
  authorityCode: string;
  page: number;
  pageSize: number;
  total: number;
  items: ProcedureItem[];
}

export interface ProcedureState extends ProcedureDescription {
  withdrawn: boolean;
  withdrawnFrom?: string;
  lastEffectiveFrom: string;
  revision: number;
  position: number;
}

export interface RecordedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  revision: number;
  globalPosition: number;
  recordedAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  schemaVersion: number;
  /** Added by the corrections work when an event was later corrected (any shape: shown if present). */
  [extra: string]: unknown;
}

export interface ProcedureEvents {
  streamId: string;
  events: RecordedEvent[];
}

/** Why a call failed, in the words the page shows (see i18n `error.*`). */
export type FailureKind = 'unauthorised' | 'forbidden' | 'behind' | 'unavailable' | 'not-found' | 'invalid' | 'network' | 'other';

export class ApiError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number,
    readonly detail: string,
    readonly path: string,
  ) {
    super(`${status} ${detail} (${path})`);
  }
}

const TOKEN_KEY = 'tthc-dashboard-token';

/** The bearer token: taken from `#token=…` once (then removed from the address bar), kept for the tab's session. */
export function takeTokenFromLocation(): void {
  const match = /(?:^#|[&?])token=([A-Za-z0-9._-]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, match[1]);
  const rest = location.hash.replace(/(^#|[&?])token=[A-Za-z0-9._-]+&?/, '$1').replace(/[&?]$/, '');
  history.replaceState(null, '', `${location.pathname}${location.search}${rest === '#' ? '#/' : rest || '#/'}`);
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value.trim()),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
  /** The token's claims (unverified: only to say who is signed in and until when). */
  claims(): { sub?: string; roles?: string[] | string; exp?: number } | null {
    const value = this.get();
    if (!value) return null;
    try {
      const payload = value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(decodeURIComponent(escape(atob(payload)))) as { sub?: string; roles?: string[]; exp?: number };
    } catch {
      return null;
    }
  },
};

/** A query string from the defined values, in the given order. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

function classify(status: number, problemType: string): FailureKind {
  if (status === 401) return 'unauthorised';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 400) return 'invalid';
  if (status === 503 && /projection-behind|behind/.test(problemType)) return 'behind';
  if (status === 503) return 'unavailable';
  return 'other';
}

async function call(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const bearer = token.get();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let res: Response;
  try {
    res = await fetch(path, { headers, signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('network', 0, (error as Error).message, path);
  }
  if (!res.ok) {
    let detail = res.statusText;
    let type = '';
    try {
      const problem = (await res.json()) as { detail?: string; title?: string; type?: string; errors?: { field: string; message: string }[] };
      type = problem.type ?? '';
      detail = [problem.detail ?? problem.title ?? detail, ...(problem.errors ?? []).map((e) => `${e.field}: ${e.message}`)].join('; ');
    } catch {
      /* not a problem document */
    }
    throw new ApiError(classify(res.status, `${type} ${detail}`), res.status, detail, path);
  }
  return res;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await call(path, 'application/json', signal)).json()) as T;
}

/** A CSV answer of the API, with the log position and known-at it travels with (response headers). */
export async function getCsv(path: string): Promise<{ text: string; position: string | null; knownAt: string | null }> {
  const res = await call(path, 'text/csv');
  return { text: await res.text(), position: res.headers.get('Log-Position'), knownAt: res.headers.get('Known-At') ?? res.headers.get('As-Of-Position') };
}

/** /health (no token): whether the projector keeps up, to explain an old `position`. */
export async function getHealth(): Promise<{ status: string; projector?: { status?: string; state?: string; lag?: number } }> {
  try {
    const res = await fetch('/health', { headers: { Accept: 'application/json' } });
    const body = (await res.json()) as { status: string; details?: Record<string, Record<string, unknown>>; info?: Record<string, Record<string, unknown>> };
    const projector = (body.details?.projector ?? body.info?.projector) as { status?: string; state?: string; lag?: number } | undefined;
    return { status: body.status, projector };
  } catch {
    return { status: 'unreachable' };
  }
}

/** Runs `tasks` with at most `limit` at once, keeping their order. */
export async function pooled<T>(tasks: (() => Promise<T>)[], limit = 6): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}

type ListParams = { at: string; knownAt?: string; boundaries?: Boundaries; onlineMode?: OnlineMode; paperIntake?: PaperIntake; page?: number; pageSize?: number };
type ViewQuery = { at: string; knownAt?: string; boundaries?: Boundaries };

const nationalPath = (p: ViewQuery) => `/api/summary${query({ at: p.at, knownAt: p.knownAt, boundaries: p.boundaries })}`;
const nationalFactsPath = (p: { at: string; knownAt?: string }) => `/api/national-facts${query({ at: p.at, knownAt: p.knownAt })}`;
const proceduresPath = (a: string, p: ListParams) =>
  `/api/authorities/${a}/procedures${query({ at: p.at, knownAt: p.knownAt, boundaries: p.boundaries, onlineMode: p.onlineMode, paperIntake: p.paperIntake, page: p.page, pageSize: p.pageSize })}`;

export const api = {
  nationalPath,
  national: (p: ViewQuery, signal?: AbortSignal) => getJson<NationalSummary>(nationalPath(p), signal),
  nationalFactsPath,
  nationalFacts: (p: { at: string; knownAt?: string }) => getJson<NationalFacts>(nationalFactsPath(p)),
  units: (p: { at: string; boundaries?: Boundaries }) => getJson<NationalSummary>(`/api/authorities${query(p)}`),
  summary: (a: string, p: ViewQuery) => getJson<AuthoritySummary>(`/api/authorities/${a}/summary${query({ at: p.at, knownAt: p.knownAt, boundaries: p.boundaries })}`),
  movement: (a: string, p: { from: string; to: string; boundaries?: Boundaries }) => getJson<Movement>(`/api/authorities/${a}/movement${query(p)}`),
  proceduresPath,
  procedures: (a: string, p: ListParams) => getJson<ProcedurePage>(proceduresPath(a, p)),
  /** Every page of a procedure list (500 a page). */
  async allProcedures(a: string, p: Omit<ListParams, 'page' | 'pageSize'>): Promise<ProcedureItem[]> {
    const first = await getJson<ProcedurePage>(proceduresPath(a, { ...p, page: 1, pageSize: 500 }));
    const pages = Math.ceil(first.total / 500);
    const rest = await pooled(
      Array.from({ length: Math.max(0, pages - 1) }, (_, i) => () => getJson<ProcedurePage>(proceduresPath(a, { ...p, page: i + 2, pageSize: 500 }))),
      4,
    );
    return [first, ...rest].flatMap((page) => page.items);
  },
  procedure: (a: string, p: string) => getJson<ProcedureState>(`/api/authorities/${a}/procedures/${encodeURIComponent(p)}`),
  events: (a: string, p: string) => getJson<ProcedureEvents>(`/api/authorities/${a}/procedures/${encodeURIComponent(p)}/events`),
};
