/** A query asked to reflect `afterPosition`, and the read models did not get there in time. */
export class ProjectionBehind extends Error {
  readonly code = 'PROJECTION_BEHIND';
  constructor(
    readonly requested: number,
    readonly reached: number,
    readonly waitedMs: number,
  ) {
    super(`The read models reflect position ${reached}, not yet ${requested} (waited ${waitedMs} ms)`);
    this.name = 'ProjectionBehind';
  }
}
