// The drill-down: exactly the procedures behind a count (the procedure list with the same date,
// known-at, boundaries and class filter), and one procedure's audit trail.
import { api, type ProcedureItem, type RecordedEvent } from './api.js';
import { ErrorBox, Loading, Stamp, download, toCsv, useQuery } from './common.js';
import { num, t, type Key } from './i18n.js';
import { asLink, href, listFilter, navigate, viewParams } from './route.js';

const PAGE_SIZE = 50;

export function ListView({ authority, params }: { authority: string; params: URLSearchParams }) {
  const view = viewParams(params);
  const filter = listFilter(params);
  const query = { ...view, onlineMode: filter.onlineMode, paperIntake: filter.paperIntake };
  const result = useQuery(() => api.procedures(authority, { ...query, page: filter.page, pageSize: PAGE_SIZE }), [authority, params.toString()]);
  const what = filter.onlineMode ? t(`mode.${filter.onlineMode}` as Key) : filter.paperIntake === 'DISABLED' ? t('paperIntakeDisabled') : t('filter.all');

  const exportCsv = async () => {
    const items = await api.allProcedures(authority, query);
    const page = result.data!;
    const csv = toCsv(
      ['authority_code', 'procedure_code', 'name', 'field', 'level', 'online_mode', 'paper_intake', 'in_force_from'],
      items.map((i: ProcedureItem) => [i.authorityCode, i.procedureCode, i.name, i.field, i.level, i.onlineMode, i.paperIntake, i.inForceFrom]),
    );
    download(`tthc-${authority}-procedures-${view.at}-${filter.onlineMode ?? filter.paperIntake ?? 'all'}-known-${(view.knownAt ?? 'now').replace(/[:+]/g, '')}-pos-${page.position}.csv`, csv);
  };

  const data = result.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const go = (page: number) => navigate(`/a/${authority}/list`, { ...asLink(view), mode: filter.onlineMode, paper: filter.paperIntake, page });
  return (
    <main id="main">
      <p>
        <a href={href(`/a/${authority}`, asLink(view))}>{t('back')}</a> · <a href={href('/', asLink(view))}>{t('nav.national')}</a>
      </p>
      <h1>
        {t('procedures')}: {authority} · {what} · {view.at}
      </h1>
      {result.state === 'error' && <ErrorBox error={result.error} retry={result.reload} />}
      {!data && result.state === 'loading' && <Loading />}
      {data && (
        <>
          <Stamp at={data.at} knownAt={view.knownAt ? data.knownAt : null} position={data.position} path={api.proceduresPath(authority, { ...query, page: filter.page, pageSize: PAGE_SIZE })} onExport={exportCsv} />
          <p class="count" data-total={data.total}>
            <strong>{num(data.total)}</strong> {t('counted')}
            {data.composedOf && data.composedOf.length > 1 && ` (${data.composedOf.join(' + ')})`}
          </p>
          {data.total === 0 ? (
            <p class="empty">{t('empty')}</p>
          ) : (
            <div class="table-wrap">
              <table class="procedures">
                <thead>
                  <tr>
                    <th scope="col">{t('code')}</th>
                    <th scope="col">{t('name')}</th>
                    <th scope="col">{t('field')}</th>
                    <th scope="col">{t('mode')}</th>
                    <th scope="col">{t('paper')}</th>
                    <th scope="col">{t('inForceFrom')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((i) => (
                    <tr key={`${i.authorityCode}:${i.procedureCode}`} data-code={i.procedureCode} data-mode={i.onlineMode} data-paper={i.paperIntake}>
                      <td>
                        <a href={href(`/a/${i.authorityCode}/p/${encodeURIComponent(i.procedureCode)}`, asLink(view))}>{i.procedureCode}</a>
                        {i.authorityCode !== authority && <span class="code"> ({i.authorityCode})</span>}
                      </td>
                      <td>{i.name}</td>
                      <td>{i.field ?? ''}</td>
                      <td>{t(`mode.${i.onlineMode}` as Key)}</td>
                      <td>{t(`paper.${i.paperIntake}` as Key)}</td>
                      <td>{i.inForceFrom}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 && (
            <nav class="pager" aria-label={t('page')}>
              <button type="button" disabled={filter.page <= 1} onClick={() => go(filter.page - 1)}>
                {t('prev')}
              </button>
              <span>
                {t('page')} {filter.page} {t('of')} {pages}
              </span>
              <button type="button" disabled={filter.page >= pages} onClick={() => go(filter.page + 1)}>
                {t('next')}
              </button>
            </nav>
          )}
        </>
      )}
    </main>
  );
}

/**
 * The later corrections of an event, as the API marks them: `correctedBy` and `rescindedBy`, the
 * revisions of the TransitionCorrected / TransitionRescinded events that changed it (empty when none).
 */
function correction(event: RecordedEvent): string | null {
  const marks = (['correctedBy', 'rescindedBy'] as const)
    .map((key) => [key, event[key]] as const)
    .filter(([, value]) => Array.isArray(value) && value.length > 0)
    .map(([key, value]) => `${t(key)} ${(value as number[]).join(', ')}`);
  return marks.length > 0 ? marks.join('; ') : null;
}

export function TrailView({ authority, procedure, params }: { authority: string; procedure: string; params: URLSearchParams }) {
  const view = viewParams(params);
  const state = useQuery(() => api.procedure(authority, procedure), [authority, procedure]);
  const trail = useQuery(() => api.events(authority, procedure), [authority, procedure]);
  const s = state.data;
  const exportCsv = () => {
    const events = trail.data!.events;
    download(
      `tthc-${authority}-${procedure}-events-pos-${Math.max(0, ...events.map((e) => e.globalPosition))}.csv`,
      toCsv(
        ['global_position', 'revision', 'type', 'effective_from', 'decision', 'actor', 'recorded_at', 'correlation_id', 'causation_id', 'corrected'],
        events.map((e) => [e.globalPosition, e.revision, e.type, String(e.data.effectiveFrom ?? ''), String(e.data.decisionRef ?? ''), e.actor, e.recordedAt, e.correlationId, e.causationId, correction(e)]),
      ),
    );
  };
  return (
    <main id="main">
      <p>
        <a href={href(`/a/${authority}`, asLink(view))}>{t('back')}</a> · <a href={href('/', asLink(view))}>{t('nav.national')}</a>
      </p>
      <h1>
        {procedure} · {authority}
      </h1>
      {state.state === 'error' && <ErrorBox error={state.error} retry={state.reload} />}
      {s && (
        <section aria-labelledby="current">
          <h2 id="current">{t('current')}</h2>
          <dl class="facts">
            <dt>{t('name')}</dt>
            <dd>{s.name}</dd>
            <dt>{t('mode')}</dt>
            <dd>{t(`mode.${s.onlineMode}` as Key)}</dd>
            <dt>{t('paper')}</dt>
            <dd>{t(`paper.${s.paperIntake}` as Key)}</dd>
            {s.withdrawn && (
              <>
                <dt>{t('withdrawn')}</dt>
                <dd>{s.withdrawnFrom}</dd>
              </>
            )}
          </dl>
        </section>
      )}
      <section aria-labelledby="trail">
        <h2 id="trail">{t('trail')}</h2>
        {trail.state === 'error' && <ErrorBox error={trail.error} retry={trail.reload} />}
        {!trail.data && trail.state === 'loading' && <Loading />}
        {trail.data && (
          <>
            <Stamp position={Math.max(0, ...trail.data.events.map((e) => e.globalPosition))} path={`/api/authorities/${authority}/procedures/${encodeURIComponent(procedure)}/events`} onExport={exportCsv} />
            <div class="table-wrap">
              <table class="trail">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{t('event')}</th>
                    <th scope="col">{t('effectiveFrom')}</th>
                    <th scope="col">{t('decision')}</th>
                    <th scope="col">{t('actor')}</th>
                    <th scope="col">{t('recordedAt')}</th>
                    <th scope="col">{t('corrected')}</th>
                  </tr>
                </thead>
                <tbody>
                  {trail.data.events.map((e) => {
                    const corrected = correction(e);
                    return (
                      <tr key={e.id} data-type={e.type} class={corrected ? 'corrected' : undefined}>
                        <td class="num">{e.globalPosition}</td>
                        <td>
                          {e.type}
                          {typeof e.data.onlineMode === 'string' && ` → ${t(`mode.${e.data.onlineMode}` as Key)}`}
                        </td>
                        <td>{String(e.data.effectiveFrom ?? '')}</td>
                        <td class="decision">{String(e.data.decisionRef ?? '')}</td>
                        <td>{e.actor}</td>
                        <td>
                          <time dateTime={e.recordedAt}>{e.recordedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>
                        </td>
                        <td>{corrected ?? t('corrected.no')}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </main>
  );
}
