import { randomUUID } from 'node:crypto';
import {
  allAuthorities,
  ONLINE_MODE_RANK,
  ONLINE_MODES,
  PROCEDURE_EVENT_SCHEMA_VERSION,
  procedure,
  procedureStreamId,
  type OnlineMode,
  type ProcedureCommand,
  type ProcedureEvent,
  type ProcedureState,
} from '@tthc/domain';
import type { NewEvent } from '@tthc/event-store';
import { prng, SYNTHETIC_FIELDS, SYNTHETIC_LEVELS } from './prng.js';

export interface NationalSeedOptions {
  /** Procedures per authority (at most 999,999). */
  procedures: number;
  /** Years of decisions after the first registration date (2023-01-01). */
  years: number;
  /** Average transitions per procedure per year. */
  transitionsPerYear?: number;
  /** Decisions (dated batches of changes) per authority per year. */
  decisionsPerYear?: number;
  seed?: number;
}

export interface SeedStream {
  streamId: string;
  events: NewEvent[];
}

const START = Date.UTC(2023, 0, 1);
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A deterministic SYNTHETIC national data set: every authority, `procedures` procedures each,
 * reclassified, made paperless and withdrawn by dated decisions over `years`. Each change is decided
 * by the real decider, so the data obey every domain rule. Yields one authority's streams at a time,
 * so memory stays bounded whatever the size.
 */
export function* nationalSeedStreams(options: NationalSeedOptions): Generator<{ authorityCode: string; streams: SeedStream[] }> {
  const perYear = options.transitionsPerYear ?? 4;
  const decisionsPerYear = options.decisionsPerYear ?? 24;
  if (options.procedures < 1 || options.procedures > 999_999) throw new Error('procedures must be between 1 and 999,999');
  for (const authority of allAuthorities()) {
    const random = prng((options.seed ?? 2023) * 100 + Number(authority.code));
    const states = new Map<string, ProcedureState>();
    const events = new Map<string, ProcedureEvent[]>();
    const decide = (command: ProcedureCommand) => {
      const code = command.data.procedureCode;
      const state = states.get(code) ?? procedure.initialState();
      const decided = procedure.decide(command, state);
      states.set(code, decided.reduce(procedure.evolve, state));
      events.set(code, [...(events.get(code) ?? []), ...decided]);
    };
    // Leading digit 8, which no national procedure code has, and not the 9 of the Bình Dương scenario.
    const codes = Array.from({ length: options.procedures }, (_, i) => `8.${String(i + 1).padStart(6, '0')}`);
    codes.forEach((code, i) => {
      const onlineMode = ONLINE_MODES[Math.floor(random() * 3)];
      decide({
        type: 'RegisterProcedure',
        data: {
          authorityCode: authority.code,
          procedureCode: code,
          name: `Thủ tục hành chính mẫu số ${i + 1} (dữ liệu tổng hợp)`,
          field: SYNTHETIC_FIELDS[i % SYNTHETIC_FIELDS.length],
          level: SYNTHETIC_LEVELS[i % SYNTHETIC_LEVELS.length],
          onlineMode,
          paperIntake: onlineMode !== 'INFORMATION_ONLY' && random() < 0.4 ? 'DISABLED' : 'ACCEPTED',
          effectiveFrom: isoDay(START),
          decisionRef: `${authority.code}-0001/QĐ-UBND (tổng hợp)`,
        },
      });
    });
    const decisions = Math.max(1, Math.round(decisionsPerYear * options.years));
    const changesPerDecision = Math.max(1, Math.round((perYear * options.years * options.procedures) / decisions));
    const span = Math.max(1, Math.round(options.years * 365));
    const dates = Array.from({ length: decisions }, () => START + (1 + Math.floor(random() * span)) * DAY).sort((a, b) => a - b);
    dates.forEach((date, d) => {
      const effectiveFrom = isoDay(date);
      const decisionRef = `${authority.code}-${String(d + 2).padStart(4, '0')}/QĐ-UBND (tổng hợp)`;
      for (let n = 0; n < changesPerDecision; n++) {
        const code = codes[Math.floor(random() * codes.length)];
        const state = states.get(code)!;
        if (state.status !== 'offered') continue;
        const key = { authorityCode: authority.code, procedureCode: code, effectiveFrom, decisionRef };
        const roll = random();
        try {
          if (roll < 0.002) decide({ type: 'WithdrawProcedure', data: key });
          else if (roll < 0.3 && state.onlineMode !== 'INFORMATION_ONLY') {
            decide({ type: state.paperIntake === 'DISABLED' ? 'ReenablePaperIntake' : 'DisablePaperIntake', data: key });
          } else {
            // Mostly upgrades, sometimes a step back, as provinces' decisions go.
            const others = ONLINE_MODES.filter((m) => m !== state.onlineMode);
            const up = others.filter((m) => ONLINE_MODE_RANK[m] > ONLINE_MODE_RANK[state.onlineMode]).sort((a, b) => ONLINE_MODE_RANK[a] - ONLINE_MODE_RANK[b]);
            const to: OnlineMode = up.length > 0 && random() < 0.75 ? up[0] : others[Math.floor(random() * others.length)];
            decide({ type: 'ReclassifyProcedure', data: { ...key, onlineMode: to } });
          }
        } catch {
          // A change the domain refuses (already so) is simply not part of this decision.
        }
      }
    });
    yield {
      authorityCode: authority.code,
      streams: codes.map((code) => ({
        streamId: procedureStreamId(authority.code, code),
        events: (events.get(code) ?? []).map((e) => ({
          id: randomUUID(),
          type: e.type,
          schemaVersion: PROCEDURE_EVENT_SCHEMA_VERSION,
          data: e.data,
          metadata: { actor: 'seed', correlationId: `seed-national-${authority.code}`, causationId: null },
        })),
      })),
    };
  }
}
