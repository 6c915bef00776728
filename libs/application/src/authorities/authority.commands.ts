import { Command } from '@nestjs/cqrs';
import type { AuthorityCommand, EstablishAuthority, NationalFactCommand, RenameAuthority, Reorganisation } from '@tthc/domain';
import type { CommandContext, CommandResult } from '../command-context.js';

export class EstablishAuthorityCommand extends Command<CommandResult> {
  constructor(readonly data: EstablishAuthority['data'], readonly context: CommandContext) {
    super();
  }
}
export class RenameAuthorityCommand extends Command<CommandResult> {
  constructor(readonly data: RenameAuthority['data'], readonly context: CommandContext) {
    super();
  }
}

/** A national fact on an authority's stream (issue 18): assessment, connection or disconnection. */
export class RecordNationalFactCommand extends Command<CommandResult> {
  constructor(readonly command: NationalFactCommand, readonly context: CommandContext) {
    super();
  }
}

/**
 * Several units' commands, appended atomically: the setup of the shipped units uses it, and the demo
 * data's agencies and national facts (several commands per unit).
 */
export class RecordAuthorityChangesCommand extends Command<CommandResult[]> {
  constructor(readonly commands: (EstablishAuthority | RenameAuthority | NationalFactCommand)[], readonly context: CommandContext) {
    super();
  }
}

/** What a reorganisation appended: each stream's events, and the procedures it discontinued. */
export interface ReorganisationResult {
  successorCode: string;
  effectiveFrom: string;
  streams: CommandResult[];
  /** Procedures of the dissolved units that were still offered and now end on `effectiveFrom`. */
  proceduresDiscontinued: number;
  /**
   * Procedures that could not be discontinued on the merger date because a later transition of
   * theirs is already recorded (stream ids); an auditor should look at them.
   */
  proceduresNotDiscontinued: string[];
}

/** A merger as a legal instrument states it (see Reorganisation in the domain). */
export class ReorganiseAuthoritiesCommand extends Command<ReorganisationResult> {
  constructor(readonly data: Reorganisation, readonly context: CommandContext) {
    super();
  }
}

export function toAuthorityBusCommand(command: EstablishAuthority | RenameAuthority, context: CommandContext) {
  return command.type === 'EstablishAuthority' ? new EstablishAuthorityCommand(command.data, context) : new RenameAuthorityCommand(command.data, context);
}

export type { AuthorityCommand };

/** Several reorganisations recorded at once, atomically (the shipped 2025 merger's 23 groups). */
export class ReorganiseAuthoritiesManyCommand extends Command<ReorganisationResult[]> {
  constructor(readonly reorganisations: Reorganisation[], readonly context: CommandContext) {
    super();
  }
}
