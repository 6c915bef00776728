import 'reflect-metadata';
import { SummaryQuery } from '../authorities/summary-query.request.js';
import { InvalidRequest } from './invalid-request.error.js';
import { StrictValidationPipe } from './strict-validation.pipe.js';

const asQuery = { type: 'query', metatype: SummaryQuery } as const;
/** A query string as Express parses it: an object without a prototype. */
const parsed = (fields: Record<string, string>) => Object.assign(Object.create(null) as object, fields);

describe('StrictValidationPipe: query strings that passed are kept', () => {
  it('answers the same query string again with its own copy of the same DTO', async () => {
    const pipe = new StrictValidationPipe();
    const first = (await pipe.transform(parsed({ at: '2023-06-01', afterPosition: '42' }), asQuery)) as SummaryQuery;
    expect(first).toBeInstanceOf(SummaryQuery);
    expect(first).toEqual(Object.assign(new SummaryQuery(), { at: '2023-06-01', afterPosition: 42 }));
    first.at = 'changed by a handler';
    const again = (await pipe.transform(parsed({ at: '2023-06-01', afterPosition: '42' }), asQuery)) as SummaryQuery;
    expect(again).not.toBe(first);
    expect(again).toBeInstanceOf(SummaryQuery);
    expect(again).toEqual(Object.assign(new SummaryQuery(), { at: '2023-06-01', afterPosition: 42 }));
  });

  it('refuses a refused query string every time, naming its fields', async () => {
    const pipe = new StrictValidationPipe();
    for (let i = 0; i < 2; i++) {
      const refusal = await pipe.transform(parsed({ at: '2023-02-30', toString: 'x' }), asQuery).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(InvalidRequest);
      expect((refusal as InvalidRequest).errors.map((e) => e.field).sort()).toEqual(['at', 'toString']);
    }
  });
});
