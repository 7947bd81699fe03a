/**
 * A browser asks every origin for /favicon.ico; a 404 there is an error in the console of each
 * page without an icon of its own (the reference pages, the local outbox). It is the console's
 * icon, and it is no API operation (not in /openapi.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService();
});
afterAll(() => t.stop());

describe('GET /favicon.ico', () => {
  it('answers the console icon (SVG), without a key', async () => {
    const [favicon, icon] = await Promise.all([fetch(`${t.baseUrl}/favicon.ico`), fetch(`${t.baseUrl}/console/icon.svg`)]);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await favicon.text()).toBe(await icon.text());
  });

  it('is not in the OpenAPI document', async () => {
    const doc = (await t.anon('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).not.toContain('/favicon.ico');
  });
});
