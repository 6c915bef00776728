import { BINH_DUONG_FIGURES, issueDecision, seedBinhDuong } from '@tthc/application';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';

describe('the Bình Dương scenario, projected', () => {
  let h: ReadModelHarness;
  beforeAll(async () => {
    h = await createReadModelHarness();
    await seedBinhDuong((decision, context) => issueDecision(h.store, decision, context));
    await h.runner({ batchSize: 500 }).catchUp();
  }, 120_000);
  afterAll(() => h.close());

  it.each(Object.entries(BINH_DUONG_FIGURES))('has the published counts in force on %s', async (at, figures) => {
    const { counts } = await h.reader.counts(['74'], { at });
    expect(counts.get('74')).toEqual(figures);
  });

  it('counts the transitions between the two dates', async () => {
    expect(await h.reader.transitions('74', '2023-06-01', '2023-10-16')).toEqual({
      registered: 0,
      discontinued: 0,
      upgradedToFullProcess: 59,
      upgradedToPartial: 197,
      downgradedToPartial: 0,
      downgradedToInformationOnly: 0,
      paperIntakeDisabled: 40,
      paperIntakeReenabled: 0,
      withdrawn: 3,
    });
  });

  it('answers the same counts from the bitemporal intervals as from the pre-aggregation', async () => {
    const knownAt = new Date().toISOString();
    for (const at of ['2023-05-31', '2023-06-01', '2023-07-15', '2023-09-09', '2023-09-10', '2023-10-16', '2030-01-01']) {
      const fast = await h.reader.counts(['74'], { at });
      const bitemporal = await h.reader.counts(['74'], { at, knownAt });
      expect(bitemporal.counts.get('74')).toEqual(fast.counts.get('74'));
    }
  });
});
