import { Inject } from '@nestjs/common';
import { Command, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { IssueDecision } from '@tthc/domain';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import type { CommandContext } from '../command-context.js';
import { getDecision, type DecisionRecord } from './decision-record.js';
import { issueDecision, previewDecision, type DecisionPreview, type IssuedDecision } from './issue-decision.js';
import { rescindDecision, type DecisionRescission, type RescindDecision } from './rescind-decision.js';

/** Rescind a decision by a later one: every event of it still standing (see rescindDecision). */
export class RescindDecisionCommand extends Command<DecisionRescission> {
  constructor(
    readonly rescission: RescindDecision,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RescindDecisionCommand)
export class RescindDecisionHandler implements ICommandHandler<RescindDecisionCommand, DecisionRescission> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ rescission, context }: RescindDecisionCommand): Promise<DecisionRescission> {
    return rescindDecision(this.store, rescission, context);
  }
}

/** Issue a decision: all items or none (see issueDecision). */
export class IssueDecisionCommand extends Command<IssuedDecision> {
  constructor(
    readonly decision: IssueDecision,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Judge a decision without appending anything (dryRun). */
export class PreviewDecisionQuery extends Query<DecisionPreview> {
  constructor(readonly decision: IssueDecision) {
    super();
  }
}

/** A decision as recorded, with the events it caused; DecisionNotFound when none has the number. */
export class GetDecisionQuery extends Query<DecisionRecord> {
  constructor(
    readonly authorityCode: string,
    readonly number: string,
  ) {
    super();
  }
}

@CommandHandler(IssueDecisionCommand)
export class IssueDecisionHandler implements ICommandHandler<IssueDecisionCommand, IssuedDecision> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ decision, context }: IssueDecisionCommand): Promise<IssuedDecision> {
    return issueDecision(this.store, decision, context);
  }
}

@QueryHandler(PreviewDecisionQuery)
export class PreviewDecisionHandler implements IQueryHandler<PreviewDecisionQuery, DecisionPreview> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ decision }: PreviewDecisionQuery): Promise<DecisionPreview> {
    return previewDecision(this.store, decision);
  }
}

@QueryHandler(GetDecisionQuery)
export class GetDecisionHandler implements IQueryHandler<GetDecisionQuery, DecisionRecord> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ authorityCode, number }: GetDecisionQuery): Promise<DecisionRecord> {
    return getDecision(this.store, authorityCode, number);
  }
}

export const DECISION_HANDLERS = [RescindDecisionHandler, IssueDecisionHandler, PreviewDecisionHandler, GetDecisionHandler];
