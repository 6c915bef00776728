import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import type { CommandResult } from '../command-context.js';
import { handleProcedureCommand } from '../handle-command.js';
import {
  CorrectTransitionCommand,
  DisablePaperIntakeCommand,
  RescindTransitionsCommand,
  DiscontinueProcedureCommand,
  ReclassifyProcedureCommand,
  ReenablePaperIntakeCommand,
  RegisterProcedureCommand,
  WithdrawProcedureCommand,
  type AnyProcedureBusCommand,
} from './procedure.commands.js';

abstract class ProcedureCommandHandler<C extends AnyProcedureBusCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute(command: C): Promise<CommandResult> {
    return handleProcedureCommand(this.store, command.toDomain(), command.context);
  }
}

@CommandHandler(RegisterProcedureCommand)
export class RegisterProcedureHandler extends ProcedureCommandHandler<RegisterProcedureCommand> {}

@CommandHandler(ReclassifyProcedureCommand)
export class ReclassifyProcedureHandler extends ProcedureCommandHandler<ReclassifyProcedureCommand> {}

@CommandHandler(DisablePaperIntakeCommand)
export class DisablePaperIntakeHandler extends ProcedureCommandHandler<DisablePaperIntakeCommand> {}

@CommandHandler(ReenablePaperIntakeCommand)
export class ReenablePaperIntakeHandler extends ProcedureCommandHandler<ReenablePaperIntakeCommand> {}

@CommandHandler(WithdrawProcedureCommand)
export class WithdrawProcedureHandler extends ProcedureCommandHandler<WithdrawProcedureCommand> {}

@CommandHandler(DiscontinueProcedureCommand)
export class DiscontinueProcedureHandler extends ProcedureCommandHandler<DiscontinueProcedureCommand> {}

@CommandHandler(CorrectTransitionCommand)
export class CorrectTransitionHandler extends ProcedureCommandHandler<CorrectTransitionCommand> {}

@CommandHandler(RescindTransitionsCommand)
export class RescindTransitionsHandler extends ProcedureCommandHandler<RescindTransitionsCommand> {}

export const PROCEDURE_COMMAND_HANDLERS = [
  CorrectTransitionHandler,
  RescindTransitionsHandler,
  DiscontinueProcedureHandler,
  RegisterProcedureHandler,
  ReclassifyProcedureHandler,
  DisablePaperIntakeHandler,
  ReenablePaperIntakeHandler,
  WithdrawProcedureHandler,
];
