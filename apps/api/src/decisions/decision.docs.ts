import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DECISION_ACTIONS, DECISION_LIMITS, LIMITS, ONLINE_MODES, PAPER_INTAKES, PROCEDURE_CODE_PATTERN } from '@tthc/domain';

// OpenAPI shapes of the decision endpoints. The input itself is checked by the domain
// (validateDecision), which names every bad field as items[i].field; these classes document it.

export class DecisionItemDoc {
  @ApiProperty({ example: '1.001612', pattern: PROCEDURE_CODE_PATTERN.source })
  procedureCode: string;
  @ApiProperty({ enum: DECISION_ACTIONS })
  action: string;
  @ApiPropertyOptional({ enum: ONLINE_MODES, description: 'register and reclassify (required there)' })
  onlineMode?: string;
  @ApiPropertyOptional({ maxLength: LIMITS.name, description: 'register (required there)' })
  name?: string;
  @ApiPropertyOptional({ maxLength: LIMITS.field, description: 'register' })
  field?: string;
  @ApiPropertyOptional({ maxLength: LIMITS.level, description: 'register' })
  level?: string;
  @ApiPropertyOptional({ enum: PAPER_INTAKES, description: 'register (default ACCEPTED)' })
  paperIntake?: string;
  @ApiPropertyOptional({ maxLength: LIMITS.reason, description: 'every action but register' })
  reason?: string;
}

export class IssueDecisionBodyDoc {
  // Its pattern (DECISION_NUMBER_PATTERN) in words: \p{Lu} needs a Unicode-aware regex engine, which many
  // OpenAPI tools (Spectral among them) and generated clients do not have.
  @ApiProperty({
    example: '1500/QĐ-UBND',
    maxLength: DECISION_LIMITS.number,
    description: 'As printed: a number, an optional /year, then /SIGN with up to four -SIGN parts, in capital letters (Vietnamese ones too) and digits',
  })
  number: string;
  @ApiProperty({ format: 'date', example: '2023-07-10' })
  issuedOn: string;
  @ApiProperty({ format: 'date', example: '2023-07-15' })
  effectiveFrom: string;
  @ApiPropertyOptional({ maxLength: DECISION_LIMITS.title })
  title?: string;
  @ApiProperty({ type: [DecisionItemDoc], minItems: 1, maxItems: DECISION_LIMITS.items })
  items: DecisionItemDoc[];
}

export class SummaryCountsDoc {
  @ApiProperty() total: number;
  @ApiProperty() fullProcess: number;
  @ApiProperty() partial: number;
  @ApiProperty() informationOnly: number;
  @ApiProperty() paperIntakeDisabled: number;
}

class ItemEventDoc {
  @ApiProperty({ example: 'ProcedureUpgradedToPartialOnline' }) type: string;
  @ApiProperty({ minimum: 0 }) revision: number;
  @ApiProperty({ minimum: 1 }) globalPosition: number;
}

export class DecisionRecordItemDoc extends DecisionItemDoc {
  @ApiProperty({ minimum: 0, description: 'Place in the annex, 0-based' }) index: number;
  @ApiProperty({ example: 'procedure-74:1.001612' }) streamId: string;
  @ApiProperty({ type: [ItemEventDoc] }) events: ItemEventDoc[];
}

/** A decision as recorded (POST reply, repeat and GET alike). */
export class DecisionRecordDoc {
  @ApiProperty({ example: '74' }) authorityCode: string;
  @ApiProperty({ example: '1500/QĐ-UBND' }) number: string;
  @ApiProperty({ format: 'date' }) issuedOn: string;
  @ApiProperty({ format: 'date' }) effectiveFrom: string;
  @ApiPropertyOptional() title?: string;
  @ApiProperty({ example: 'decision-74:1500/QĐ-UBND' }) streamId: string;
  @ApiProperty({ format: 'uuid', description: 'The DecisionIssued event: every item event has it as causationId' }) eventId: string;
  @ApiProperty({ minimum: 1 }) globalPosition: number;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty() actor: string;
  @ApiProperty() correlationId: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the canonical decision' }) annexDigest: string;
  @ApiProperty({ minimum: 1 }) itemCount: number;
  @ApiProperty({ minimum: 1 }) eventCount: number;
  @ApiProperty({ type: SummaryCountsDoc, description: "Change of the authority's counts on the effective date" }) effect: SummaryCountsDoc;
  @ApiProperty({ enum: [true], description: 'Every event committed at once (one transaction; KurrentDB 25.1 multi-stream append)' }) atomic: boolean;
  @ApiProperty({ type: [DecisionRecordItemDoc] }) items: DecisionRecordItemDoc[];
}

class ProcedureSnapshotDoc {
  @ApiProperty({ enum: ['unregistered', 'offered', 'withdrawn'] }) status: string;
  @ApiPropertyOptional({ enum: ONLINE_MODES }) onlineMode?: string;
  @ApiPropertyOptional({ enum: PAPER_INTAKES }) paperIntake?: string;
}

class PreviewItemDoc {
  @ApiProperty({ minimum: 0 }) index: number;
  @ApiPropertyOptional({ minimum: 2, description: 'CSV annexes: the line of the item' }) line?: number;
  @ApiProperty() procedureCode: string;
  @ApiProperty({ enum: DECISION_ACTIONS }) action: string;
  @ApiProperty({ enum: ['accepted', 'refused'] }) outcome: string;
  @ApiPropertyOptional({ type: [String], description: 'accepted: the events it would append' }) events?: string[];
  @ApiPropertyOptional({ type: ProcedureSnapshotDoc }) before?: ProcedureSnapshotDoc;
  @ApiPropertyOptional({ type: ProcedureSnapshotDoc }) after?: ProcedureSnapshotDoc;
  @ApiPropertyOptional({ description: 'refused: the reason code (as the single commands)' }) reason?: string;
  @ApiPropertyOptional() message?: string;
}

class SummaryBeforeAfterDoc {
  @ApiProperty({ type: SummaryCountsDoc }) before: SummaryCountsDoc;
  @ApiProperty({ type: SummaryCountsDoc }) after: SummaryCountsDoc;
  @ApiProperty({ description: 'Shares of the procedures in force, percent, before and after' }) onlineShare: { before: number; after: number };
}

/** dryRun=true: what the decision would do; nothing appended. */
export class DecisionPreviewDoc {
  @ApiProperty({ enum: [true] }) dryRun: boolean;
  @ApiProperty() authorityCode: string;
  @ApiProperty() number: string;
  @ApiProperty({ format: 'date' }) effectiveFrom: string;
  @ApiProperty({ description: 'Whether issuing it now would be accepted (no item refused)' }) accepted: boolean;
  @ApiProperty({ minimum: 0, description: 'Log position the preview reflects' }) position: number;
  @ApiProperty({ type: SummaryCountsDoc }) effect: SummaryCountsDoc;
  @ApiProperty({ type: SummaryBeforeAfterDoc, description: "The authority's counts on the effective date, before and after" }) summary: SummaryBeforeAfterDoc;
  @ApiProperty({ type: [PreviewItemDoc] }) items: PreviewItemDoc[];
}

class DecisionIssuerDoc {
  @ApiProperty({ pattern: '^[0-9]{2}$', example: '74' }) authorityCode: string;
  @ApiProperty({ example: 'Bình Dương', description: "The unit's name on the issued-on date" }) authorityName: string;
}

/** One decision of a list: its record without the items (GET …/decisions/{number} gives them, with their events). */
export class DecisionListItemDoc {
  @ApiProperty({ example: '1500/QĐ-UBND' }) number: string;
  @ApiProperty({ format: 'date' }) issuedOn: string;
  @ApiProperty({ format: 'date' }) effectiveFrom: string;
  @ApiProperty({ type: DecisionIssuerDoc }) issuer: DecisionIssuerDoc;
  @ApiProperty({ type: String, nullable: true }) title: string | null;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Items of the annex' }) itemCount: number;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Procedure events it appended' }) eventCount: number;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the canonical decision' }) annexDigest: string;
  @ApiProperty({ type: SummaryCountsDoc, description: "The change it made to the authority's counts on its effective date" }) effect: SummaryCountsDoc;
  @ApiProperty({ example: 'decision-74:1500/QĐ-UBND' }) streamId: string;
  @ApiProperty({ format: 'uuid', description: 'The DecisionIssued event: every procedure event of the decision has it as causationId' }) eventId: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) globalPosition: number;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ description: 'Who recorded it (the token subject)' }) actor: string;
}

/** `GET …/decisions`: a page of an authority's decisions dated in a range. */
export class DecisionPageDoc {
  @ApiProperty({ pattern: '^[0-9]{2}$', example: '74' }) authorityCode: string;
  @ApiProperty({ example: 'Bình Dương', description: "The unit's latest name" }) authorityName: string;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'The range asked for (null: open)' }) from: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) to: string | null;
  @ApiProperty({ enum: ['effectiveFrom', 'issuedOn'], description: 'The date the range applies to' }) by: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'As recorded at this instant (now when not asked); null for an answer as of a log position' })
  knownAt: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: "Global log position the answer reflects: the read models' checkpoint, or asOfPosition when asked" })
  position: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Present when the answer was asked for as the log stood at this position' })
  asOfPosition?: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) page: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) pageSize: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Decisions matching, on every page' }) total: number;
  @ApiProperty({ type: [DecisionListItemDoc] }) items: DecisionListItemDoc[];
}
