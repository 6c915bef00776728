// The national facts beside the table (issue 18): procedure-handling systems meeting all the
// requirements (count / assessed and share) and National Population Database connections of
// ministries and localities on the view's date and known-at, with the log position they reflect.
import { api, type FactShare } from './api.js';
import { ErrorBox, Loading, useQuery } from './common.js';
import { num, pct, t } from './i18n.js';

/** "37/76 · 48,68%" (vi) or "37/76 · 48.68%" (en); "–" with a note when nothing was counted. */
function Share({ value, none }: { value: FactShare; none: string }) {
  if (value.total === 0) return <span class="none">– ({none})</span>;
  return (
    <>
      <strong class="count">
        {num(value.count)}/{num(value.total)}
      </strong>{' '}
      · <span class="share">{pct(value.share)}</span>
    </>
  );
}

/** The panel: its own query (`GET /api/national-facts?at=&knownAt=`), polled like the table while it shows the present. */
export function NationalFactsPanel({ at, knownAt }: { at: string; knownAt?: string }) {
  const result = useQuery(() => api.nationalFacts({ at, knownAt }), [at, knownAt], knownAt ? undefined : 15_000);
  const facts = result.data;
  const empty = facts && facts.procedureHandlingSystems.total === 0 && facts.populationDatabase.total === 0;
  const state = result.state === 'error' ? 'error' : facts && result.state === 'ok' ? 'ok' : 'loading';
  return (
    <section class="national-facts" aria-labelledby="national-facts-title" aria-busy={result.state === 'loading'} data-state={state} data-at={facts?.at}>
      <h2 id="national-facts-title">
        {t('facts.title')}
        {facts && <span class="facts-date"> · {facts.at}</span>}
      </h2>
      {result.state === 'error' && <ErrorBox error={result.error} retry={result.reload} />}
      {!facts && result.state === 'loading' && <Loading />}
      {facts && empty && <p class="empty">{t('facts.empty')}</p>}
      {facts && !empty && (
        <>
          <dl class="fact-list">
            <div data-fact="systems">
              <dt>
                {t('facts.systems')} <span class="note">({t('facts.requirements', { r: facts.procedureHandlingSystems.requirements })})</span>
              </dt>
              <dd>
                <Share value={facts.procedureHandlingSystems} none={t('facts.notAssessed')} />
              </dd>
            </div>
            {(['ministries', 'localities'] as const).map((kind) => (
              <div data-fact={kind} key={kind}>
                <dt>
                  {t('facts.population')}: {t(`facts.${kind}`)}
                </dt>
                <dd>
                  <Share value={facts.populationDatabase.byKind[kind]} none={t('empty')} />
                </dd>
              </div>
            ))}
          </dl>
          <p class="note facts-stamp">
            {t('position')} <strong class="position">{facts.position}</strong>
            {knownAt && (
              <>
                {' '}
                · {t('stamp.knownAt')} <strong>{facts.knownAt ?? knownAt}</strong>
              </>
            )}{' '}
            · <code class="api-path">GET {api.nationalFactsPath({ at, knownAt })}</code>
          </p>
        </>
      )}
    </section>
  );
}
