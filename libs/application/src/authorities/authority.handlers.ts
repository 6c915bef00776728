import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  AUTHORITY_EVENT_SCHEMA_VERSION,
  IllegalAuthorityTransition,
  InvalidCommand,
  UnknownAuthority,
  authority,
  authorityStreamId,
  validateAuthorityCommand,
  validateReorganisation,
  versionOn,
  type AuthorityCommand,
  type AuthorityStreamEvent,
  type EstablishedAuthority,
  type NationalFactCommand,
  type Reorganisation,
} from '@tthc/domain';
import { EVENT_STORE, WrongExpectedVersion, type EventStore, type StreamAppend } from '@tthc/event-store';
import type { CommandContext, CommandResult } from '../command-context.js';
import { handleStreamCommand, loadAuthority, newEvent } from '../handle-command.js';
import { EstablishAuthorityCommand, RecordAuthorityChangesCommand, RecordNationalFactCommand, RenameAuthorityCommand, ReorganiseAuthoritiesCommand, ReorganiseAuthoritiesManyCommand, type ReorganisationResult } from './authority.commands.js';
import { discontinueProcedures, registeredProcedures } from './discontinue-procedures.js';

/** One unit's command on its own stream. */
export async function handleAuthorityCommand(store: EventStore, command: AuthorityCommand, context: CommandContext): Promise<CommandResult> {
  validateAuthorityCommand(command);
  return (await appendAuthorityCommands(store, [[command]], context))[0];
}

/**
 * Commands about several units, decided on their streams (one unit's in turn, in the order given)
 * and appended in one atomic multi-stream append: all of them or, if any is refused or a stream
 * moved meanwhile, none. Commands already recorded decide nothing (their stream is not written). A
 * lost race is retried on fresh state. One result per unit, in the order of first mention.
 *
 * @throws InvalidCommand (naming the first malformed command's fields), UnknownAuthority,
 *   IllegalAuthorityTransition; nothing is appended then.
 */
export function handleAuthorityCommands(store: EventStore, commands: readonly AuthorityCommand[], context: CommandContext): Promise<CommandResult[]> {
  commands.forEach(validateAuthorityCommand);
  const groups = new Map<string, AuthorityCommand[]>();
  for (const c of commands) groups.set(c.data.authorityCode, [...(groups.get(c.data.authorityCode) ?? []), c]);
  return appendAuthorityCommands(store, [...groups.values()], context);
}

/**
 * One national fact (issue 18) on its authority's stream, over HTTP's conventions (If-Match,
 * Idempotency-Key; see handleStreamCommand). The same fact sent again appends nothing.
 *
 * @throws InvalidCommand naming the fields, UnknownAuthority (404), IllegalAuthorityTransition (409),
 *   ConcurrencyConflict (412); nothing is appended then.
 */
export function handleNationalFactCommand(store: EventStore, command: NationalFactCommand, context: CommandContext): Promise<CommandResult> {
  validateAuthorityCommand(command); // malformed input never costs a read
  return handleStreamCommand(store, authorityStreamId(command.data.authorityCode), context, AUTHORITY_EVENT_SCHEMA_VERSION, (history) =>
    authority.decide(command, history.reduce((st, e) => authority.evolve(st, e as unknown as AuthorityStreamEvent), authority.initialState())));
}

@CommandHandler(RecordNationalFactCommand)
export class RecordNationalFactHandler implements ICommandHandler<RecordNationalFactCommand, CommandResult> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ command, context }: RecordNationalFactCommand): Promise<CommandResult> {
    return handleNationalFactCommand(this.store, command, context);
  }
}

@CommandHandler(EstablishAuthorityCommand)
export class EstablishAuthorityHandler implements ICommandHandler<EstablishAuthorityCommand, CommandResult> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ data, context }: EstablishAuthorityCommand): Promise<CommandResult> {
    return handleAuthorityCommand(this.store, { type: 'EstablishAuthority', data }, context);
  }
}

@CommandHandler(RenameAuthorityCommand)
export class RenameAuthorityHandler implements ICommandHandler<RenameAuthorityCommand, CommandResult> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ data, context }: RenameAuthorityCommand): Promise<CommandResult> {
    return handleAuthorityCommand(this.store, { type: 'RenameAuthority', data }, context);
  }
}

@CommandHandler(RecordAuthorityChangesCommand)
export class RecordAuthorityChangesHandler implements ICommandHandler<RecordAuthorityChangesCommand, CommandResult[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ commands, context }: RecordAuthorityChangesCommand): Promise<CommandResult[]> {
    return handleAuthorityCommands(this.store, commands, context);
  }
}

/**
 * A merger across streams: the dissolved units' AuthorityMerged and the host's AuthorityAbsorbed (and
 * AuthorityRenamed) decided on their streams and appended in one atomic multi-stream append, so a
 * refused reorganisation appends nothing and an accepted one is never half-recorded. Each decision is
 * idempotent: the same reorganisation sent again appends nothing. Then the dissolved units' procedures
 * still offered are discontinued on the merger date (ProcedureDiscontinued, caused by the unit's
 * AuthorityMerged), one procedure stream at a time; a reorganisation sent again finishes that too.
 */
export async function reorganise(store: EventStore, data: ReorganiseAuthoritiesCommand['data'], context: CommandContext): Promise<ReorganisationResult> {
  return (await reorganiseAll(store, [data], context))[0];
}

/**
 * Several reorganisations at once (the shipped 2025 merger: 23 of them), in one atomic append and one
 * read of the log for the dissolved units' procedures. No unit may appear in two of them.
 */
export async function reorganiseAll(store: EventStore, list: readonly Reorganisation[], context: CommandContext): Promise<ReorganisationResult[]> {
  list.forEach(validateReorganisation);
  const involved = list.flatMap((r) => [r.successorCode, ...r.predecessorCodes]);
  if (new Set(involved).size !== involved.length) throw new InvalidCommand([{ field: 'predecessorCodes', message: 'a unit may take part in one reorganisation at a time' }]);
  const units = new Map(await Promise.all(involved.map(async (code) => [code, await loadAuthority(store, code)] as const)));
  const groups: AuthorityCommand[][] = [];
  for (const { successorCode, predecessorCodes, effectiveFrom, legalBasis, ...r } of list) {
    const host = units.get(successorCode)!;
    if (host.status === 'unestablished') throw new UnknownAuthority(successorCode);
    if (host.status !== 'in-force' || host.establishedFrom >= effectiveFrom) {
      throw new IllegalAuthorityTransition('SUCCESSOR_NOT_IN_FORCE', `Successor ${successorCode} is not in force on ${effectiveFrom}`);
    }
    const predecessors = predecessorCodes.map((code) => {
      const unit = units.get(code)!;
      if (unit.status === 'unestablished') throw new UnknownAuthority(code);
      return unit;
    });
    groups.push(...predecessors.map((p) => [{ type: 'DissolveAuthority' as const, data: { authorityCode: p.authorityCode, successorCode, effectiveFrom, legalBasis } }]));
    // The host's absorption and renaming are one stream's: decided in turn, appended together.
    groups.push([
      {
        type: 'AbsorbAuthorities',
        data: {
          authorityCode: successorCode,
          absorbed: predecessors.map((p) => ({ authorityCode: p.authorityCode, territory: (versionOn(p, dissolutionEve(p, effectiveFrom)) ?? p.versions.at(-1)!).territory })),
          effectiveFrom,
          legalBasis,
        },
      },
      ...(r.successorName === undefined ? [] : [{
        type: 'RenameAuthority' as const,
        data: {
          authorityCode: successorCode,
          name: r.successorName,
          ...(r.successorNameEn !== undefined && { nameEn: r.successorNameEn }),
          ...(r.successorKind !== undefined && { kind: r.successorKind }),
          effectiveFrom,
          legalBasis,
        },
      }]),
    ]);
  }
  const streams = new Map((await appendAuthorityCommands(store, groups, context)).map((s) => [s.streamId, s]));

  const registered = await registeredProcedures(store, list.flatMap((r) => r.predecessorCodes));
  const results: ReorganisationResult[] = [];
  for (const { successorCode, predecessorCodes, effectiveFrom, legalBasis } of list) {
    let discontinued = 0;
    const notDiscontinued: string[] = [];
    for (const code of predecessorCodes) {
      const merged = (await store.readStream(authorityStreamId(code))).find((e) => e.type === 'AuthorityMerged');
      const result = await discontinueProcedures(store, { authorityCode: code, successorCode, effectiveFrom, legalBasis }, {
        ...context,
        causationId: merged?.id ?? context.causationId ?? null,
      }, registered.get(code));
      discontinued += result.discontinued;
      notDiscontinued.push(...result.refused);
    }
    results.push({
      successorCode,
      effectiveFrom,
      streams: [...predecessorCodes, successorCode].map((c) => streams.get(authorityStreamId(c))!),
      proceduresDiscontinued: discontinued,
      proceduresNotDiscontinued: notDiscontinued,
    });
  }
  return results;
}

/**
 * Groups of commands, each group one unit's (decided in turn on its stream), appended in one atomic
 * multi-stream append; streams whose commands decide nothing are not written. A lost race is retried
 * on fresh state.
 */
async function appendAuthorityCommands(store: EventStore, groups: AuthorityCommand[][], context: CommandContext): Promise<CommandResult[]> {
  for (let attempt = 1; ; attempt++) {
    const decide = async (list: AuthorityCommand[]) => {
      const streamId = authorityStreamId(list[0].data.authorityCode);
      const history = await store.readStream(streamId);
      let state = history.reduce((st, e) => authority.evolve(st, e as unknown as AuthorityStreamEvent), authority.initialState());
      const events: AuthorityStreamEvent[] = [];
      for (const command of list) {
        const decided = authority.decide(command, state);
        state = decided.reduce(authority.evolve, state);
        events.push(...decided);
      }
      return { streamId, revision: history.length === 0 ? null : history[history.length - 1].revision, events };
    };
    const decided = await Promise.all(groups.map(decide));
    const appends: StreamAppend[] = decided
      .filter((d) => d.events.length > 0)
      .map((d) => ({ streamId: d.streamId, events: d.events.map((e) => newEvent(e, context, AUTHORITY_EVENT_SCHEMA_VERSION)), expectedRevision: d.revision ?? 'no_stream' }));
    try {
      const results = appends.length === 0 ? [] : await store.appendToStreams(appends);
      const byStream = new Map(results.map((r) => [r.streamId, r]));
      return decided.map((d) => {
        const r = byStream.get(d.streamId);
        return r
          ? { streamId: d.streamId, revision: r.nextExpectedRevision, events: r.events.map(({ type, globalPosition }) => ({ type, globalPosition })) }
          : { streamId: d.streamId, revision: d.revision ?? -1, events: [] };
      });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion) || attempt >= 5) throw error;
    }
  }
}

/** The last day of a unit before `date`, or `date` itself when it was established then. */
function dissolutionEve(unit: EstablishedAuthority, date: string): string {
  const before = unit.versions.filter((v) => v.validFrom < date);
  return before.length > 0 ? before.at(-1)!.validFrom : date;
}

@CommandHandler(ReorganiseAuthoritiesCommand)
export class ReorganiseAuthoritiesHandler implements ICommandHandler<ReorganiseAuthoritiesCommand, ReorganisationResult> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ data, context }: ReorganiseAuthoritiesCommand): Promise<ReorganisationResult> {
    return reorganise(this.store, data, context);
  }
}

@CommandHandler(ReorganiseAuthoritiesManyCommand)
export class ReorganiseAuthoritiesManyHandler implements ICommandHandler<ReorganiseAuthoritiesManyCommand, ReorganisationResult[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ reorganisations, context }: ReorganiseAuthoritiesManyCommand): Promise<ReorganisationResult[]> {
    return reorganiseAll(this.store, reorganisations, context);
  }
}

export const AUTHORITY_COMMAND_HANDLERS = [RecordNationalFactHandler, EstablishAuthorityHandler, RenameAuthorityHandler, RecordAuthorityChangesHandler, ReorganiseAuthoritiesHandler, ReorganiseAuthoritiesManyHandler];
