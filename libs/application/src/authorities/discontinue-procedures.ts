import { IllegalProcedureTransition, PROCEDURE_STREAM_CATEGORY, procedure, type ProcedureEvent } from '@tthc/domain';
import type { EventStore } from '@tthc/event-store';
import type { CommandContext } from '../command-context.js';
import { handleProcedureCommand } from '../handle-command.js';

const PAGE = 5_000;
const CONCURRENCY = 8;

/**
 * Ends, on the dissolution date, every procedure of a dissolved unit that is still offered, with a
 * ProcedureDiscontinued event of its own (the stream's history stays true, and says why it ended).
 *
 * The procedures are found by reading the log (the event store port has no listing of streams by
 * prefix): a reorganisation is rare, and usually recorded before the unit's late decisions, whose
 * registrations this scan then finds. Procedures whose stream already holds a transition dated after
 * the dissolution cannot be ended on it (history is append-only in time): they are returned as refused.
 */
export async function discontinueProcedures(
  store: EventStore,
  d: { authorityCode: string; successorCode: string; effectiveFrom: string; legalBasis: string },
  context: CommandContext,
  registered?: ReadonlySet<string>,
): Promise<{ discontinued: number; refused: string[] }> {
  const prefix = `${PROCEDURE_STREAM_CATEGORY}-${d.authorityCode}:`;
  const codes = registered ?? (await registeredProcedures(store, [d.authorityCode])).get(d.authorityCode)!;
  let discontinued = 0;
  const refused: string[] = [];
  const one = async (procedureCode: string) => {
    const events = await store.readStream(`${prefix}${procedureCode}`);
    const state = events.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState());
    if (state.status !== 'offered') return;
    try {
      await handleProcedureCommand(store, {
        type: 'DiscontinueProcedure',
        data: {
          authorityCode: d.authorityCode,
          procedureCode,
          successorCode: d.successorCode,
          effectiveFrom: d.effectiveFrom,
          decisionRef: d.legalBasis,
          reason: `Đơn vị hành chính hợp nhất vào ${d.successorCode}`,
        },
      }, context);
      discontinued++;
    } catch (error) {
      if (!(error instanceof IllegalProcedureTransition)) throw error;
      refused.push(`${prefix}${procedureCode}`);
    }
  };
  const sorted = [...codes].sort();
  for (let i = 0; i < sorted.length; i += CONCURRENCY) await Promise.all(sorted.slice(i, i + CONCURRENCY).map(one));
  refused.sort();
  return { discontinued, refused };
}

/** The procedure codes ever registered by each of `authorityCodes`, in one read of the log. */
export async function registeredProcedures(store: EventStore, authorityCodes: readonly string[]): Promise<Map<string, Set<string>>> {
  const found = new Map(authorityCodes.map((c) => [c, new Set<string>()]));
  const category = `${PROCEDURE_STREAM_CATEGORY}-`;
  for (let after = 0; ; ) {
    const page = await store.readAll({ after, limit: PAGE });
    if (page.length === 0) break;
    for (const e of page) {
      if (e.type !== 'ProcedureRegistered' || !e.streamId.startsWith(category)) continue;
      const colon = e.streamId.indexOf(':');
      found.get(e.streamId.slice(category.length, colon))?.add(e.streamId.slice(colon + 1));
    }
    after = page[page.length - 1].globalPosition;
  }
  return found;
}
