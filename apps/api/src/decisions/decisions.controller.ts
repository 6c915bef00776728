import type { IncomingMessage, ServerResponse } from 'node:http';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import {
  GetDecisionQuery,
  IssueDecisionCommand,
  parseAnnexCsv,
  PreviewDecisionQuery,
  RescindDecisionCommand,
  type CommandContext,
  type DecisionRescission,
  type DecisionPreview,
  type DecisionRecord,
} from '@tthc/application';
import {
  DecisionRefused,
  InvalidCommand,
  addCounts,
  type DecisionItem,
  type IssueDecision,
  type ProcedureState,
  type SummaryCounts,
} from '@tthc/domain';
import {
  GetAuthoritySummaryQuery,
  ListDecisionsQuery,
  READ_MODEL_READER,
  shareOf,
  type AuthoritySummary,
  type DecisionPage,
  type ReadModelReader,
} from '@tthc/read-models';
import { QUERY_ROLES, Roles } from '../auth/roles.decorator.js';
import { InvalidRequest } from '../http/invalid-request.error.js';
import { AlsoAccepts } from '../http/json-body.js';
import { CommandEndpoint, CommandProvenance } from '../procedures/command-endpoint.js';
import { ApiProblemResponse } from '../http/problem.response.js';
import { ApiAuthDocs, ApiQueryDocs } from '../procedures/procedure.api-docs.js';
import { AuthorityParams } from '../procedures/procedure-params.request.js';
import { readYourWrites, waitForReadModels } from '../http/read-your-writes.js';
import { DecisionListQuery } from './decision-list.request.js';
import { DecisionRescissionDoc, RescindDecisionRequest } from './decision-rescission.docs.js';
import { DecisionPageDoc, DecisionPreviewDoc, DecisionRecordDoc, IssueDecisionBodyDoc } from './decision.docs.js';

const HEADER_FIELDS = ['number', 'issuedOn', 'effectiveFrom', 'title'] as const;

/** Query parameters of POST …/decisions: the header of a CSV annex, and dryRun. */
export class IssueDecisionQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: judge every item and answer the preview; append nothing' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  dryRun?: 'true' | 'false';
  @ApiPropertyOptional({ description: 'CSV annex only: the decision number as printed' })
  @IsOptional()
  @IsString()
  number?: string;
  @ApiPropertyOptional({ format: 'date', description: 'CSV annex only' })
  @IsOptional()
  @IsString()
  issuedOn?: string;
  @ApiPropertyOptional({ format: 'date', description: 'CSV annex only' })
  @IsOptional()
  @IsString()
  effectiveFrom?: string;
  @ApiPropertyOptional({ description: 'CSV annex only' })
  @IsOptional()
  @IsString()
  title?: string;
}

/** GET …/decisions/{number}: the number as printed, percent-encoded (`1500%2FQ%C4%90-UBND`). */
export class DecisionParams extends AuthorityParams {
  @ApiProperty({ example: '1500/QĐ-UBND', description: 'Percent-encode the slash: 1500%2FQĐ-UBND' })
  @Matches(/^.{1,50}$/su, { message: 'must be a decision number as printed, such as 1500/QĐ-UBND' })
  number: string;
}

/**
 * Decisions (quyết định) that change many procedures at once: previewed, issued all or nothing,
 * idempotent by number, read back with every event they caused.
 */
@ApiTags('decisions')
@ApiAuthDocs()
@ApiExtraModels(IssueDecisionBodyDoc, DecisionPreviewDoc, DecisionRecordDoc, DecisionPageDoc)
@Controller('authorities/:authorityCode/decisions')
export class DecisionsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(READ_MODEL_READER) private readonly projection: ReadModelReader,
  ) {}

  @Post()
  @CommandEndpoint('Issue a decision: every item of its annex, all or nothing (dryRun=true: preview)', {
    created: true,
    reply: DecisionRecordDoc,
    description:
      'Judges every item as its single command would; if any is refused, nothing is appended and the 409 lists every refused item. ' +
      'The same number with the same content answers the first record again (200); with other content, 409.',
  })
  @ApiConsumes('application/json', 'text/csv')
  @AlsoAccepts('text/csv')
  @ApiBody({
    description:
      'JSON: the decision with its items (at most 100,000). text/csv (UTF-8, BOM optional, body up to 32 MiB, at most 100,000 rows: 413 decision-too-large beyond): the annex, a header row naming ' +
      'the columns procedureCode, action, onlineMode, name, field, level, paperIntake, reason (any order; procedureCode and action required; ' +
      'an empty cell is an absent field); number, issuedOn, effectiveFrom and title then come as query parameters.',
    schema: { oneOf: [{ $ref: getSchemaPath(IssueDecisionBodyDoc) }, { type: 'string', description: 'text/csv annex' }] },
  })
  @ApiOkResponse({
    description: 'dryRun=true: the preview; or a repeat of a decision already issued (its record)',
    content: { 'application/json': { schema: { oneOf: [{ $ref: getSchemaPath(DecisionPreviewDoc) }, { $ref: getSchemaPath(DecisionRecordDoc) }] } } },
  })
  @ApiProblemResponse(
    413,
    'The body is larger than 32 MiB (`payload-too-large`), or the decision lists more than 100,000 items (`decision-too-large`, with `limit`; ' +
      'a CSV annex is refused at its first row over the limit, which `errors[0].line` names, before any item is judged); nothing is appended',
  )
  @ApiProblemResponse(501, 'The event store cannot append decisions atomically (KurrentDB before 25.1)')
  async issue(
    @Param() { authorityCode }: AuthorityParams,
    @Query() query: IssueDecisionQuery,
    @Body() body: unknown,
    @Req() req: IncomingMessage,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<DecisionRecord | ReturnType<typeof toPreview>> {
    const { command, lines } = decisionFrom(authorityCode, query, body, req.headers['content-type']);
    try {
      if (query.dryRun === 'true') {
        res.statusCode = 200;
        const preview = await this.queryBus.execute(new PreviewDecisionQuery(command));
        return toPreview(preview, await this.summaryBefore(preview), command.data.items, lines);
      }
      const { record, created } = await this.commandBus.execute(new IssueDecisionCommand(command, context));
      res.statusCode = created ? 201 : 200;
      return record;
    } catch (error) {
      throw withLines(error, lines);
    }
  }

  @Post(':number/rescission')
  @CommandEndpoint('Rescind a decision by a later one: every change it made undone from its effective date', {
    reply: DecisionRescissionDoc,
    description:
      'Appends a TransitionRescinded for every event the decision caused that still stands, in all its procedures at once; from now on ' +
      'they are known never to have taken effect (answers "as known at" an earlier instant still show them). 404 for an unknown decision; ' +
      '409 `decision-refused` listing every procedure where rescinding would leave a later transition illegal (nothing appended), or ' +
      '`illegal-transition` NOT_CORRECTABLE when nothing of it stands any more. A scoped administrator needs a scope that covers the unit ' +
      'on every date.',
  })
  @ApiProblemResponse(501, 'The event store cannot append to several streams atomically (KurrentDB before 25.1)')
  rescind(
    @Param() { authorityCode, number }: DecisionParams,
    @Body() body: RescindDecisionRequest,
    @CommandProvenance() context: CommandContext,
  ): Promise<DecisionRescission> {
    return this.commandBus.execute(new RescindDecisionCommand({ authorityCode, number, ...body }, context));
  }

  @Get()
  @Roles(...QUERY_ROLES)
  @ApiOperation({
    summary: "The authority's decisions dated in a range, each with the change it made to the counts, paged",
    description:
      'From the decisions read model: the decisions of the unit (as issuer) whose effective date (or issued-on date, `by=issuedOn`) lies in ' +
      '[from, to], ordered by that date then log position; each with its number, dates, issuer, title, item and event counts, annex digest ' +
      'and `effect`, the change it made to the counts on its effective date. As recorded at `knownAt`, or as the log stood at `asOfPosition`.',
  })
  @ApiOkResponse({ type: DecisionPageDoc })
  @ApiQueryDocs({ notFound: 'No authority has this code' })
  async list(@Param() { authorityCode }: AuthorityParams, @Query() query: DecisionListQuery): Promise<DecisionPage> {
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
      throw new InvalidRequest([{ field: 'to', message: 'must not be before from' }]);
    }
    await readYourWrites(this.projection, query.afterPosition, query.asOfPosition);
    const { from, to, by, knownAt, asOfPosition, page, pageSize } = query;
    return this.queryBus.execute(new ListDecisionsQuery(authorityCode, { from, to, by, knownAt, asOfPosition, page, pageSize }));
  }

  @Get(':number')
  @Roles(...QUERY_ROLES)
  @ApiOperation({
    summary: 'A decision as recorded: its items, the events each appended, and the change it made to the counts',
    description: 'The number as printed, percent-encoded (1500%2FQĐ-UBND).',
  })
  @ApiOkResponse({ type: DecisionRecordDoc })
  @ApiQueryDocs({ notFound: 'Unknown authority, or no decision of this number there' })
  get(@Param() { authorityCode, number }: DecisionParams): Promise<DecisionRecord> {
    return this.queryBus.execute(new GetDecisionQuery(authorityCode, number));
  }

  /** The authority's counts on the effective date, once the read models have reached what the preview read. */
  private async summaryBefore(preview: DecisionPreview): Promise<AuthoritySummary> {
    await waitForReadModels(this.projection, preview.position);
    return this.queryBus.execute(new GetAuthoritySummaryQuery(preview.authorityCode, preview.effectiveFrom));
  }
}

/** The domain command from a JSON body, or from a CSV annex and the query's header fields. */
function decisionFrom(authorityCode: string, query: IssueDecisionQuery, body: unknown, contentType: string | undefined) {
  if (Buffer.isBuffer(body) && /^text\/csv\b/i.test(contentType ?? '')) {
    const { items, lines } = parseAnnexCsv(body);
    const header = Object.fromEntries(HEADER_FIELDS.filter((f) => query[f] !== undefined).map((f) => [f, query[f]]));
    return { command: issue(authorityCode, header, items), lines };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw new InvalidRequest([{ field: 'body', message: 'must be a JSON object (Content-Type: application/json) or a CSV annex (Content-Type: text/csv)' }]);
  }
  const given = HEADER_FIELDS.filter((f) => query[f] !== undefined);
  if (given.length > 0) throw new InvalidRequest(given.map((field) => ({ field, message: 'goes in the JSON body, not the query' })));
  const unknown = Object.keys(body).filter((k) => k !== 'items' && !(HEADER_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new InvalidRequest(unknown.map((field) => ({ field, message: 'is not a field of a decision' })));
  const { items, ...header } = body as Record<string, unknown>;
  return { command: issue(authorityCode, header, items as DecisionItem[]), lines: undefined };
}

function issue(authorityCode: string, header: Record<string, unknown>, items: DecisionItem[]): IssueDecision {
  return { type: 'IssueDecision', data: { ...(header as Omit<IssueDecision['data'], 'items' | 'authorityCode'>), authorityCode, items } };
}

/** A CSV annex's errors and refusals name lines as well as items. */
function withLines(error: unknown, lines: number[] | undefined): unknown {
  if (!lines) return error;
  const lineOf = (field: string) => {
    const match = /^items\[(\d+)\]/.exec(field);
    return match ? lines[Number(match[1])] : undefined;
  };
  if (error instanceof InvalidCommand) {
    return new InvalidCommand(error.errors.map((e) => {
      const line = lineOf(e.field);
      return line === undefined ? e : { ...e, field: `line ${line}: ${e.field.replace(/^items\[\d+\]\./, '')}`, line };
    }));
  }
  if (error instanceof DecisionRefused) return new DecisionRefused(error.refusals.map((r) => ({ ...r, line: lines[r.index] })));
  return error;
}

function snapshot(state: ProcedureState) {
  return state.status === 'unregistered' ? { status: state.status } : { status: state.status, onlineMode: state.onlineMode, paperIntake: state.paperIntake };
}

function toPreview(preview: DecisionPreview, before: AuthoritySummary, annex: readonly DecisionItem[], lines: number[] | undefined) {
  const { outcomes, refusals, effect } = preview.outcome;
  const counts: SummaryCounts = {
    total: before.total,
    fullProcess: before.fullProcess.count,
    partial: before.partial.count,
    informationOnly: before.informationOnly.count,
    paperIntakeDisabled: before.paperIntakeDisabled.count,
  };
  const after = addCounts({ ...counts }, effect, 1);
  const items = [
    ...outcomes.map((o) => ({
      index: o.index,
      ...(lines && { line: lines[o.index] }),
      procedureCode: o.procedureCode,
      action: o.action,
      outcome: 'accepted',
      events: o.events.map((e) => e.type),
      before: snapshot(o.before),
      after: snapshot(o.after),
    })),
    ...refusals.map((r) => ({ index: r.index, ...(lines && { line: lines[r.index] }), procedureCode: r.procedureCode, action: annex[r.index].action, outcome: 'refused', reason: r.reason, message: r.message })),
  ].sort((a, b) => a.index - b.index);
  return {
    dryRun: true,
    authorityCode: preview.authorityCode,
    number: preview.number,
    effectiveFrom: preview.effectiveFrom,
    accepted: refusals.length === 0,
    position: Math.max(preview.position, before.position),
    effect,
    summary: {
      before: counts,
      after,
      onlineShare: {
        before: shareOf(counts.fullProcess + counts.partial, counts.total),
        after: shareOf(after.fullProcess + after.partial, after.total),
      },
    },
    items,
  };
}
