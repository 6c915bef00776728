import { ApiProperty } from '@nestjs/swagger';
import { RescindingDecisionRequest } from '../procedures/correction.request.js';

/** POST …/decisions/{number}/rescission: the later decision that rescinds this one. */
export class RescindDecisionRequest extends RescindingDecisionRequest {}

class RescindedEventDoc {
  @ApiProperty({ example: 'TransitionRescinded' })
  type: string;
  @ApiProperty({ type: 'integer', minimum: 1 })
  globalPosition: number;
}

class RescindedStreamDoc {
  @ApiProperty({ example: 'procedure-74:1.001612' })
  streamId: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: "The stream's revision after the rescission" })
  revision: number;
  @ApiProperty({ type: [RescindedEventDoc] })
  events: RescindedEventDoc[];
}

/** What a decision's rescission appended. */
export class DecisionRescissionDoc {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ example: '1500/QĐ-UBND', description: 'The decision rescinded' })
  number: string;
  @ApiProperty({ example: 'QĐ 99/QĐ-UBND', description: 'The rescinding decision' })
  decisionRef: string;
  @ApiProperty({ type: [RescindedStreamDoc], description: 'Every procedure stream it appended to' })
  streams: RescindedStreamDoc[];
  @ApiProperty({ type: 'integer', minimum: 1, description: 'TransitionRescinded events appended' })
  eventCount: number;
}
