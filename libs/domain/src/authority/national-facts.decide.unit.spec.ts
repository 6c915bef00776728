import { deciderSpec } from '../testing/decider-spec.js';
import { IllegalAuthorityTransition, InvalidCommand, UnknownAuthority } from '../shared/errors.js';
import { authority } from './authority.decide.js';
import type { AuthorityCommand } from './authority.commands.js';
import type { AuthorityStreamEvent } from './authority.events.js';
import { assessmentOn, connectionOn, evolveAuthority, initialAuthorityState, type EstablishedAuthority } from './authority.state.js';
import { CIRCULAR_21_2023 } from './national-facts.decide.js';

const given = deciderSpec(authority);
const SOURCE = 'Báo cáo Tổ công tác cải cách TTHC, 16-10-2023';

const ministry: AuthorityStreamEvent = {
  type: 'AuthorityEstablished',
  data: { authorityCode: 'B05', name: 'Bộ Tư pháp', kind: 'MINISTRY', effectiveFrom: '2021-07-28', legalBasis: 'Nghị quyết 144/2021/QH15' },
};
const province: AuthorityStreamEvent = {
  type: 'AuthorityEstablished',
  data: { authorityCode: '74', name: 'Bình Dương', kind: 'PROVINCE', effectiveFrom: '2008-08-01', legalBasis: 'GSO' },
};
const merged74: AuthorityStreamEvent = { type: 'AuthorityMerged', data: { authorityCode: '74', successorCode: '79', effectiveFrom: '2025-07-01', legalBasis: 'Nghị quyết 202/2025/QH15' } };

const assess = (assessedOn: string, meetsAllRequirements = true, authorityCode = 'B05'): AuthorityCommand => ({
  type: 'AssessProcedureSystem',
  data: { authorityCode, assessedOn, meetsAllRequirements, source: SOURCE },
});
const assessed = (assessedOn: string, meetsAllRequirements = true, authorityCode = 'B05'): AuthorityStreamEvent => ({
  type: 'ProcedureSystemAssessed',
  data: { authorityCode, assessedOn, meetsAllRequirements, requirements: CIRCULAR_21_2023, source: SOURCE },
});
const connect = (connectedOn: string, authorityCode = 'B05'): AuthorityCommand => ({ type: 'ConnectPopulationDatabase', data: { authorityCode, connectedOn, source: SOURCE } });
const connected = (connectedOn: string, authorityCode = 'B05'): AuthorityStreamEvent => ({ type: 'PopulationDatabaseConnected', data: { authorityCode, connectedOn, source: SOURCE } });
const disconnect = (disconnectedOn: string): AuthorityCommand => ({ type: 'DisconnectPopulationDatabase', data: { authorityCode: 'B05', disconnectedOn, source: SOURCE, reason: ' bảo trì ' } });
const disconnected = (disconnectedOn: string): AuthorityStreamEvent => ({ type: 'PopulationDatabaseDisconnected', data: { authorityCode: 'B05', disconnectedOn, source: SOURCE, reason: 'bảo trì' } });
const fold = (events: AuthorityStreamEvent[]) => events.reduce(evolveAuthority, initialAuthorityState()) as EstablishedAuthority;
const refused = (reason: string) => (e: IllegalAuthorityTransition) => e.reason === reason;

describe('national facts on an authority stream (issue 18)', () => {
  it('a ministry is an authority with an agency code and kind; a province code cannot take an agency kind, nor the reverse', () => {
    given([]).when({ type: 'EstablishAuthority', data: { ...(ministry.data as any) } }).then([ministry]);
    given([]).when({ type: 'EstablishAuthority', data: { authorityCode: '74', name: 'X', kind: 'MINISTRY' as any, effectiveFrom: '2008-08-01' } }).thenThrows(InvalidCommand, (e) =>
      expect(e.errors.map((x) => x.field)).toEqual(['kind']));
    given([]).when({ type: 'EstablishAuthority', data: { authorityCode: 'B05', name: 'X', kind: 'PROVINCE', effectiveFrom: '2008-08-01' } }).thenThrows(InvalidCommand, (e) =>
      expect(e.errors.map((x) => x.field)).toEqual(['kind']));
    given([]).when({ type: 'EstablishAuthority', data: { authorityCode: 'X05', name: 'X', kind: 'MINISTRY', effectiveFrom: '2008-08-01' } }).thenThrows(InvalidCommand);
  });

  it('records an assessment against Circular 21/2023/TT-BTTTT, and a later one supersedes it from its date', () => {
    given([ministry]).when(assess('2023-10-16', false)).then([assessed('2023-10-16', false)]);
    const state = fold([ministry, assessed('2023-10-16', false), assessed('2024-05-01', true)]);
    expect(assessmentOn(state.facts, '2023-10-15')).toBeUndefined();
    expect(assessmentOn(state.facts, '2023-10-16')).toMatchObject({ meetsAllRequirements: false, requirements: CIRCULAR_21_2023 });
    expect(assessmentOn(state.facts, '2024-05-01')).toMatchObject({ meetsAllRequirements: true });
    // Facts leave the lineage alone.
    expect(state.versions).toEqual(fold([ministry]).versions);
    expect(state.lastEffectiveFrom).toBe('2021-07-28');
  });

  it('the same assessment again decides nothing; another on that date, or an earlier one, is refused', () => {
    given([ministry, assessed('2023-10-16')]).when(assess('2023-10-16')).thenNothingHappened();
    given([ministry, assessed('2023-10-16')]).when(assess('2023-10-16', false)).thenThrows(IllegalAuthorityTransition, refused('ALREADY_ASSESSED_ON_DATE'));
    given([ministry, assessed('2023-10-16')]).when(assess('2023-01-01')).thenThrows(IllegalAuthorityTransition, refused('EFFECTIVE_DATE_BEFORE_LAST_CHANGE'));
  });

  it('connects, disconnects and reconnects; the connection in force on a date follows', () => {
    given([ministry]).when(connect('2023-03-01')).then([connected('2023-03-01')]);
    given([ministry, connected('2023-03-01')]).when(disconnect('2023-11-01')).then([disconnected('2023-11-01')]);
    given([ministry, connected('2023-03-01'), disconnected('2023-11-01')]).when(connect('2023-12-01')).then([connected('2023-12-01')]);
    const state = fold([ministry, connected('2023-03-01'), disconnected('2023-11-01'), connected('2023-12-01')]);
    expect(connectionOn(state.facts, '2023-02-28')).toBeUndefined();
    expect(connectionOn(state.facts, '2023-10-31')).toMatchObject({ connectedOn: '2023-03-01', disconnectedOn: '2023-11-01' });
    expect(connectionOn(state.facts, '2023-11-15')).toBeUndefined();
    expect(connectionOn(state.facts, '2026-01-01')).toMatchObject({ connectedOn: '2023-12-01', disconnectedOn: null });
  });

  it('no disconnection when not connected; no second connection; dates after the last change', () => {
    given([ministry]).when(disconnect('2023-11-01')).thenThrows(IllegalAuthorityTransition, refused('NOT_CONNECTED'));
    given([ministry, connected('2023-03-01'), disconnected('2023-11-01')]).when(disconnect('2023-12-01')).thenThrows(IllegalAuthorityTransition, refused('NOT_CONNECTED'));
    given([ministry, connected('2023-03-01')]).when(connect('2023-05-01')).thenThrows(IllegalAuthorityTransition, refused('ALREADY_CONNECTED'));
    given([ministry, connected('2023-03-01')]).when(disconnect('2023-03-01')).thenThrows(IllegalAuthorityTransition, refused('EFFECTIVE_DATE_BEFORE_LAST_CHANGE'));
    given([ministry, connected('2023-03-01'), disconnected('2023-11-01')]).when(connect('2023-10-01')).thenThrows(IllegalAuthorityTransition, refused('EFFECTIVE_DATE_BEFORE_LAST_CHANGE'));
    // Sent again: nothing.
    given([ministry, connected('2023-03-01')]).when(connect('2023-03-01')).thenNothingHappened();
    given([ministry, connected('2023-03-01'), disconnected('2023-11-01')]).when(disconnect('2023-11-01')).thenNothingHappened();
  });

  it('nothing before the establishment, nothing about an unknown authority, nothing on or after a dissolution', () => {
    given([ministry]).when(connect('2021-07-27')).thenThrows(IllegalAuthorityTransition, refused('BEFORE_ESTABLISHMENT'));
    given([ministry]).when(assess('2020-01-01')).thenThrows(IllegalAuthorityTransition, refused('BEFORE_ESTABLISHMENT'));
    given([]).when(connect('2023-01-01')).thenThrows(UnknownAuthority);
    given([province, merged74]).when(connect('2025-07-01', '74')).thenThrows(IllegalAuthorityTransition, refused('ALREADY_DISSOLVED'));
    given([province, merged74]).when(assess('2026-01-01', true, '74')).thenThrows(IllegalAuthorityTransition, refused('ALREADY_DISSOLVED'));
    given([province, merged74]).when(assess('2025-06-30', true, '74')).then([assessed('2025-06-30', true, '74')]);
  });

  it('a unit cannot be dissolved on or before a fact recorded about it', () =>
    given([province, connected('2025-07-01', '74')])
      .when({ type: 'DissolveAuthority', data: { authorityCode: '74', successorCode: '79', effectiveFrom: '2025-07-01', legalBasis: 'Nghị quyết 202/2025/QH15' } })
      .thenThrows(IllegalAuthorityTransition, refused('FACT_AFTER_DISSOLUTION')));

  it('names every malformed field', () => {
    given([]).when({ type: 'AssessProcedureSystem', data: { authorityCode: '7', assessedOn: '2023-02-30', meetsAllRequirements: 'yes' as any, source: ' ' } }).thenThrows(InvalidCommand, (e) =>
      expect(e.errors.map((x) => x.field).sort()).toEqual(['assessedOn', 'authorityCode', 'meetsAllRequirements', 'source']));
    given([]).when({ type: 'DisconnectPopulationDatabase', data: { authorityCode: 'B05', disconnectedOn: '2023-1-1', source: 'x\u202e', reason: 'r'.repeat(2001) } }).thenThrows(InvalidCommand, (e) =>
      expect(e.errors.map((x) => x.field).sort()).toEqual(['disconnectedOn', 'reason', 'source']));
  });
});
