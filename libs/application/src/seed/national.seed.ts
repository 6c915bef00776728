import { randomUUID } from 'node:crypto';
import {
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
import { MERGER_2025_BASIS, shippedAuthorities } from '../authorities/shipped-authorities.js';

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
  /** Number of the first procedure code (8.000001 by default), so that two data sets can share a store. */
  firstCode?: number;
}

export interface SeedStream {
  streamId: string;
  events: NewEvent[];
}

const START = Date.UTC(2023, 0, 1);
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A deterministic SYNTHETIC national data set: every unit of 2023, `procedures` procedures each,
 * reclassified, made paperless and withdrawn by dated decisions over `years`. Each change is decided
 * by the real decider, so the data obey every domain rule. Yields one authority's streams at a time,
 * so memory stays bounded whatever the size.
 *
 * It spans the 2025 merger: a unit dissolved on 2025-07-01 (data/provinces-2025-merger.csv) takes no
 * decision from that day, and each of its procedures still offered then is discontinued on it; the
 * hosts go on. The shipped units must be set up (setupShippedAuthorities) before these are appended.
 */
export function* nationalSeedStreams(options: NationalSeedOptions): Generator<{ authorityCode: string; streams: SeedStream[] }> {
  const perYear = options.transitionsPerYear ?? 4;
  const decisionsPerYear = options.decisionsPerYear ?? 24;
  if (options.procedures < 1 || options.procedures > 999_999) throw new Error('procedures must be between 1 and 999,999');
  const { provinces2023, merger } = shippedAuthorities();
  const dissolution = new Map(merger.filter((m) => m.oldCode !== m.newCode).map((m) => [m.oldCode, m]));
  for (const authority of provinces2023) {
    const dissolved = dissolution.get(authority.code);
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
    const first = options.firstCode ?? 1;
    const codes = Array.from({ length: options.procedures }, (_, i) => `8.${String(first + i).padStart(6, '0')}`);
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
      if (dissolved && effectiveFrom >= dissolved.effectiveDate) return;
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
    if (dissolved) {
      for (const code of codes) {
        if (states.get(code)?.status !== 'offered') continue;
        decide({
          type: 'DiscontinueProcedure',
          data: {
            authorityCode: authority.code,
            procedureCode: code,
            successorCode: dissolved.newCode,
            effectiveFrom: dissolved.effectiveDate,
            decisionRef: MERGER_2025_BASIS,
            reason: `Đơn vị hành chính hợp nhất vào ${dissolved.newCode}`,
          },
        });
      }
    }
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
