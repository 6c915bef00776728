import { randomUUID } from 'node:crypto';
import { DecisionNumberTaken, DecisionRefused, InvalidCommand, type DecisionItem, type IssueDecision } from '@tthc/domain';
import { InMemoryEventStore, type EventStore } from '@tthc/event-store';
import { handleProcedureCommand } from '../handle-command.js';
import { handleAuthorityCommand } from '../authorities/authority.handlers.js';
import { readDecision } from './decision-record.js';
import { issueDecision, previewDecision } from './issue-decision.js';

const context = () => ({ actor: 'nguyen.van.a', correlationId: randomUUID() });

/** A store in which Bình Dương (74) is established, as the first migrate leaves it: one event. */
async function storeWith74(): Promise<EventStore> {
  const store = new InMemoryEventStore();
  await handleAuthorityCommand(store, { type: 'EstablishAuthority', data: { authorityCode: '74', name: 'Bình Dương', kind: 'PROVINCE', effectiveFrom: '2008-08-01' } }, context());
  return store;
}
const code = (i: number) => `9.${String(i).padStart(6, '0')}`;
const decision = (number: string, effectiveFrom: string, items: DecisionItem[]): IssueDecision => ({
  type: 'IssueDecision',
  data: { authorityCode: '74', number, issuedOn: effectiveFrom, effectiveFrom, items },
});
const register = (n: number): IssueDecision =>
  decision(
    '1000/QĐ-UBND',
    '2023-06-01',
    Array.from({ length: n }, (_, i) => ({ procedureCode: code(i), action: 'register', name: `Thủ tục ${i}`, onlineMode: 'PARTIAL' })),
  );

describe('issueDecision', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await storeWith74();
    await issueDecision(store, register(2000), context());
  });

  it('appends the decision record and every item event in one commit, each event caused by the decision', async () => {
    const log = await store.readAll({ after: 1, limit: 10_000 }); // after the unit's establishment
    expect(log).toHaveLength(2001);
    expect(log[0]).toMatchObject({ streamId: 'decision-74:1000/QĐ-UBND', type: 'DecisionIssued' });
    expect(log.slice(1).every((e) => e.metadata.causationId === log[0].id && (e.data as { decisionRef: string }).decisionRef === '1000/QĐ-UBND')).toBe(true);
    expect(new Set(log.map((e) => e.metadata.correlationId)).size).toBe(1);
  });

  it('appends nothing when one item in 2,000 is refused, and lists that item', async () => {
    const head = await store.headPosition();
    const items: DecisionItem[] = Array.from({ length: 2000 }, (_, i) => ({ procedureCode: code(i), action: 'reclassify', onlineMode: 'FULL_PROCESS' }));
    items[1234] = { procedureCode: code(1234), action: 'reclassify', onlineMode: 'PARTIAL' };
    const error = await issueDecision(store, decision('1500/QĐ-UBND', '2023-07-15', items), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecisionRefused);
    expect((error as DecisionRefused).refusals).toEqual([
      { index: 1234, procedureCode: code(1234), reason: 'ALREADY_IN_MODE', message: 'Procedure is already PARTIAL' },
    ]);
    expect(await store.headPosition()).toBe(head);
    expect(await readDecision(store, '74', '1500/QĐ-UBND')).toBeNull();
  });

  it('answers the same number and content with the first record, and refuses other content with the same number', async () => {
    const items: DecisionItem[] = [{ procedureCode: code(1), action: 'disable-paper-intake' }];
    const first = await issueDecision(store, decision('1900/QĐ-UBND', '2023-08-20', items), context());
    const head = await store.headPosition();
    expect(first.created).toBe(true);
    expect(await issueDecision(store, decision('1900/QĐ-UBND', '2023-08-20', items), context())).toEqual({ record: first.record, created: false });
    await expect(
      issueDecision(store, decision('1900/QĐ-UBND', '2023-08-20', [{ procedureCode: code(2), action: 'disable-paper-intake' }]), context()),
    ).rejects.toBeInstanceOf(DecisionNumberTaken);
    expect(await store.headPosition()).toBe(head);
  });

  it('lets exactly one of a decision and a concurrent single command on one of its procedures succeed', async () => {
    const items: DecisionItem[] = Array.from({ length: 50 }, (_, i) => ({ procedureCode: code(i), action: 'reclassify', onlineMode: 'FULL_PROCESS' }));
    const outcomes = await Promise.allSettled([
      issueDecision(store, decision('2100/QĐ-UBND', '2023-09-10', items), context()),
      handleProcedureCommand(
        store,
        { type: 'ReclassifyProcedure', data: { authorityCode: '74', procedureCode: code(7), onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-09-10', decisionRef: '77/QĐ-UBND' } },
        context(),
      ),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const upgrades = (await store.readAll({ after: 2002, limit: 1000 })).filter((e) => e.type === 'ProcedureUpgradedToFullProcess');
    expect(upgrades).toHaveLength(outcomes[0].status === 'fulfilled' ? 50 : 1);
  });

  it('traces both ways: the record lists each item with its events; each event names the decision as its cause', async () => {
    const record = await readDecision(store, '74', '1000/QĐ-UBND');
    expect(record).toMatchObject({ itemCount: 2000, eventCount: 2000, atomic: true, effect: { total: 2000, partial: 2000 } });
    expect(record!.items[5]).toMatchObject({ procedureCode: code(5), streamId: `procedure-74:${code(5)}`, events: [{ type: 'ProcedureRegistered', revision: 0 }] });
    const [event] = await store.readStream(`procedure-74:${code(5)}`);
    expect(event.globalPosition).toBe(record!.items[5].events[0].globalPosition);
    expect(event.metadata.causationId).toBe(record!.eventId);
  });

  it('refuses malformed decisions before reading anything', async () => {
    const bad = decision('1500/QĐ-UBND', '2023-07-15', [{ procedureCode: code(1), action: 'upgrade' as never }]);
    await expect(issueDecision(store, bad, context())).rejects.toBeInstanceOf(InvalidCommand);
  });
});

describe('previewDecision', () => {
  it('judges every item, appends nothing, and states the effect', async () => {
    const store = await storeWith74();
    await issueDecision(store, register(3), context());
    const head = await store.headPosition();
    const preview = await previewDecision(
      store,
      decision('1500/QĐ-UBND', '2023-07-15', [
        { procedureCode: code(0), action: 'reclassify', onlineMode: 'FULL_PROCESS' },
        { procedureCode: code(1), action: 'reclassify', onlineMode: 'PARTIAL' },
        { procedureCode: code(2), action: 'withdraw' },
      ]),
    );
    expect(preview.outcome.outcomes.map((o) => o.index)).toEqual([0, 2]);
    expect(preview.outcome.refusals.map((r) => r.reason)).toEqual(['ALREADY_IN_MODE']);
    expect(preview.outcome.effect).toEqual({ total: -1, fullProcess: 1, partial: -2, informationOnly: 0, paperIntakeDisabled: 0 });
    expect(preview.position).toBe(head);
    expect(await store.headPosition()).toBe(head);
  });
});
