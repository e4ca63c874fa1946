/**
 * The contract, complete by construction: every operation of the served document is called
 * at least once with a success answer and an error answer, each answer is validated by the
 * contract hook (ajv 2020-12, against the document the app serves: test/helpers/contract.ts),
 * and the last test fails for any operation of the document without a validated success and a
 * validated error. An operation added to the service fails this file until it is called here.
 *
 * The fixture is the small two-village district of the roster tests (a solve takes well under
 * a second), not the district-sized sample: the shapes are the same, and the suite's time is
 * spent once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createLogger } from '../../src/logger.js';
import { checkerOf } from '../helpers/contract.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { csvUpload, put, sheetOf } from '../helpers/fixtures.js';
import {
  EAST,
  PLAN_START,
  ROSTER_CADRES,
  api,
  createRosterPlan,
  feedPath,
  getFeed,
  publish,
  seedRosterDistrict,
  solve,
  testWorker,
} from '../helpers/roster-fixtures.js';

interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Joined after the publish: takes nights in the east, where the fixture leaves some open. */
const NEWCOMER = { id: 'N01', name: '钱多', phone: '', role: 'volunteer', village: EAST, serves: '', night_ok: 'yes' };

// The app's clock: the first morning of the plan, so a check-in finds a shift on now.
const NOW = new Date('2021-12-13T09:00:00+08:00');

let t: TestApp;
let planner: string;
let doc: Doc;

beforeAll(async () => {
  t = await createTestApp({ CLAIM_WAIT_MS: '200' }, createLogger('silent'), undefined, { clock: () => NOW });
  planner = await t.token({ role: 'planner' });
  doc = (await request(t.app).get('/api/openapi.json').expect(200)).body as Doc;
});
afterAll(async () => {
  await t.close();
});

/** Every answer below must be a success: the contract hook validates it against the document. */
async function ok(res: request.Test | Promise<request.Response>): Promise<request.Response> {
  const answer = (await res) as request.Response & { req?: { method?: string; path?: string } };
  expect(answer.status, `${answer.req?.method} ${answer.req?.path}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBeLessThan(400);
  return answer;
}

describe('every operation, a success and an error', () => {
  it('when every operation of the document is called on a published district, then each answers a documented success', async () => {
    const p = api(t.app, planner);
    const worker = testWorker(t.models);

    // Probes and the directory.
    await ok(request(t.app).get('/healthz'));
    await ok(request(t.app).get('/readyz'));
    await seedRosterDistrict(t.app, planner); // uploadGates, uploadCadres, uploadAvailability
    await ok(p.get('/api/v1/gates'));
    await ok(p.get('/api/v1/gates/G1'));
    await ok(p.get('/api/v1/cadres'));
    await ok(p.get('/api/v1/cadres/A01'));
    await ok(p.get('/api/v1/availability'));
    await ok(p.get('/api/v1/villages'));

    // Tokens.
    const issued = await ok(p.post('/api/v1/tokens', { role: 'village_head', villages: [EAST] }));
    await ok(p.get('/api/v1/tokens'));
    await ok(p.delete(`/api/v1/tokens/${issued.body.tokenId}`));
    await ok(p.get('/api/v1/tokens')); // revokedAt: an instant now, null before

    // Channels.
    const channel = await ok(p.post('/api/v1/channels', { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc', villages: [EAST] }));
    await ok(p.get('/api/v1/channels'));
    await ok(p.get('/api/v1/deliveries'));
    await ok(p.delete(`/api/v1/channels/${channel.body.id}`));

    // A campaign and a plan in it: solve, publish twice, pins, rosters, diff, rollback.
    const campaign = await ok(p.post('/api/v1/campaigns', { name: '十二月', start: PLAN_START }));
    await ok(p.get('/api/v1/campaigns'));
    await ok(p.get(`/api/v1/campaigns/${campaign.body.id}`));
    await ok(p.patch(`/api/v1/campaigns/${campaign.body.id}`, { name: '十二月值守' }));
    const planId = await createRosterPlan(t.app, planner);
    await ok(p.get('/api/v1/plans'));
    await ok(p.get(`/api/v1/plans/${planId}`));
    await ok(p.patch(`/api/v1/plans/${planId}`, { name: '两日值守（改）' }));
    const first = await solve(t.app, planner, worker, planId); // startSolve, getSolve
    await ok(p.get(`/api/v1/plans/${planId}/solves`));
    const draft = await ok(p.get(`/api/v1/solves/${first}/roster?village=${encodeURIComponent(EAST)}`));
    await publish(t.app, planner, planId, first);
    const shift = (draft.body.assignments as { cadreId: string; gateId: string; start: string }[])[0]!;
    await ok(p.post(`/api/v1/plans/${planId}/pins`, { cadreId: shift.cadreId, gateId: shift.gateId, start: shift.start }));
    await ok(p.delete(`/api/v1/plans/${planId}/pins?cadreId=${shift.cadreId}&gateId=${shift.gateId}&start=${encodeURIComponent(shift.start)}`));
    await publish(t.app, planner, planId, await solve(t.app, planner, worker, planId));
    await ok(p.get(`/api/v1/plans/${planId}/versions`));
    await ok(p.get(`/api/v1/plans/${planId}/diff?from=1&to=2`));
    await ok(p.post(`/api/v1/plans/${planId}/rollback`, { version: 1 }));
    const roster = await ok(p.get(`/api/v1/plans/${planId}/roster`));
    await ok(p.get(`/api/v1/plans/${planId}/gaps`));
    await ok(p.get(`/api/v1/plans/${planId}/report?date=${PLAN_START}`));
    await ok(p.get(`/api/v1/campaigns/${campaign.body.id}/figures`));
    await ok(p.post(`/api/v1/plans/${planId}/roll`, { days: 1 }));
    await ok(p.get(`/api/v1/plans/${planId}/roll`));

    // Absences.
    const absence = await ok(p.post('/api/v1/absences', { cadreId: 'A07', from: '2021-12-20T08:00:00+08:00', to: '2021-12-20T12:00:00+08:00' }));
    await ok(p.get('/api/v1/absences'));
    await ok(p.post(`/api/v1/absences/${absence.body.id}/accept`));
    await ok(p.delete(`/api/v1/absences/${absence.body.id}`));

    // Open shifts: a newcomer sees what they could take and claims it (no claims worker runs
    // here, so the claim answers 202 pending), then reads it back.
    await ok(put(t.app, planner, 'cadres', csvUpload(sheetOf('cadres', [...ROSTER_CADRES, NEWCOMER]))));
    const newcomer = api(t.app, await t.token({ role: 'cadre', cadreId: NEWCOMER.id }));
    const open = await ok(newcomer.get('/api/v1/open-shifts'));
    const gap = (open.body.items as { planId: string; gateId: string; start: string }[])[0];
    expect(gap, 'the fixture leaves a night in the east open for a newcomer').toBeDefined();
    const claim = await ok(newcomer.post('/api/v1/open-shifts/claims', { planId: gap!.planId, gateId: gap!.gateId, start: gap!.start }));
    await ok(newcomer.get('/api/v1/claims'));
    await ok(newcomer.get(`/api/v1/claims/${encodeURIComponent(claim.body.id as string)}`));

    // Swaps, where the plan asks for the head's approval: a later shift is offered, the
    // newcomer accepts it (202, waiting), a planner approves; another offer is withdrawn.
    await ok(p.patch(`/api/v1/plans/${planId}`, { openShiftPolicy: { swapsNeedApproval: true } }));
    const later = (roster.body.assignments as { cadreId: string; gateId: string; start: string; end: string }[]).filter(
      (a) => new Date(a.start) > NOW && a.cadreId.startsWith('A'),
    );
    let offered: string | undefined;
    for (const a of later) {
      const holder = api(t.app, await t.token({ role: 'cadre', cadreId: a.cadreId }));
      const offer = await ok(holder.post('/api/v1/swaps', { planId, gateId: a.gateId, start: a.start }));
      if (((await ok(newcomer.get('/api/v1/swaps/open'))).body.items as { id: string }[]).some((o) => o.id === offer.body.id)) {
        offered = offer.body.id as string;
        break;
      }
      await ok(holder.post(`/api/v1/swaps/${offer.body.id}/withdraw`, {}));
    }
    expect(offered, 'the fixture has a later east shift the newcomer could take').toBeDefined();
    await ok(newcomer.post(`/api/v1/swaps/${offered}/accept`, {}));
    await ok(p.post(`/api/v1/swaps/${offered}/decision`, { approve: true }));
    await ok(p.get('/api/v1/swaps'));
    await ok(newcomer.get(`/api/v1/swaps/${offered}`));
    const other = later.find((a) => a.cadreId !== later[0]!.cadreId || a.start !== later[0]!.start)!;
    const giver = api(t.app, await t.token({ role: 'cadre', cadreId: other.cadreId }));
    const taken = await ok(giver.post('/api/v1/swaps', { planId, gateId: other.gateId, start: other.start }));
    await ok(giver.post(`/api/v1/swaps/${taken.body.id}/withdraw`, {}));

    // On the ground: a person on duty now checks in and out; a squad inspects and fixes.
    const now = (roster.body.assignments as { cadreId: string; gateId: string; start: string; end: string }[]).find(
      (a) => new Date(a.start) <= NOW && NOW < new Date(a.end),
    )!;
    const cadre = api(t.app, await t.token({ role: 'cadre', cadreId: now.cadreId }));
    await ok(cadre.post('/api/v1/checkins', { gateId: now.gateId }));
    await ok(cadre.post('/api/v1/checkins/check-out', { gateId: now.gateId }));
    const squad = api(t.app, await t.token({ role: 'inspector' }));
    const inspection = await ok(
      squad.post('/api/v1/inspections', {
        gateId: now.gateId,
        staffSeen: 1,
        visitorRegistration: true,
        temperatureChecks: false,
        problems: [{ category: 'no_temperature', text: '未测温' }],
      }),
    );
    await ok(squad.get('/api/v1/inspections'));
    await ok(squad.get(`/api/v1/inspections/${inspection.body.id}`));
    await ok(p.post(`/api/v1/inspections/${inspection.body.id}/problems/0/fix`, { note: '已补充测温' })); // the village puts it right
    await ok(squad.get(`/api/v1/visits?date=${PLAN_START}`));

    // Feeds: a person's and a village's link, the feed itself, and revoking them.
    const link = await ok(p.post(`/api/v1/cadres/${now.cadreId}/feed-token`));
    await ok(getFeed(t.app, feedPath(link.body.url)));
    await ok(p.post(`/api/v1/villages/${encodeURIComponent(EAST)}/feed-token`));
    await ok(p.delete(`/api/v1/villages/${encodeURIComponent(EAST)}/feed-token`));
    await ok(p.delete(`/api/v1/cadres/${now.cadreId}/feed-token`));

    // Deletes last: what the plan names stays until here.
    await ok(p.delete('/api/v1/availability/A03'));
    await ok(p.delete('/api/v1/cadres/B07'));
    await ok(p.delete('/api/v1/gates/G4'));
  });

  it('when every operation is called without a token (a feed: with an unknown secret), then each answers its documented error', async () => {
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!Object.keys(op.responses).some((s) => s.startsWith('4'))) continue; // the probes document no 4xx
        const path = template.replace('{index}', '0').replace(/\{[^}]+\}/g, 'x');
        const res = await request(t.app)[method as 'get'](path);
        expect(res.status, `${op.operationId}`).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it('when the answers are counted, then every operation of the document has a validated success, and an error wherever it documents a 4xx', () => {
    // Arrange
    const validated = checkerOf(t.app).validated;
    const missing: string[] = [];

    // Assert
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        const statuses = [...(validated.get(op.operationId) ?? [])];
        if (!statuses.some((s) => s < 400)) missing.push(`${op.operationId}: no validated success`);
        if (Object.keys(op.responses).some((s) => s.startsWith('4')) && !statuses.some((s) => s >= 400)) missing.push(`${op.operationId}: no validated error`);
      }
    }
    expect(missing).toEqual([]);
  });
});
