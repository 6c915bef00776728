import { Controller, HttpCode, Inject, Logger, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventLogVerifier } from '@tthc/event-store';
import { READ_MODEL_VERIFIER, type ReadModelVerifier } from '@tthc/read-models';
import { AUDIT_ROLES, Roles } from '../auth/roles.decorator.js';
import { CorrelationId } from '../http/correlation-id.js';
import { ApiProblemResponse } from '../http/problem.response.js';
import { ApiAuthDocs } from '../procedures/procedure.api-docs.js';
import { VerificationResponse } from './audit.responses.js';

/**
 * Audit: verifications of the record. Each part of a verification is a member of the answer with its
 * own `ok`: `tamperEvidence`, the event store's hash chains and log digest (EventLogVerifier, in
 * libs/event-store); `readModels`, the read models against a replay of the log (ReadModelVerifier, in
 * libs/read-models), whose summary API.md also shows at the top level. The answer is 200 whatever is
 * found; `ok` says whether all is well.
 */
@ApiTags('audit')
@ApiAuthDocs()
@Roles(...AUDIT_ROLES)
@Controller('audit')
export class AuditController {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly verifier: EventLogVerifier,
    @Inject(READ_MODEL_VERIFIER) private readonly readModelVerifier: ReadModelVerifier,
  ) {}

  @Post('verifications')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Check the tamper evidence of the whole log (every stream's hash chain and the log digest checkpoints), " +
      'then replay it and compare every summary and procedure the read models hold',
    description: 'Answers 200 whatever it finds: `ok` says whether the log is intact and the read models agree with it.',
  })
  @ApiOkResponse({ type: VerificationResponse })
  @ApiProblemResponse(400, 'A body (none is needed) that is not acceptable JSON')
  @ApiProblemResponse(413, 'A body (none is needed) larger than the limit')
  async verify(@CorrelationId() correlationId: string): Promise<VerificationResponse> {
    const tamperEvidence = await this.verifier.verify();
    const readModels = await this.readModelVerifier.verify();
    const result: VerificationResponse = {
      ok: tamperEvidence.ok && readModels.mismatchCount === 0,
      verifiedAt: new Date().toISOString(),
      upToPosition: tamperEvidence.upToPosition,
      tamperEvidence,
      readModels: { ok: readModels.mismatchCount === 0, ...readModels },
      eventsReplayed: readModels.eventsReplayed,
      authoritiesChecked: readModels.authoritiesChecked,
      datesChecked: readModels.datesChecked,
      mismatches: readModels.mismatches,
    };
    const summary = {
      correlationId,
      upToPosition: result.upToPosition,
      eventsChecked: tamperEvidence.eventsChecked,
      chainProblems: tamperEvidence.chains.problemCount,
      digestProblems: tamperEvidence.logDigest.problemCount,
      digest: tamperEvidence.logDigest.digest,
      readModelsUpTo: readModels.upToPosition,
      readModelMismatches: readModels.mismatchCount,
    };
    if (result.ok) this.logger.log({ msg: 'verification: the log is intact and the read models agree with it', ...summary });
    else if (!tamperEvidence.ok) this.logger.warn({ msg: 'verification: the log has been tampered with', ...summary });
    else this.logger.warn({ msg: 'verification: the read models disagree with the log', ...summary });
    return result;
  }
}
