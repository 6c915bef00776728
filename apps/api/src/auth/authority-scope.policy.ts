import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { coversDate, describeScope, isCalendarDate, scopeCoverage, vietnamDate, type AuthorityScope } from '@tthc/domain';
import { OutsideAuthorityScope } from './auth.errors.js';
import { LINEAGE_SOURCE, lineageFor, type LineageSource } from './lineage-source.js';
import type { Principal } from './token-verifier.js';

/** What the policy reads of a request: the path's authority, and a command's effective date. */
export interface ScopedRequest extends IncomingMessage {
  params?: Record<string, string | undefined>;
  body?: unknown;
  query?: Record<string, unknown>;
}

/** What a request is, for the scope: a command, one authority's query, or a national query. */
export type ScopeTarget = 'command' | 'query';

/**
 * Issue 14: administrators act for their own province. Decides whether `principal` may make
 * `request`, and throws OutsideAuthorityScope (403) when not:
 * - a command needs its authority (the `authorityCode` path parameter) covered by the scope on the
 *   command's effective date (`effectiveFrom` in the JSON body, or the date a national fact is dated
 *   by: `assessedOn`, `connectedOn`, `disconnectedOn`; else `effectiveFrom` in the query string), by the
 *   domain's lineage rule (scopeCoverage); a command endpoint without an authority needs national scope;
 * - a query (only asked when AUTH_QUERY_SCOPE=restricted) needs its authority covered on some date,
 *   or national scope for an endpoint that is not one authority's.
 * Runs in the AuthGuard, after the role check: before validation, idempotency and the database.
 */
@Injectable()
export class AuthorityScopePolicy {
  constructor(@Inject(LINEAGE_SOURCE) private readonly lineage: LineageSource) {}

  async authorize(principal: Principal, request: ScopedRequest, target: ScopeTarget, now: Date = new Date()): Promise<void> {
    const scope = principal.authorities;
    if (scope.national) return;
    const authorityCode = request.params?.authorityCode;
    if (authorityCode === undefined) throw new OutsideAuthorityScope(null, describeScope(scope), 'national endpoint');
    const issuedAt = principal.issuedAt !== undefined && principal.issuedAt < now ? principal.issuedAt : now;
    const lineage = await lineageFor(this.lineage, scope.units, authorityCode);
    const coverage = scopeCoverage(scope, authorityCode, vietnamDate(issuedAt), lineage);
    if (coverage.covers === 'none') throw outside(authorityCode, scope, coverage.why);
    if (target === 'query' || coverage.covers === 'all') return;
    const effectiveFrom = effectiveDateOf(request);
    if (effectiveFrom === undefined) {
      throw outside(authorityCode, scope, `${coverage.why}, and the request has no effectiveFrom date to tell`);
    }
    if (!coversDate(coverage, effectiveFrom)) throw outside(authorityCode, scope, `${coverage.why}, not on ${effectiveFrom}`);
  }
}

const outside = (authorityCode: string, scope: AuthorityScope, why: string) => new OutsideAuthorityScope(authorityCode, describeScope(scope), why);

/** The body fields a command may be dated by: a transition's, or a national fact's (issue 18). */
const DATE_FIELDS = ['effectiveFrom', 'assessedOn', 'connectedOn', 'disconnectedOn'] as const;

/** The command's effective date, when the request states a real one. */
function effectiveDateOf(request: ScopedRequest): string | undefined {
  const body = request.body;
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const fromBody = fields && DATE_FIELDS.map((f) => fields[f]).find((v) => v !== undefined);
  const value = fromBody ?? request.query?.effectiveFrom;
  return isCalendarDate(value) ? value : undefined;
}
