import type { INestApplicationContext } from '@nestjs/common';
import { EventLogVerifier, type TamperEvidenceReport } from '@tthc/event-store';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { renderTable } from '../table.js';
import { withSession, type CliCommand } from './command.js';
import { printReadModelVerification, verifyReadModels } from './verify-read-models.js';

/** Problems listed in the table; `--json` gives them all (up to the verifier's 1,000 per kind). */
const SHOWN = 20;

/**
 * Checks the event store's tamper evidence, as `POST /api/audit/verifications` does: every stream's
 * hash chain and the log digest checkpoints. Exit code 4 when anything is wrong. Then, unless
 * `readModels` is false, the read models against the log (verify-read-models.ts): exit code 1 when
 * they disagree (and the log is intact).
 */
export async function verifyLog(
  app: INestApplicationContext,
  options: { json?: boolean; readModels?: boolean },
  io: CliIO,
  interactive?: boolean,
): Promise<TamperEvidenceReport> {
  let pass: 'log' | 'streams' | undefined;
  let progress: ReturnType<typeof progressBar> | undefined;
  const report = await app.get(EventLogVerifier).verify({
    onProgress: (next, done, total) => {
      if (next !== pass) {
        progress?.done();
        pass = next;
        progress = progressBar(io.stderr, next === 'log' ? 'verify: log digest' : 'verify: hash chains', next === 'log' ? 'positions' : 'events', interactive);
      }
      progress!.update(done, total);
    },
  });
  progress?.done();
  const readModels = options.readModels === false ? undefined : await verifyReadModels(app, io, interactive);

  if (options.json) {
    io.stdout.write(`${JSON.stringify(readModels ? { ...report, readModels } : report)}\n`);
  } else {
    const { chains, logDigest } = report;
    io.stdout.write(
      `${report.eventsChecked} events in ${report.streamsChecked} streams up to position ${report.upToPosition}; ` +
        `${logDigest.checkpointsChecked} digest checkpoints\n`,
    );
    io.stdout.write(`hash chains: ${chains.ok ? 'ok' : `${chains.problemCount} problem(s)`}\n`);
    if (!chains.ok) {
      io.stdout.write(
        renderTable(
          [{ header: 'stream' }, { header: 'revision', align: 'right' }, { header: 'position', align: 'right' }, { header: 'problem' }, { header: 'detail' }],
          chains.problems.slice(0, SHOWN).map((p) => [p.streamId, String(p.revision), p.globalPosition === null ? '-' : String(p.globalPosition), p.problem, p.detail]),
        ),
      );
    }
    io.stdout.write(`log digest: ${logDigest.ok ? 'ok' : `${logDigest.problemCount} problem(s)`}\n`);
    if (!logDigest.ok) {
      io.stdout.write(
        renderTable(
          [{ header: 'after position', align: 'right' }, { header: 'up to', align: 'right' }, { header: 'events', align: 'right' }, { header: 'detail' }],
          logDigest.problems.slice(0, SHOWN).map((p) => [String(p.fromPosition), String(p.toPosition), `${p.eventsFound}/${p.eventsExpected}`, p.detail]),
        ),
      );
    }
    if (chains.problemCount + logDigest.problemCount > 2 * SHOWN) io.stdout.write(`(the first problems only: --json lists more)\n`);
    io.stdout.write(`digest of the log at position ${report.upToPosition}: ${logDigest.digest}\n`);
    if (readModels) printReadModelVerification(readModels, io.stdout);
  }
  if (!report.ok) throw new CliError('the event log has been tampered with (see above)', EXIT.TAMPERED);
  if (readModels && readModels.mismatchCount > 0) {
    throw new CliError(`the read models disagree with the log: ${readModels.mismatchCount} mismatch(es) (see above)`, EXIT.FAILED);
  }
  return report;
}

export const verifyCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('verify')
      .description(
        "check the event log's tamper evidence (every stream's hash chain and the log digest; exit 4 if broken), " +
          'then the read models against the log (exit 1 on any mismatch)',
      )
      .option('--json', 'the full report as one JSON object')
      .option('--no-read-models', 'check the event log only')
      .action(async (options: { json?: boolean; readModels?: boolean }, command) => {
        await withSession(runtime, command, (app) => verifyLog(app, options, runtime.io));
      });
  },
};
