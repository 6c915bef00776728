import { InvalidRequest } from './invalid-request.error.js';

// Our ETags are stream revisions, `"3"`. A weak prefix is tolerated (the revision is exact either way);
// a bare number too, because scripts forget the quotes. Lists and `*` are refused: a command names
// the one revision it was decided on.
const REVISION_TAG = /^(?:W\/)?(?:"(\d{1,10})"|(\d{1,10}))$/;

/** Parses `If-Match` into an expected revision; undefined when the header is absent. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = typeof header === 'string' ? REVISION_TAG.exec(header.trim()) : null;
  const revision = match ? Number(match[1] ?? match[2]) : NaN;
  if (!Number.isSafeInteger(revision) || revision > 2_147_483_647) {
    throw new InvalidRequest([{ field: 'If-Match', message: 'must be one revision as an entity tag, such as "3"' }]);
  }
  return revision;
}

export function revisionTag(revision: number): string {
  return `"${revision}"`;
}
