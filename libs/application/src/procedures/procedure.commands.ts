import type {
  CorrectTransition,
  DisablePaperIntake,
  RescindTransitions,
  DiscontinueProcedure,
  ProcedureCommand,
  ReclassifyProcedure,
  ReenablePaperIntake,
  RegisterProcedure,
  WithdrawProcedure,
} from '@tthc/domain';
import { Command } from '@nestjs/cqrs';
import type { CommandContext, CommandResult } from '../command-context.js';

// @nestjs/cqrs routes commands by class, so each domain command gets a thin class around it.
abstract class ProcedureBusCommand<C extends ProcedureCommand> extends Command<CommandResult> {
  constructor(
    readonly data: C['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
  abstract toDomain(): C;
}

export class RegisterProcedureCommand extends ProcedureBusCommand<RegisterProcedure> {
  toDomain(): RegisterProcedure {
    return { type: 'RegisterProcedure', data: this.data };
  }
}
export class ReclassifyProcedureCommand extends ProcedureBusCommand<ReclassifyProcedure> {
  toDomain(): ReclassifyProcedure {
    return { type: 'ReclassifyProcedure', data: this.data };
  }
}
export class DisablePaperIntakeCommand extends ProcedureBusCommand<DisablePaperIntake> {
  toDomain(): DisablePaperIntake {
    return { type: 'DisablePaperIntake', data: this.data };
  }
}
export class ReenablePaperIntakeCommand extends ProcedureBusCommand<ReenablePaperIntake> {
  toDomain(): ReenablePaperIntake {
    return { type: 'ReenablePaperIntake', data: this.data };
  }
}
export class WithdrawProcedureCommand extends ProcedureBusCommand<WithdrawProcedure> {
  toDomain(): WithdrawProcedure {
    return { type: 'WithdrawProcedure', data: this.data };
  }
}

export class DiscontinueProcedureCommand extends ProcedureBusCommand<DiscontinueProcedure> {
  toDomain(): DiscontinueProcedure {
    return { type: 'DiscontinueProcedure', data: this.data };
  }
}

/** Correct an event of the stream (an entry made in error), by revision. */
export class CorrectTransitionCommand extends ProcedureBusCommand<CorrectTransition> {
  toDomain(): CorrectTransition {
    return { type: 'CorrectTransition', data: this.data };
  }
}

/** Rescind events of the stream by a later decision, by revision. */
export class RescindTransitionsCommand extends ProcedureBusCommand<RescindTransitions> {
  toDomain(): RescindTransitions {
    return { type: 'RescindTransitions', data: this.data };
  }
}

export type AnyProcedureBusCommand =
  | RegisterProcedureCommand
  | ReclassifyProcedureCommand
  | DisablePaperIntakeCommand
  | ReenablePaperIntakeCommand
  | WithdrawProcedureCommand
  | DiscontinueProcedureCommand
  | CorrectTransitionCommand
  | RescindTransitionsCommand;

/** The bus command for a domain command (seeds and scripts dispatch through the CommandBus too). */
export function toBusCommand(command: ProcedureCommand, context: CommandContext): AnyProcedureBusCommand {
  switch (command.type) {
    case 'RegisterProcedure':
      return new RegisterProcedureCommand(command.data, context);
    case 'ReclassifyProcedure':
      return new ReclassifyProcedureCommand(command.data, context);
    case 'DisablePaperIntake':
      return new DisablePaperIntakeCommand(command.data, context);
    case 'ReenablePaperIntake':
      return new ReenablePaperIntakeCommand(command.data, context);
    case 'WithdrawProcedure':
      return new WithdrawProcedureCommand(command.data, context);
    case 'DiscontinueProcedure':
      return new DiscontinueProcedureCommand(command.data, context);
    case 'CorrectTransition':
      return new CorrectTransitionCommand(command.data, context);
    case 'RescindTransitions':
      return new RescindTransitionsCommand(command.data, context);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
