// Builders for procedure events and commands: sensible defaults (Bình Dương, 1.001612, 2023-06-01),
// every field overridable. Event builders return exactly what `decide` emits for the matching command.
import type {
  DisablePaperIntake,
  ProcedureCommand,
  ReclassifyProcedure,
  ReenablePaperIntake,
  RegisterProcedure,
  WithdrawProcedure,
} from '../procedure/procedure.commands.js';
import type {
  PaperIntakeDisabled,
  PaperIntakeReenabled,
  ProcedureDowngradedToInformationOnly,
  ProcedureDowngradedToPartialOnline,
  ProcedureRegistered,
  ProcedureUpgradedToFullProcess,
  ProcedureUpgradedToPartialOnline,
  ProcedureWithdrawn,
} from '../procedure/procedure.events.js';

export const DEFAULTS = {
  authorityCode: '74',
  procedureCode: '1.001612',
  effectiveFrom: '2023-06-01',
  decisionRef: 'QĐ 1234/QĐ-UBND',
  name: 'Đăng ký thành lập hộ kinh doanh',
} as const;

const key = () => ({ authorityCode: DEFAULTS.authorityCode, procedureCode: DEFAULTS.procedureCode });
const decision = () => ({ ...key(), effectiveFrom: DEFAULTS.effectiveFrom, decisionRef: DEFAULTS.decisionRef });

// ---- events ----

export const registered = (data: Partial<ProcedureRegistered['data']> = {}): ProcedureRegistered => ({
  type: 'ProcedureRegistered',
  data: { ...decision(), name: DEFAULTS.name, onlineMode: 'PARTIAL', paperIntake: 'ACCEPTED', ...data },
});

export const upgradedToFullProcess = (
  data: Partial<ProcedureUpgradedToFullProcess['data']> = {},
): ProcedureUpgradedToFullProcess => ({
  type: 'ProcedureUpgradedToFullProcess',
  data: { ...decision(), from: 'PARTIAL', to: 'FULL_PROCESS', ...data },
});

export const upgradedToPartialOnline = (
  data: Partial<ProcedureUpgradedToPartialOnline['data']> = {},
): ProcedureUpgradedToPartialOnline => ({
  type: 'ProcedureUpgradedToPartialOnline',
  data: { ...decision(), from: 'INFORMATION_ONLY', to: 'PARTIAL', ...data },
});

export const downgradedToPartialOnline = (
  data: Partial<ProcedureDowngradedToPartialOnline['data']> = {},
): ProcedureDowngradedToPartialOnline => ({
  type: 'ProcedureDowngradedToPartialOnline',
  data: { ...decision(), from: 'FULL_PROCESS', to: 'PARTIAL', ...data },
});

export const downgradedToInformationOnly = (
  data: Partial<ProcedureDowngradedToInformationOnly['data']> = {},
): ProcedureDowngradedToInformationOnly => ({
  type: 'ProcedureDowngradedToInformationOnly',
  data: { ...decision(), from: 'PARTIAL', to: 'INFORMATION_ONLY', ...data },
});

export const paperIntakeDisabled = (data: Partial<PaperIntakeDisabled['data']> = {}): PaperIntakeDisabled => ({
  type: 'PaperIntakeDisabled',
  data: { ...decision(), from: 'ACCEPTED', to: 'DISABLED', ...data },
});

export const paperIntakeReenabled = (data: Partial<PaperIntakeReenabled['data']> = {}): PaperIntakeReenabled => ({
  type: 'PaperIntakeReenabled',
  data: { ...decision(), from: 'DISABLED', to: 'ACCEPTED', ...data },
});

export const withdrawn = (data: Partial<ProcedureWithdrawn['data']> = {}): ProcedureWithdrawn => ({
  type: 'ProcedureWithdrawn',
  data: { ...decision(), ...data },
});

// ---- commands ----

/** No `paperIntake` by default, so the domain's default (ACCEPTED) applies. */
export const register = (data: Partial<RegisterProcedure['data']> = {}): RegisterProcedure => ({
  type: 'RegisterProcedure',
  data: { ...decision(), name: DEFAULTS.name, onlineMode: 'PARTIAL', ...data },
});

export const reclassify = (data: Partial<ReclassifyProcedure['data']> = {}): ReclassifyProcedure => ({
  type: 'ReclassifyProcedure',
  data: { ...decision(), onlineMode: 'FULL_PROCESS', ...data },
});

export const disablePaperIntake = (data: Partial<DisablePaperIntake['data']> = {}): DisablePaperIntake => ({
  type: 'DisablePaperIntake',
  data: { ...decision(), ...data },
});

export const reenablePaperIntake = (data: Partial<ReenablePaperIntake['data']> = {}): ReenablePaperIntake => ({
  type: 'ReenablePaperIntake',
  data: { ...decision(), ...data },
});

export const withdraw = (data: Partial<WithdrawProcedure['data']> = {}): WithdrawProcedure => ({
  type: 'WithdrawProcedure',
  data: { ...decision(), ...data },
});

/**
 * A command as untyped input could deliver it: `patch` may hold values of any type, and a key set to
 * `undefined` is removed altogether (a missing field).
 */
export function malformed<C extends ProcedureCommand>(command: C, patch: Record<string, unknown>): C {
  const data: Record<string, unknown> = { ...command.data, ...patch };
  for (const [field, value] of Object.entries(patch)) if (value === undefined) delete data[field];
  return { ...command, data } as unknown as C;
}
