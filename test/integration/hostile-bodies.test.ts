/**
 * Hostile JSON bodies on the JSON API (uploads have their own checks, see upload-limits):
 * deep nesting and wrong shapes answer 4xx naming the problem, never 500.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { usePlannerApp } from '../helpers/test-app.js';

const f = usePlannerApp();

const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('hostile JSON bodies', () => {
  it.each([
    ['100,000 nested arrays as the whole body', deep(100_000)],
    ['100,000 nested arrays inside the plan rules', `{"name":"x","start":"2021-12-13","days":1,"rules":${deep(100_000)}}`],
    ['a plan start that does not exist', '{"name":"x","start":"2021-02-30","days":1}'],
    ['a number where the name goes', '{"name":12,"start":"2021-12-13","days":1}'],
    ['a BEL and an ESC in the name', JSON.stringify({ name: 'week\u0007\u001b[2J', start: '2021-12-13', days: 1 })],
    ['a name of 101 characters', JSON.stringify({ name: '门'.repeat(101), start: '2021-12-13', days: 1 })],
  ])('when a plan is created with %s, then it answers 4xx with a reason and no plan is stored', async (_what, body) => {
    const res = await request(f.t.app).post('/api/v1/plans').set('Authorization', `Bearer ${f.planner}`).set('content-type', 'application/json').send(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.message.length).toBeGreaterThan(0);
    expect(await f.t.models.Plan.countDocuments({})).toBe(0);
  });
});
