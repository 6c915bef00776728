import { randomUUID } from 'node:crypto';
import type { EventStore } from '@tthc/event-store';
import { authorityStreamId } from '@tthc/domain';
import type { CommandContext, CommandResult } from '../command-context.js';
import { shippedAuthorityCommands, shippedAuthorities } from './shipped-authorities.js';
import type { ReorganisationResult } from './authority.commands.js';
import type { EstablishAuthority, NationalFactCommand, RenameAuthority, Reorganisation } from '@tthc/domain';
import type { CommandBus } from '@nestjs/cqrs';
import { RecordAuthorityChangesCommand, ReorganiseAuthoritiesManyCommand } from './authority.commands.js';
import { handleAuthorityCommands, reorganiseAll } from './authority.handlers.js';

/** How the setup reaches the command bus (the api and the cli pass `bus.execute` of the matching bus command). */
export interface AuthoritySetupBus {
  authorities(commands: (EstablishAuthority | RenameAuthority | NationalFactCommand)[], context: CommandContext): Promise<CommandResult[]>;
  reorganise(reorganisations: Reorganisation[], context: CommandContext): Promise<ReorganisationResult[]>;
}

/** The setup through the Nest command bus (the api and the cli). */
export function commandBusSetup(bus: CommandBus): AuthoritySetupBus {
  return {
    authorities: (commands, context) => bus.execute(new RecordAuthorityChangesCommand(commands, context)),
    reorganise: (list, context) => bus.execute(new ReorganiseAuthoritiesManyCommand(list, context)),
  };
}

/** The same handlers called directly on a store (tests and harnesses without a Nest app). */
export function storeSetup(store: EventStore): AuthoritySetupBus {
  return {
    authorities: (commands, context) => handleAuthorityCommands(store, commands, context),
    reorganise: (list, context) => reorganiseAll(store, list, context),
  };
}

/**
 * Loads the shipped province files through the command bus, so that the log records who set them up
 * and when (actor `setup`, one correlation id per run). `stage`: `units` establishes the 63 units of
 * 2023; `reorganisation` records the 2025 renamings and mergers (and discontinues the dissolved
 * units' procedures); `all` both. Idempotent: what is already recorded decides nothing.
 */
export async function setupShippedAuthorities(
  bus: AuthoritySetupBus,
  stage: 'units' | 'reorganisation' | 'all' = 'all',
  actor = 'setup',
): Promise<{ events: number; proceduresDiscontinued: number }> {
  const { establish, renames, reorganisations } = shippedAuthorityCommands();
  const context: CommandContext = { actor, correlationId: `setup-authorities-${randomUUID()}` };
  let events = 0;
  let proceduresDiscontinued = 0;
  const count = (results: CommandResult[]) => results.reduce((n, r) => n + r.events.length, 0);
  // The units in one atomic append (one commit); the 23 merger groups in another.
  if (stage !== 'reorganisation') events += count(await bus.authorities(establish, context));
  if (stage !== 'units') {
    if (renames.length > 0) events += count(await bus.authorities(renames, context));
    for (const result of await bus.reorganise(reorganisations, context)) {
      events += count(result.streams);
      proceduresDiscontinued += result.proceduresDiscontinued;
    }
  }
  return { events, proceduresDiscontinued };
}

/** True once any shipped unit has a stream: the setup ran (the first migrate or seed does it once). */
export async function authoritiesAreSetUp(store: EventStore): Promise<boolean> {
  const first = shippedAuthorities().provinces2023[0].code;
  return (await store.readStream(authorityStreamId(first), { maxCount: 1 })).length > 0;
}
