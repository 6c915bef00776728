// The national table on a date: one row per unit (63 in 2023 boundaries, 34 in 2025), rank, counts and
// shares of each class and of paperless, a totals row; sortable; each count opens its procedures.
// Above it, the national facts of the same date (national-facts.tsx).
import { useState } from 'preact/hooks';
import { api, getCsv, type AuthorityRow, type Figures, type NationalSummary } from './api.js';
import { Controls, ErrorBox, Loading, Stamp, download, useQuery } from './common.js';
import { num, pct, t, type Key } from './i18n.js';
import { NationalFactsPanel } from './national-facts.js';
import { asLink, href, navigate, viewParams, type ViewParams } from './route.js';

type Measure = 'fullProcess' | 'partial' | 'informationOnly' | 'paperIntakeDisabled';
const MEASURES: Measure[] = ['fullProcess', 'partial', 'informationOnly', 'paperIntakeDisabled'];
type SortKey = 'rank' | 'unit' | 'total' | Measure | `${Measure}Share`;

/** The drill-down filter of a measure: the procedure list's onlineMode / paperIntake. */
export function measureFilter(measure: Measure | 'total'): { mode?: string; paper?: string } {
  switch (measure) {
    case 'fullProcess':
      return { mode: 'FULL_PROCESS' };
    case 'partial':
      return { mode: 'PARTIAL' };
    case 'informationOnly':
      return { mode: 'INFORMATION_ONLY' };
    case 'paperIntakeDisabled':
      return { paper: 'DISABLED' };
    default:
      return {};
  }
}

/** Rank by full-process share, then online share (ties share a rank); units without procedures last. */
function ranks(rows: AuthorityRow[]): Map<string, number> {
  const key = (r: AuthorityRow) => [r.total > 0 ? 1 : 0, r.fullProcess.share, r.online.share];
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
  });
  const out = new Map<string, number>();
  sorted.forEach((r, i) => {
    const prev = sorted[i - 1];
    out.set(r.authorityCode, prev && key(prev).join() === key(r).join() ? out.get(prev.authorityCode)! : i + 1);
  });
  return out;
}

function sortValue(row: AuthorityRow, key: SortKey, rank: Map<string, number>): number | string {
  if (key === 'rank') return rank.get(row.authorityCode) ?? 0;
  if (key === 'unit') return row.authorityName;
  if (key === 'total') return row.total;
  if (key.endsWith('Share')) return row[key.slice(0, -5) as Measure].share;
  return row[key as Measure].count;
}

interface Revisions {
  /** The same table as known now, to mark cells revised since `knownAt`. */
  now?: NationalSummary;
}

export function NationalView({ params }: { params: URLSearchParams }) {
  const view = viewParams(params);
  const set = (next: ViewParams) => navigate('/', { ...asLink(next), sort: params.get('sort') });
  const [sort, dir] = (params.get('sort') ?? 'rank:asc').split(':') as [SortKey, 'asc' | 'desc'];
  const result = useQuery(
    async () => {
      const table = await api.national(view);
      const revisions: Revisions = view.knownAt ? { now: await api.national({ ...view, knownAt: undefined }) } : {};
      return { table, revisions };
    },
    [view.at, view.knownAt, view.boundaries],
    view.knownAt ? undefined : 15_000,
  );
  const [exported, setExported] = useState<string | null>(null);

  const setSort = (key: SortKey) => {
    const nextDir = key === sort ? (dir === 'asc' ? 'desc' : 'asc') : key === 'unit' || key === 'rank' ? 'asc' : 'desc';
    navigate('/', { ...asLink(view), sort: `${key}:${nextDir}` });
  };

  const exportCsv = async () => {
    const path = api.nationalPath(view);
    const { text, position } = await getCsv(`${path}${path.includes('?') ? '&' : '?'}bom=true`);
    const name = `tthc-national-${view.at}-${view.boundaries ?? 'auto'}-known-${(view.knownAt ?? 'now').replace(/[:+]/g, '')}-pos-${position}.csv`;
    download(name, text);
    setExported(name);
  };

  const data = result.data;
  return (
    <main id="main">
      <h1>{t('nav.national')}</h1>
      <Controls value={view} onChange={set} />
      <NationalFactsPanel at={view.at} knownAt={view.knownAt} />
      {result.state === 'error' && <ErrorBox error={result.error} retry={result.reload} />}
      {!data && result.state === 'loading' && <Loading />}
      {data && (
        <>
          <Stamp at={data.table.at} knownAt={data.table.knownAt && view.knownAt ? data.table.knownAt : null} position={data.table.position} path={api.nationalPath(view)} onExport={exportCsv} />
          {exported && (
            <p class="note" role="status">
              {exported}
            </p>
          )}
          <Table table={data.table} now={data.revisions.now} view={view} sort={sort} dir={dir} onSort={setSort} busy={result.state === 'loading'} />
        </>
      )}
    </main>
  );
}

function Table({ table, now, view, sort, dir, onSort, busy }: { table: NationalSummary; now?: NationalSummary; view: ViewParams; sort: SortKey; dir: 'asc' | 'desc'; onSort: (key: SortKey) => void; busy: boolean }) {
  const rank = ranks(table.authorities);
  const rows = [...table.authorities].sort((a, b) => {
    const [x, y] = [sortValue(a, sort, rank), sortValue(b, sort, rank)];
    const c = typeof x === 'string' ? x.localeCompare(String(y), 'vi') : x - (y as number);
    return (dir === 'asc' ? c : -c) || a.authorityCode.localeCompare(b.authorityCode);
  });
  const nowByCode = new Map(now?.authorities.map((r) => [r.authorityCode, r]));
  const header = (key: SortKey, label: string, extra?: string) => (
    <th scope="col" aria-sort={sort === key ? (dir === 'asc' ? 'ascending' : 'descending') : undefined} class={extra}>
      <button type="button" onClick={() => onSort(key)} data-sort={key}>
        {label}
        <span aria-hidden="true">{sort === key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
  if (table.authorities.length === 0) return <p class="empty">{t('empty.table')}</p>;
  return (
    <div class="table-wrap" aria-busy={busy}>
      <table class="national" data-boundaries={table.boundaries} data-rows={table.authorities.length}>
        <caption>
          {t('nav.national')} · {table.at} · {t(`boundaries.${table.boundaries}` as Key)}
        </caption>
        <thead>
          <tr>
            {header('rank', t('rank'), 'num')}
            {header('unit', t('unit'), 'unit')}
            {header('total', t('total'), 'num')}
            {MEASURES.map((m) => (
              <th scope="col" class="num" key={m} aria-sort={sort === m || sort === `${m}Share` ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                <button type="button" onClick={() => onSort(m)} data-sort={m}>
                  {t(m)}
                  <span aria-hidden="true">{sort === m ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>{' '}
                <button type="button" class="pct" onClick={() => onSort(`${m}Share` as SortKey)} data-sort={`${m}Share`} aria-label={`${t('share')} ${t(m)}`}>
                  %<span aria-hidden="true">{sort === `${m}Share` ? (dir === 'asc' ? '▲' : '▼') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Row key={row.authorityCode} row={row} rank={rank.get(row.authorityCode)!} now={nowByCode.get(row.authorityCode)} view={view} />
          ))}
        </tbody>
        <tfoot>
          <tr class="totals" data-code="totals">
            <td />
            <th scope="row">{t('nationalTotal')}</th>
            <td class="num">{num(table.totals.total)}</td>
            {MEASURES.map((m) => (
              <td class="num" key={m}>
                {num(table.totals[m].count)}
                <Revised then={table.totals} now={now?.totals} measure={m} />
                <span class="share">{pct(table.totals[m].share)}</span>
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Revised({ then, now, measure }: { then: Figures; now?: Figures; measure: Measure | 'total' }) {
  if (!now) return null;
  const [a, b] = measure === 'total' ? [then.total, now.total] : [then[measure].count, now[measure].count];
  if (a === b) return null;
  return (
    <span class="revised" title={`${t('revised')} ${num(b)}`}>
      {' '}↻<span class="visually-hidden">
        {t('revised')} {num(b)}
      </span>
    </span>
  );
}

function Row({ row, rank, now, view }: { row: AuthorityRow; rank: number; now?: AuthorityRow; view: ViewParams }) {
  const link = (measure: Measure | 'total', count: number) =>
    count === 0 ? (
      <span>{num(0)}</span>
    ) : (
      <a href={href(`/a/${row.authorityCode}/list`, { ...asLink({ ...view, boundaries: row.boundaries ?? view.boundaries }), ...measureFilter(measure) })} data-measure={measure} aria-label={`${row.authorityName}: ${num(count)} ${t(measure === 'total' ? 'total' : measure)}`}>
        {num(count)}
      </a>
    );
  return (
    <tr data-code={row.authorityCode}>
      <td class="num">{row.total > 0 ? rank : '–'}</td>
      <th scope="row" class="unit">
        <a href={href(`/a/${row.authorityCode}`, asLink({ ...view, boundaries: row.boundaries ?? view.boundaries }))}>{row.authorityName}</a>
        <span class="code"> {row.authorityCode}</span>
        {row.servedBy && <span class="tag"> → {row.servedBy}</span>}
        {row.composedOf && row.composedOf.length > 1 && <span class="tag"> = {row.composedOf.join('+')}</span>}
      </th>
      <td class="num">
        {link('total', row.total)}
        <Revised then={row} now={now} measure="total" />
      </td>
      {MEASURES.map((m) => (
        <td class="num" key={m}>
          {link(m, row[m].count)}
          <Revised then={row} now={now} measure={m} />
          <span class="share">{pct(row[m].share)}</span>
        </td>
      ))}
    </tr>
  );
}
