import type { UnitSuccession } from '@tthc/domain';
import { lineageFor, type LineageSource } from './lineage-source.js';

/** A source over `units` that counts its reads. */
function counting(units: Record<string, UnitSuccession>): LineageSource & { reads: string[] } {
  const reads: string[] = [];
  return { reads, unit: async (code) => (reads.push(code), units[code]) };
}

describe('lineageFor', () => {
  it("reads each unit of the scope and the authority's chain of successors, each once", async () => {
    const source = counting({ '74': { dissolvedOn: '2025-07-01', successorCode: '79' }, '79': { dissolvedOn: '2030-01-01', successorCode: '99' } });
    const lineage = await lineageFor(source, ['79', '01'], '74');
    expect(source.reads.sort()).toEqual(['01', '74', '79', '99']);
    expect(lineage.unit('74')).toEqual({ dissolvedOn: '2025-07-01', successorCode: '79' });
    expect(lineage.unit('99')).toBeUndefined();
  });

  it('stops on a cycle', async () => {
    const source = counting({ '01': { dissolvedOn: '2025-07-01', successorCode: '02' }, '02': { dissolvedOn: '2025-07-01', successorCode: '01' } });
    await lineageFor(source, [], '01');
    expect(source.reads).toEqual(['01', '02']);
  });

});
