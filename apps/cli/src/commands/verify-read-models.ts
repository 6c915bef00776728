import type { INestApplicationContext } from '@nestjs/common';
import { READ_MODEL_VERIFIER, type ReadModelVerification, type ReadModelVerifier } from '@tthc/read-models';
import type { CliIO, Writer } from '../io.js';
import { progressBar } from '../progress.js';
import { renderTable } from '../table.js';

/** Mismatches listed in the table; `--json` gives them all (up to the verifier's 1,000). */
const SHOWN = 50;

/**
 * The read models against the log (the `verify` command's second part, as `readModels` of
 * `POST /api/audit/verifications`): every event up to the read models' checkpoint replayed with the
 * decider, each authority's summary recomputed on every date where anything changed and today.
 */
export async function verifyReadModels(app: INestApplicationContext, io: CliIO, interactive?: boolean): Promise<ReadModelVerification> {
  const progress = progressBar(io.stderr, 'verify: read models', 'positions', interactive);
  const report = await app.get<ReadModelVerifier>(READ_MODEL_VERIFIER).verify({ onProgress: (done, total) => progress.update(done, total) });
  progress.done();
  return report;
}

/** A summary line or two, then each mismatch: authority, date or procedure, what was read, field, expected, found. */
export function printReadModelVerification(report: ReadModelVerification, out: Writer): void {
  const behind = report.headPosition - report.upToPosition;
  out.write(
    `read models: ${report.eventsReplayed} events replayed up to position ${report.upToPosition}` +
      `${behind > 0 ? ` (the log goes on to ${report.headPosition}: not projected yet, not checked)` : ''}; ` +
      `${report.authoritiesChecked} authorities on ${report.datesChecked} dates (${report.summariesChecked} summaries, ` +
      `${report.intervalPath.summariesChecked} on the bitemporal path), ${report.proceduresChecked} procedures, ${report.decisionsChecked} decisions, ` +
      `${report.unitsChecked} units, ${report.nationalFactsChecked} national facts rows\n`,
  );
  out.write(`read models: ${report.mismatchCount === 0 ? 'ok' : `${report.mismatchCount} mismatch(es)`}\n`);
  if (report.mismatchCount === 0) return;
  out.write(
    renderTable(
      [
        { header: 'authority' },
        { header: 'date / procedure / decision' },
        { header: 'read from' },
        { header: 'field' },
        { header: 'expected', align: 'right' },
        { header: 'found', align: 'right' },
      ],
      report.mismatches.slice(0, SHOWN).map((m) => [
        m.authorityCode,
        m.date ?? m.procedureCode ?? m.decisionNumber ?? '-',
        m.source,
        m.field,
        String(m.expected),
        String(m.found),
      ]),
    ),
  );
  if (report.mismatchCount > SHOWN) out.write(`(the first ${SHOWN} only: --json lists more)\n`);
}
