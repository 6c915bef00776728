export const CLOCK = Symbol('CLOCK');

/** Time arrives from outside so that handlers stay deterministic under test. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
