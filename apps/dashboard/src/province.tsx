// A province: its figures on the date, its classes over time (a stacked chart with the decisions'
// dates), the movement between two dates as a from → to matrix, its decisions, and its lineage
// across the 2025 merger.
import { useEffect, useRef } from 'preact/hooks';
import type { Chart as ChartType, Plugin } from 'chart.js';
import { ApiError, api, getJson, pooled, query, type AuthoritySummary, type Boundaries, type OnlineMode, type ProcedureItem } from './api.js';
import { Controls, ErrorBox, Loading, Stamp, download, toCsv, useQuery } from './common.js';
import { lang, num, pct, t, type Key } from './i18n.js';
import { measureFilter } from './national.js';
import { asLink, href, navigate, todayInVietnam, viewParams, type ViewParams } from './route.js';

/** Chart.js, loaded with the first province page (the national table does without it), its parts registered. */
let chartModule: Promise<typeof ChartType> | undefined;
function loadChart(): Promise<typeof ChartType> {
  chartModule ??= import('chart.js').then(({ Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip }) => {
    Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip);
    return Chart;
  });
  return chartModule;
}

const DAY = 86_400_000;
const CLASSES: OnlineMode[] = ['FULL_PROCESS', 'PARTIAL', 'INFORMATION_ONLY'];
const COLOURS = { FULL_PROCESS: '#1b7f3b', PARTIAL: '#d08a00', INFORMATION_ONLY: '#7a8799', paper: '#1f5fbf' };

/** A decision as `GET /api/authorities/{a}/decisions` lists it (fields this page uses). */
interface DecisionItem {
  number: string;
  issuedOn: string;
  effectiveFrom: string;
  title: string | null;
  itemCount: number;
  effect?: { total: number; fullProcess: number; partial: number; informationOnly: number; paperIntakeDisabled: number };
}

/** The authority's decisions effective in [from, to] (every page); null when this api has no list endpoint. */
async function decisions(a: string, from: string, to: string): Promise<DecisionItem[] | null> {
  try {
    const items: DecisionItem[] = [];
    for (let page = 1; page <= 20; page += 1) {
      const answer = await getJson<{ items: DecisionItem[]; total: number; pageSize: number }>(`/api/authorities/${a}/decisions${query({ from, to, page, pageSize: 100 })}`);
      items.push(...answer.items);
      if (items.length >= answer.total || answer.items.length === 0) break;
    }
    return items.sort((x, y) => x.effectiveFrom.localeCompare(y.effectiveFrom) || x.number.localeCompare(y.number));
  } catch (error) {
    // An api without the list (GET answered 405: only POST there) has no decisions to show.
    if (error instanceof ApiError && error.status === 405) return null;
    throw error;
  }
}

/** The first of every month from `start` to `end`, plus `extra` dates, sorted, unique. */
function sampleDates(start: string, end: string, extra: string[]): string[] {
  const dates = new Set<string>([start, end, ...extra.filter((d) => d >= start && d <= end)]);
  let [y, m] = start.split('-').map(Number);
  for (;;) {
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
    const d = `${y}-${String(m).padStart(2, '0')}-01`;
    if (d > end) break;
    dates.add(d);
  }
  return [...dates].sort();
}

export function ProvinceView({ authority, params }: { authority: string; params: URLSearchParams }) {
  const view = viewParams(params);
  const from = params.get('from') || '2023-06-01';
  const to = params.get('to') || view.at;
  const set = (next: ViewParams, more: Record<string, string> = {}) => navigate(`/a/${authority}`, { ...asLink(next), from: params.get('from'), to: params.get('to'), ...more });
  const summary = useQuery(() => api.summary(authority, view), [authority, view.at, view.knownAt, view.boundaries], view.knownAt ? undefined : 15_000);
  const s = summary.data;
  return (
    <main id="main">
      <p>
        <a href={href('/', asLink(view))}>{t('back')}</a>
      </p>
      <h1>{s ? `${s.authorityName} (${authority})` : `${t('province')} ${authority}`}</h1>
      <Controls value={view} onChange={(next) => set(next)} />
      {summary.state === 'error' && <ErrorBox error={summary.error} retry={summary.reload} />}
      {!s && summary.state === 'loading' && <Loading />}
      {s && <Figures s={s} view={view} authority={authority} />}
      <Lineage authority={authority} view={view} />
      <History authority={authority} boundaries={view.boundaries} end={view.at > todayInVietnam() ? view.at : todayInVietnam()} />
      <MovementSection authority={authority} from={from} to={to} boundaries={view.boundaries} onChange={(f, tt) => set(view, { from: f, to: tt })} />
    </main>
  );
}

function Figures({ s, view, authority }: { s: AuthoritySummary; view: ViewParams; authority: string }) {
  const measures = ['fullProcess', 'partial', 'informationOnly', 'paperIntakeDisabled'] as const;
  const exportCsv = () =>
    download(
      `tthc-${authority}-summary-${s.at}-known-${(view.knownAt ?? 'now').replace(/[:+]/g, '')}-pos-${s.position}.csv`,
      toCsv(
        ['authority_code', 'authority_name', 'at', 'total', 'online', 'online_share', 'full_process', 'full_process_share', 'partial', 'partial_share', 'information_only', 'information_only_share', 'paper_intake_disabled', 'paper_intake_disabled_share'],
        [[s.authorityCode, s.authorityName, s.at, s.total, s.online.count, s.online.share, s.fullProcess.count, s.fullProcess.share, s.partial.count, s.partial.share, s.informationOnly.count, s.informationOnly.share, s.paperIntakeDisabled.count, s.paperIntakeDisabled.share]],
      ),
    );
  return (
    <section aria-labelledby="figures">
      <h2 id="figures">
        {s.at} · {num(s.total)} {t('counted')}
      </h2>
      <Stamp at={s.at} knownAt={view.knownAt ? s.knownAt : null} position={s.position} path={`/api/authorities/${authority}/summary${query({ at: view.at, knownAt: view.knownAt, boundaries: view.boundaries })}`} onExport={exportCsv} />
      {s.composedOf && s.composedOf.length > 1 && (
        <p class="note">
          {t('composedOf')} {s.composedOf.join(' + ')}
        </p>
      )}
      {s.servedBy && <p class="note">{t('servedBy', { d: s.dissolvedOn ?? '', s: s.servedBy })}</p>}
      <ul class="cards">
        {measures.map((m) => (
          <li key={m} class={`card ${m}`}>
            <span class="label">{t(m)}</span>
            <a class="big" href={href(`/a/${authority}/list`, { ...asLink(view), ...measureFilter(m) })} data-measure={m}>
              {num(s[m].count)}
            </a>
            <span class="share">{pct(s[m].share)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Lineage({ authority, view }: { authority: string; view: ViewParams }) {
  const units = useQuery(() => api.units({ at: view.at, boundaries: view.boundaries }), [view.at, view.boundaries]);
  const row = units.data?.authorities.find((r) => r.authorityCode === authority);
  const name = (code: string) => units.data?.authorities.find((r) => r.authorityCode === code)?.authorityName ?? code;
  const unit = (code: string) => (
    <a href={href(`/a/${code}`, asLink(view))} key={code}>
      {name(code)} ({code})
    </a>
  );
  if (units.state === 'error') return <ErrorBox error={units.error} retry={units.reload} />;
  if (!row) return null;
  const l = row.lineage;
  return (
    <section aria-labelledby="lineage">
      <h2 id="lineage">{t('lineage')}</h2>
      <ul class="lineage">
        {l.predecessors.length > 0 && (
          <li>
            {t('predecessors')} ({l.validFrom}): {l.predecessors.map((c, i) => [i > 0 ? ', ' : '', unit(c)])}
          </li>
        )}
        {l.territory.length > 1 && (
          <li>
            {t('composedOf')}: {l.territory.map((c, i) => [i > 0 ? ' + ' : '', unit(c)])}
          </li>
        )}
        {l.successorCode && (
          <li>
            {t('successor')} ({l.dissolvedOn}): {unit(l.successorCode)}
          </li>
        )}
        {l.predecessors.length === 0 && !l.successorCode && l.territory.length <= 1 && <li>{t('lineage.continuing')}</li>}
      </ul>
    </section>
  );
}

/** The decisions' effective dates as vertical lines. */
const decisionLines: Plugin<'line'> = {
  id: 'decisionLines',
  afterDatasetsDraw(chart) {
    const dates = (chart.options.plugins as { decisionLines?: { dates: number[] } }).decisionLines?.dates ?? [];
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    ctx.strokeStyle = '#b00020';
    ctx.setLineDash([4, 3]);
    for (const x of dates.map((d) => scales.x.getPixelForValue(d))) {
      if (x < chartArea.left || x > chartArea.right) continue;
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
    }
    ctx.restore();
  },
};

function History({ authority, boundaries, end }: { authority: string; boundaries?: Boundaries; end: string }) {
  const start = '2023-01-01';
  const result = useQuery(
    async () => {
      const list = await decisions(authority, start, end);
      const dates = sampleDates(start, end, (list ?? []).map((d) => d.effectiveFrom));
      const points = await pooled(dates.map((at) => () => api.summary(authority, { at, boundaries })), 6);
      return { points, decisions: list };
    },
    [authority, boundaries, end],
  );
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const data = result.data;
    if (!data || !canvas.current) return;
    const x = (d: string) => Date.parse(`${d}T00:00:00Z`);
    const series = (pick: (s: AuthoritySummary) => number) => data.points.map((p) => ({ x: x(p.at), y: pick(p) }));
    let chart: ChartType | undefined;
    let gone = false;
    void loadChart().then((Chart) => {
      if (gone || !canvas.current) return;
      chart = new Chart(canvas.current, {
        type: 'line',
        data: {
          datasets: [
            { label: t('fullProcess'), data: series((p) => p.fullProcess.count), backgroundColor: `${COLOURS.FULL_PROCESS}cc`, borderColor: COLOURS.FULL_PROCESS, fill: true, stepped: 'before', stack: 'classes', pointRadius: 0 },
            { label: t('partial'), data: series((p) => p.partial.count), backgroundColor: `${COLOURS.PARTIAL}cc`, borderColor: COLOURS.PARTIAL, fill: '-1', stepped: 'before', stack: 'classes', pointRadius: 0 },
            { label: t('informationOnly'), data: series((p) => p.informationOnly.count), backgroundColor: `${COLOURS.INFORMATION_ONLY}cc`, borderColor: COLOURS.INFORMATION_ONLY, fill: '-1', stepped: 'before', stack: 'classes', pointRadius: 0 },
            { label: t('paperIntakeDisabled'), data: series((p) => p.paperIntakeDisabled.count), borderColor: COLOURS.paper, borderDash: [6, 3], fill: false, stepped: 'before', stack: 'paper', yAxisID: 'y', pointRadius: 0 },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          scales: {
            x: { type: 'linear', ticks: { callback: (v) => new Date(Number(v)).toISOString().slice(0, 7), maxTicksLimit: 8 }, min: x(start), max: x(end) },
            y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => num(Number(v)) } },
          },
          plugins: {
            tooltip: { callbacks: { title: (items: { parsed: { x: number | null } }[]) => new Date(items[0].parsed.x ?? 0).toISOString().slice(0, 10) } },
            decisionLines: { dates: (data.decisions ?? []).map((d) => x(d.effectiveFrom)) },
          } as never,
        },
        plugins: [decisionLines],
      });
    });
    return () => {
      gone = true;
      chart?.destroy();
    };
  }, [result.data, lang.value]);
  return (
    <section aria-labelledby="history">
      <h2 id="history">{t('province.chart')}</h2>
      <p class="note">{t('province.chart.hint')}</p>
      {result.state === 'error' && <ErrorBox error={result.error} retry={result.reload} />}
      {!result.data && result.state === 'loading' && <Loading />}
      <div class="chart" hidden={!result.data}>
        <canvas ref={canvas} role="img" aria-label={`${t('province.chart')}: ${authority}`} />
      </div>
      {result.data?.decisions ? <Decisions authority={authority} items={result.data.decisions} /> : result.data && <p class="note">{t('decisions.unavailable')}</p>}
    </section>
  );
}

function Decisions({ authority, items }: { authority: string; items: DecisionItem[] }) {
  const effect = (d: DecisionItem) =>
    d.effect
      ? (['total', 'fullProcess', 'partial', 'informationOnly', 'paperIntakeDisabled'] as const)
          .filter((k) => d.effect![k] !== 0)
          .map((k) => `${t(k)} ${d.effect![k] > 0 ? '+' : ''}${num(d.effect![k])}`)
          .join(', ')
      : `${num(d.itemCount)}`;
  return (
    <>
      <h3>{t('decisions')}</h3>
      {items.length === 0 ? (
        <p class="empty">{t('decisions.none')}</p>
      ) : (
        <div class="table-wrap">
          <table class="decisions">
            <thead>
              <tr>
                <th scope="col">{t('decision.number')}</th>
                <th scope="col">{t('decision.issued')}</th>
                <th scope="col">{t('decision.effective')}</th>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('decision.effect')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.number} data-number={d.number}>
                  <td>{d.number}</td>
                  <td>{d.issuedOn}</td>
                  <td>{d.effectiveFrom}</td>
                  <td>{d.title ?? ''}</td>
                  <td>{effect(d)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="note">
        <code>GET /api/authorities/{authority}/decisions</code>
      </p>
    </>
  );
}

type Cls = OnlineMode | 'NONE';
const ROWS: Cls[] = [...CLASSES, 'NONE'];

function MovementSection({ authority, from, to, boundaries, onChange }: { authority: string; from: string; to: string; boundaries?: Boundaries; onChange: (from: string, to: string) => void }) {
  const result = useQuery(
    async () => {
      const [movement, before, after] = await Promise.all([
        api.movement(authority, { from, to, boundaries }),
        api.allProcedures(authority, { at: from, boundaries }),
        api.allProcedures(authority, { at: to, boundaries }),
      ]);
      const key = (p: ProcedureItem) => `${p.authorityCode}:${p.procedureCode}`;
      const was = new Map(before.map((p) => [key(p), p.onlineMode as Cls]));
      const is = new Map(after.map((p) => [key(p), p.onlineMode as Cls]));
      const matrix = new Map<string, number>();
      for (const k of new Set([...was.keys(), ...is.keys()])) {
        const cell = `${was.get(k) ?? 'NONE'}>${is.get(k) ?? 'NONE'}`;
        matrix.set(cell, (matrix.get(cell) ?? 0) + 1);
      }
      return { movement, matrix };
    },
    [authority, from, to, boundaries],
  );
  const label = (c: Cls) => (c === 'NONE' ? t('matrix.none') : t(`mode.${c}` as Key));
  const m = result.data;
  const exportCsv = () =>
    download(
      `tthc-${authority}-movement-${from}-${to}-pos-${m!.movement.position}.csv`,
      toCsv(['from_class', ...ROWS.map((c) => `to_${c.toLowerCase()}`)], ROWS.map((r) => [r, ...ROWS.map((c) => m!.matrix.get(`${r}>${c}`) ?? 0)])),
    );
  return (
    <section aria-labelledby="movement">
      <h2 id="movement">{t('province.movement')}</h2>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('from')}
          <input type="date" name="from" value={from} onChange={(e) => e.currentTarget.value && onChange(e.currentTarget.value, to)} />
        </label>
        <label>
          {t('to')}
          <input type="date" name="to" value={to} onChange={(e) => e.currentTarget.value && onChange(from, e.currentTarget.value)} />
        </label>
      </form>
      {result.state === 'error' && <ErrorBox error={result.error} retry={result.reload} />}
      {!m && result.state === 'loading' && <Loading />}
      {m && (
        <>
          <Stamp position={m.movement.position} path={`/api/authorities/${authority}/movement${query({ from, to, boundaries })}`} onExport={exportCsv} />
          <div class="table-wrap">
            <table class="matrix">
              <caption>{t('matrix.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    {from} ↓ / {to} →
                  </th>
                  {ROWS.map((c) => (
                    <th scope="col" key={c}>
                      {label(c)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {ROWS.map((r) => (
                  <tr key={r}>
                    <th scope="row">{label(r)}</th>
                    {ROWS.map((c) => {
                      const n = m.matrix.get(`${r}>${c}`) ?? 0;
                      return (
                        <td key={c} class={`num${r === c ? ' same' : ''}`}>
                          {n === 0 ? '·' : num(n)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('net')}</th>
                  {[m.movement.delta.fullProcess, m.movement.delta.partial, m.movement.delta.informationOnly].map((d, i) => (
                    <td class="num" key={i}>
                      {d > 0 ? '+' : ''}
                      {num(d)}
                    </td>
                  ))}
                  <td class="num">
                    {t('total')} {m.movement.delta.total > 0 ? '+' : ''}
                    {num(m.movement.delta.total)}; {t('paperIntakeDisabled')} {m.movement.delta.paperIntakeDisabled > 0 ? '+' : ''}
                    {num(m.movement.delta.paperIntakeDisabled)}
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
          <h3>{t('transitions')}</h3>
          <ul class="transitions">
            {Object.entries(m.movement.transitions)
              .filter(([, n]) => n !== 0)
              .map(([k, n]) => (
                <li key={k}>
                  <code>{k}</code>: {num(n)}
                </li>
              ))}
          </ul>
          {m.movement.lineage.map((step) => (
            <p class="note" key={step.effectiveFrom + step.successorCode}>
              {step.effectiveFrom}: {step.predecessors.join(' + ')} → {step.successorName} ({step.successorCode}) {step.legalBasis ? `· ${step.legalBasis}` : ''}
            </p>
          ))}
        </>
      )}
    </section>
  );
}
