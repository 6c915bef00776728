import {
  BINH_DUONG,
  PROBLEM_JSON,
  PROCEDURE,
  TEST_SUBJECT,
  decision,
  freshProcedureCode,
  procedurePath,
  proceduresPath,
  registration,
  startApi,
  type ApiHarness,
} from '../support/api-app.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

/** Registers a fresh procedure and returns its code. */
async function registered(overrides: Record<string, unknown> = {}): Promise<string> {
  const procedureCode = freshProcedureCode();
  await api
    .http()
    .post(proceduresPath())
    .send(registration({ procedureCode, ...overrides }))
    .expect(201);
  return procedureCode;
}

async function eventTypes(procedureCode: string): Promise<string[]> {
  const { body } = await api.http().get(`${procedurePath(procedureCode)}/events`).expect(200);
  return body.events.map((e: { type: string }) => e.type);
}

describe('the README curl session', () => {
  it('registers, upgrades to full process, disables paper, and shows the events with their metadata', async () => {
    const registeredReply = await api
      .http()
      .post(proceduresPath(BINH_DUONG))
      .set('X-Correlation-Id', 'session-1')
      .send(registration({ procedureCode: PROCEDURE, onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' }))
      .expect(201);
    expect(registeredReply.headers['content-type']).toMatch(/^application\/json/);
    expect(registeredReply.headers.etag).toBe('"0"');
    expect(registeredReply.headers['x-correlation-id']).toBe('session-1');
    expect(registeredReply.body).toEqual({
      streamId: 'procedure-74:1.001612',
      revision: 0,
      events: [{ type: 'ProcedureRegistered', globalPosition: expect.any(Number) }],
    });

    const upgraded = await api
      .http()
      .post(`${procedurePath(PROCEDURE)}/reclassify`)
      .set('X-Correlation-Id', 'session-1')
      .send({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-07-01', decisionRef: 'QĐ 2345/QĐ-UBND', reason: 'Cổng DVC' })
      .expect(200);
    expect(upgraded.headers.etag).toBe('"1"');
    expect(upgraded.body).toEqual({
      streamId: 'procedure-74:1.001612',
      revision: 1,
      events: [{ type: 'ProcedureUpgradedToFullProcess', globalPosition: expect.any(Number) }],
    });
    expect(upgraded.body.events[0].globalPosition).toBeGreaterThan(registeredReply.body.events[0].globalPosition);

    const disabled = await api
      .http()
      .post(`${procedurePath(PROCEDURE)}/disable-paper-intake`)
      .send({ effectiveFrom: '2023-08-01', decisionRef: 'QĐ 3456/QĐ-UBND' })
      .expect(200);
    expect(disabled.headers.etag).toBe('"2"');
    const generatedCorrelationId = disabled.headers['x-correlation-id'];
    expect(generatedCorrelationId).toMatch(/^[0-9a-f-]{36}$/);

    const { body } = await api.http().get(`${procedurePath(PROCEDURE)}/events`).expect(200);
    expect(body.streamId).toBe('procedure-74:1.001612');
    expect(body.events).toEqual([
      expect.objectContaining({
        type: 'ProcedureRegistered',
        revision: 0,
        actor: TEST_SUBJECT,
        correlationId: 'session-1',
        // The command's request id (logged with the request as requestId): see apps/api/src/http/correlation-id.ts.
        causationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        schemaVersion: 1,
        data: {
          authorityCode: '74',
          procedureCode: '1.001612',
          name: 'Đăng ký thành lập hộ kinh doanh',
          onlineMode: 'PARTIAL',
          paperIntake: 'ACCEPTED',
          effectiveFrom: '2023-06-01',
          decisionRef: 'QĐ 1234/QĐ-UBND',
        },
      }),
      expect.objectContaining({
        type: 'ProcedureUpgradedToFullProcess',
        revision: 1,
        actor: TEST_SUBJECT,
        correlationId: 'session-1',
        data: expect.objectContaining({ from: 'PARTIAL', to: 'FULL_PROCESS', effectiveFrom: '2023-07-01', reason: 'Cổng DVC' }),
      }),
      expect.objectContaining({
        type: 'PaperIntakeDisabled',
        revision: 2,
        actor: TEST_SUBJECT,
        correlationId: generatedCorrelationId,
        data: expect.objectContaining({ from: 'ACCEPTED', to: 'DISABLED', effectiveFrom: '2023-08-01' }),
      }),
    ]);
    for (const event of body.events) {
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(event.recordedAt).toISOString()).toBe(event.recordedAt);
      expect(event.globalPosition).toEqual(expect.any(Number));
    }

    const state = await api.http().get(procedurePath(PROCEDURE)).expect(200);
    expect(state.headers.etag).toBe('"2"');
    expect(state.body).toEqual({
      authorityCode: '74',
      procedureCode: '1.001612',
      name: 'Đăng ký thành lập hộ kinh doanh',
      field: null,
      level: null,
      onlineMode: 'FULL_PROCESS',
      paperIntake: 'DISABLED',
      withdrawn: false,
      lastEffectiveFrom: '2023-08-01',
      revision: 2,
      position: body.events[2].globalPosition,
    });
  });
});

describe('register', () => {
  it('keeps the optional fields and the paper intake given', async () => {
    const procedureCode = freshProcedureCode();
    await api
      .http()
      .post(proceduresPath())
      .send(registration({ procedureCode, field: 'Hộ tịch', level: 'Cấp xã', onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' }))
      .expect(201);
    const { body } = await api.http().get(procedurePath(procedureCode)).expect(200);
    expect(body).toMatchObject({ field: 'Hộ tịch', level: 'Cấp xã', onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' });
  });

  it('refuses a procedure registered twice with 409 ALREADY_REGISTERED, appending nothing', async () => {
    const procedureCode = await registered();
    const before = await api.eventCount();
    const { body, headers } = await api.http().post(proceduresPath()).send(registration({ procedureCode })).expect(409);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body).toMatchObject({ status: 409, type: 'https://tthc-ledger.dev/problems/illegal-transition', reason: 'ALREADY_REGISTERED' });
    expect(await api.eventCount()).toBe(before);
  });

  it('refuses an information-only procedure without paper intake with 409', async () => {
    const before = await api.eventCount();
    const { body } = await api
      .http()
      .post(proceduresPath())
      .send(registration({ procedureCode: freshProcedureCode(), onlineMode: 'INFORMATION_ONLY', paperIntake: 'DISABLED' }))
      .expect(409);
    expect(body.reason).toBe('PAPER_INTAKE_REQUIRES_ONLINE_MODE');
    expect(await api.eventCount()).toBe(before);
  });

  it('answers 404 for an authority code no province has', async () => {
    const { body } = await api.http().post(proceduresPath('99')).send(registration({ procedureCode: freshProcedureCode() })).expect(404);
    expect(body).toMatchObject({ status: 404, type: 'https://tthc-ledger.dev/problems/unknown-authority' });
  });
});

describe('reclassify', () => {
  it.each([
    ['PARTIAL', 'FULL_PROCESS', 'ProcedureUpgradedToFullProcess'],
    ['INFORMATION_ONLY', 'PARTIAL', 'ProcedureUpgradedToPartialOnline'],
    ['FULL_PROCESS', 'PARTIAL', 'ProcedureDowngradedToPartialOnline'],
    ['PARTIAL', 'INFORMATION_ONLY', 'ProcedureDowngradedToInformationOnly'],
  ])('from %s to %s records %s', async (from, to, type) => {
    const procedureCode = await registered({ onlineMode: from });
    const { body } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/reclassify`)
      .send(decision({ onlineMode: to }))
      .expect(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([type]);
    expect(body.revision).toBe(1);
  });

  it('downgrading to information-only re-enables paper intake in the same reply: two events', async () => {
    const procedureCode = await registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' });
    const { body, headers } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/reclassify`)
      .send(decision({ onlineMode: 'INFORMATION_ONLY' }))
      .expect(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(['ProcedureDowngradedToInformationOnly', 'PaperIntakeReenabled']);
    expect(body.events[1].globalPosition).toBeGreaterThan(body.events[0].globalPosition);
    expect(body.revision).toBe(2);
    expect(headers.etag).toBe('"2"');
    const state = await api.http().get(procedurePath(procedureCode)).expect(200);
    expect(state.body).toMatchObject({ onlineMode: 'INFORMATION_ONLY', paperIntake: 'ACCEPTED' });
  });

  it('refuses the mode it is already in with 409 ALREADY_IN_MODE', async () => {
    const procedureCode = await registered({ onlineMode: 'PARTIAL' });
    const { body } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/reclassify`)
      .send(decision({ onlineMode: 'PARTIAL' }))
      .expect(409);
    expect(body.reason).toBe('ALREADY_IN_MODE');
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered']);
  });

  // A transition dated before later ones is a late decision (accepted, corrections.e2e); before the
  // registration there is nothing to change.
  it('refuses an effective date before the registration with 409', async () => {
    const procedureCode = await registered({ effectiveFrom: '2023-06-01' });
    const { body } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/reclassify`)
      .send(decision({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-05-31' }))
      .expect(409);
    expect(body.reason).toBe('EFFECTIVE_DATE_BEFORE_REGISTRATION');
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered']);
  });

  it('answers 404 for a procedure never registered', async () => {
    const before = await api.eventCount();
    const { body } = await api
      .http()
      .post(`${procedurePath(freshProcedureCode())}/reclassify`)
      .send(decision({ onlineMode: 'FULL_PROCESS' }))
      .expect(404);
    expect(body.type).toBe('https://tthc-ledger.dev/problems/procedure-not-found');
    expect(await api.eventCount()).toBe(before);
  });
});

describe('disable-paper-intake', () => {
  it('disables paper intake of an online procedure', async () => {
    const procedureCode = await registered({ onlineMode: 'PARTIAL' });
    const { body } = await api.http().post(`${procedurePath(procedureCode)}/disable-paper-intake`).send(decision()).expect(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(['PaperIntakeDisabled']);
  });

  it('refuses an information-only procedure with 409 PAPER_INTAKE_REQUIRES_ONLINE_MODE', async () => {
    const procedureCode = await registered({ onlineMode: 'INFORMATION_ONLY' });
    const { body } = await api.http().post(`${procedurePath(procedureCode)}/disable-paper-intake`).send(decision()).expect(409);
    expect(body.reason).toBe('PAPER_INTAKE_REQUIRES_ONLINE_MODE');
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered']);
  });

  it('refuses paper intake already disabled with 409', async () => {
    const procedureCode = await registered({ paperIntake: 'DISABLED' });
    const { body } = await api.http().post(`${procedurePath(procedureCode)}/disable-paper-intake`).send(decision()).expect(409);
    expect(body.reason).toBe('PAPER_INTAKE_ALREADY_DISABLED');
  });
});

describe('reenable-paper-intake', () => {
  it('re-enables paper intake', async () => {
    const procedureCode = await registered({ paperIntake: 'DISABLED' });
    const { body } = await api.http().post(`${procedurePath(procedureCode)}/reenable-paper-intake`).send(decision()).expect(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(['PaperIntakeReenabled']);
  });

  it('refuses paper intake already accepted with 409', async () => {
    const procedureCode = await registered();
    const { body } = await api.http().post(`${procedurePath(procedureCode)}/reenable-paper-intake`).send(decision()).expect(409);
    expect(body.reason).toBe('PAPER_INTAKE_ALREADY_ACCEPTED');
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered']);
  });
});

describe('withdraw', () => {
  it('withdraws, after which the state says so and every command is refused with 409 ALREADY_WITHDRAWN', async () => {
    const procedureCode = await registered();
    const withdrawn = await api
      .http()
      .post(`${procedurePath(procedureCode)}/withdraw`)
      .send(decision({ reason: 'Bãi bỏ' }))
      .expect(200);
    expect(withdrawn.body.events.map((e: { type: string }) => e.type)).toEqual(['ProcedureWithdrawn']);
    const state = await api.http().get(procedurePath(procedureCode)).expect(200);
    expect(state.body).toMatchObject({ withdrawn: true, withdrawnFrom: '2023-07-01' });

    for (const [command, body] of [
      ['withdraw', decision()],
      ['reclassify', decision({ onlineMode: 'FULL_PROCESS' })],
      ['disable-paper-intake', decision()],
    ] as const) {
      const refused = await api.http().post(`${procedurePath(procedureCode)}/${command}`).send(body).expect(409);
      expect(refused.body.reason).toBe('ALREADY_WITHDRAWN');
    }
    const again = await api.http().post(proceduresPath()).send(registration({ procedureCode })).expect(409);
    expect(again.body.reason).toBe('ALREADY_WITHDRAWN');
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered', 'ProcedureWithdrawn']);
  });
});

describe('If-Match', () => {
  it.each(['"1"', '1', 'W/"1"'])('accepts the current revision as %s', async (ifMatch) => {
    const procedureCode = await registered();
    await api.http().post(`${procedurePath(procedureCode)}/disable-paper-intake`).send(decision()).expect(200);
    const { headers } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/reenable-paper-intake`)
      .set('If-Match', ifMatch)
      .send(decision())
      .expect(200);
    expect(headers.etag).toBe('"2"');
  });

  it('answers a stale revision with 412, appending nothing', async () => {
    const procedureCode = await registered();
    await api.http().post(`${procedurePath(procedureCode)}/reclassify`).send(decision({ onlineMode: 'FULL_PROCESS' })).expect(200);
    const { body, headers } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/disable-paper-intake`)
      .set('If-Match', '"0"')
      .send(decision())
      .expect(412);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body).toMatchObject({ status: 412, type: 'https://tthc-ledger.dev/problems/revision-mismatch', currentRevision: 1 });
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered', 'ProcedureUpgradedToFullProcess']);
  });

  it('answers 412 to a registration conditional on a revision of a stream that does not exist', async () => {
    const procedureCode = freshProcedureCode();
    await api.http().post(proceduresPath()).set('If-Match', '"0"').send(registration({ procedureCode })).expect(412);
    await api.http().get(procedurePath(procedureCode)).expect(404);
  });

  it.each(['"abc"', '"1", "2"', '*', '-1', '""', 'W/', '"99999999999"'])('answers the malformed If-Match %j with 400 naming it', async (ifMatch) => {
    const procedureCode = await registered();
    const { body } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/disable-paper-intake`)
      .set('If-Match', ifMatch)
      .send(decision())
      .expect(400);
    expect(body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
    expect(await eventTypes(procedureCode)).toEqual(['ProcedureRegistered']);
  });
});

describe('GET a procedure', () => {
  it('answers 304 to If-None-Match with the current ETag', async () => {
    const procedureCode = await registered();
    await api.http().get(procedurePath(procedureCode)).set('If-None-Match', '"0"').expect(304);
  });

  it('answers 404 for a procedure never registered and for an unknown authority', async () => {
    const missing = await api.http().get(procedurePath(freshProcedureCode())).expect(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(missing.body.type).toBe('https://tthc-ledger.dev/problems/procedure-not-found');
    const unknown = await api.http().get(procedurePath(PROCEDURE, '99')).expect(404);
    expect(unknown.body.type).toBe('https://tthc-ledger.dev/problems/unknown-authority');
    await api.http().get(`${procedurePath(freshProcedureCode())}/events`).expect(404);
  });
});

describe('X-Correlation-Id', () => {
  it.each([['x'.repeat(101)], ['has space'], ['semi;colon'], ['per%20cent']])('replaces the unsafe id %j with a new UUID', async (id) => {
    const procedureCode = await registered();
    const { headers } = await api
      .http()
      .post(`${procedurePath(procedureCode)}/disable-paper-intake`)
      .set('X-Correlation-Id', id)
      .send(decision())
      .expect(200);
    expect(headers['x-correlation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const { body } = await api.http().get(`${procedurePath(procedureCode)}/events`).expect(200);
    expect(body.events[1].correlationId).toBe(headers['x-correlation-id']);
  });

  it('is echoed on problem responses too', async () => {
    const { headers } = await api
      .http()
      .post(`${procedurePath(freshProcedureCode())}/withdraw`)
      .set('X-Correlation-Id', 'trace-404')
      .send(decision())
      .expect(404);
    expect(headers['x-correlation-id']).toBe('trace-404');
  });
});
