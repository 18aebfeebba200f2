import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chipItemsUrl, fetchChipItems, formatDatetime, formatBbox, scoreColor, scoreRange, ApiError } from '../../src/lib/semantic-search.js';

test('chip item URLs carry only the declared parameters', () => {
  assert.equal(chipItemsUrl({ baseUrl: 'http://h:1/', q: ' flooded farmland ', bbox: [-100, 46.5, -98, 48], datetime: ['2019-01-01', null], limit: 50, minScore: 0.2, model: 'rsgeo-mini' }),
    'http://h:1/ogc/collections/chips/items?q=flooded+farmland&bbox=-100%2C46.5%2C-98%2C48&datetime=2019-01-01%2F..&limit=50&min_score=0.2&model=rsgeo-mini');
  assert.equal(chipItemsUrl({}), '/ogc/collections/chips/items');
});

test('datetime and bbox forms', () => {
  assert.equal(formatDatetime({ from: new Date('2020-01-01T00:00:00Z') }), '2020-01-01T00:00:00.000Z/..');
  assert.equal(formatDatetime([null, null]), undefined);
  assert.equal(formatDatetime('2020-08-31'), '2020-08-31');
  assert.equal(formatBbox([1.1234567, 2, 3, 4]), '1.123457,2,3,4');
  assert.throws(() => formatBbox([1, 2, 3]), TypeError);
});

function fakeFetch(pages) {
  const calls = [];
  return {
    calls,
    fetch: async (url) => {
      calls.push(url);
      const body = pages[calls.length - 1];
      return { ok: body.status == null, status: body.status ?? 200, statusText: 'x', json: async () => body, text: async () => JSON.stringify(body) };
    },
  };
}

test('fetchChipItems follows next links up to maxFeatures', async () => {
  const f = (id) => ({ type: 'Feature', id, properties: { score: id / 10 } });
  const fake = fakeFetch([
    { numberMatched: 5, model: 'm', features: [f(1), f(2)], links: [{ rel: 'next', href: 'http://h/next1' }] },
    { numberMatched: 5, features: [f(3), f(4)], links: [{ rel: 'next', href: 'http://h/next2' }] },
  ]);
  const fc = await fetchChipItems({ baseUrl: 'http://h', q: 'x' }, { maxFeatures: 3, pageSize: 2, fetch: fake.fetch });
  assert.deepEqual(fc.features.map((x) => x.id), [1, 2, 3]);
  assert.equal(fc.numberMatched, 5);
  assert.equal(fc.model, 'm');
  assert.deepEqual(fake.calls, ['http://h/ogc/collections/chips/items?q=x&limit=2', 'http://h/next1']);
});

test('an HTTP error becomes an ApiError with the problem detail', async () => {
  const fake = fakeFetch([{ status: 400, title: 'Bad request', detail: "unknown query parameter 'foo'", parameter: 'foo' }]);
  await assert.rejects(fetchChipItems({ q: 'x' }, { fetch: fake.fetch }), (e) => e instanceof ApiError && e.status === 400 && e.parameter === 'foo' && /unknown query parameter/.test(e.message));
});

test('score colours run from dark (lowest) to yellow (highest)', () => {
  const range = scoreRange([{ properties: { score: 0.1 } }, { properties: { score: 0.3 } }, { properties: {} }]);
  assert.deepEqual(range, { min: 0.1, max: 0.3 });
  assert.deepEqual(scoreColor(0.3, range), [253, 231, 37]);
  assert.deepEqual(scoreColor(0.1, range), [68, 1, 84]);
  assert.deepEqual(scoreColor(null, range), [150, 160, 170]);
  assert.equal(scoreRange([]), null);
});
