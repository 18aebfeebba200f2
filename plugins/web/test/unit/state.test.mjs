import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, formatHash, emptyState, searchParams, resultMode, datetimeOf, parseBbox, groupByPlace, formatDay } from '../../src/state.js';

test('a full state survives the URL round trip', () => {
  const s = { ...emptyState(), q: 'lakes & farmland', bbox: [-99.1, 46.9, -98.8, 47.2], from: '2009-08-18', to: '2020-08-31',
    model: 'rsgeo-mini', limit: 50, like: [12, 40], unlike: [7], chip: 12, view: { lon: -99, lat: 47, zoom: 12.5 } };
  const hash = formatHash(s);
  assert.match(hash, /^#q=lakes\+%26\+farmland&bbox=-99\.1,46\.9,-98\.8,47\.2&/);
  assert.deepEqual(parseHash(hash), s);
});

test('defaults are left out of the URL', () => {
  assert.equal(formatHash(emptyState()), '');
  assert.equal(formatHash({ ...emptyState(), q: 'port' }), '#q=port');
});

test('malformed values fall back to defaults instead of breaking the page', () => {
  const s = parseHash('#bbox=1,2,3&from=yesterday&limit=7&like=a,-1,3,3&model=../../etc&view=1,2&chip=x&tab=nope');
  assert.equal(s.bbox, null);
  assert.equal(s.from, '');
  assert.equal(s.limit, 25);
  assert.deepEqual(s.like, [3]);
  assert.equal(s.model, '');
  assert.equal(s.view, null);
  assert.equal(s.chip, null);
  assert.equal(s.tab, 'search');
});

test('a chip cannot be liked and unliked at once', () => {
  assert.deepEqual(parseHash('#like=1,2&unlike=2,3').unlike, [3]);
});

test('bbox parsing rejects inverted or out-of-range boxes', () => {
  assert.deepEqual(parseBbox('-10, -5, 10, 5'), [-10, -5, 10, 5]);
  assert.equal(parseBbox('10,0,-10,5'), null);
  assert.equal(parseBbox('-200,0,10,5'), null);
  assert.equal(parseBbox('a,b,c,d'), null);
});

test('result modes and /search parameters', () => {
  const base = emptyState();
  assert.equal(resultMode(base), 'idle');
  assert.equal(resultMode({ ...base, from: '2020-01-01' }), 'browse');
  assert.equal(resultMode({ ...base, q: 'x' }), 'search');
  assert.equal(resultMode({ ...base, like: [3] }), 'search');
  assert.equal(resultMode({ ...base, q: 'x', similar: 4 }), 'similar');
  assert.equal(datetimeOf({ ...base, from: '2020-01-01' }), '2020-01-01/..');
  assert.equal(datetimeOf({ ...base, to: '2020-01-01' }), '../2020-01-01');
  assert.deepEqual(searchParams({ ...base, q: ' lakes ', bbox: [1, 2, 3, 4], from: '2020-01-01', to: '2020-12-31', unlike: [5], model: 'm' }),
    { q: 'lakes', unlike: '5', bbox: '1,2,3,4', datetime: '2020-01-01/2020-12-31', limit: '25', model: 'm' });
  // unlike alone is no search (the API refuses it), so it is not sent
  assert.deepEqual(searchParams({ ...base, unlike: [5], from: '2020-01-01' }), { datetime: '2020-01-01/..', limit: '25' });
});

test('"similar chips" with examples is a /search with the chip and the + examples as like=, the − as unlike=', () => {
  const s = { ...emptyState(), similar: 9, like: [3, 9], unlike: [5] };
  assert.equal(resultMode(s), 'similar-feedback');
  assert.deepEqual(searchParams(s), { like: '9,3', unlike: '5', limit: '25' });
  assert.equal(resultMode({ ...emptyState(), similar: 9 }), 'similar');
});

test('the minimum score and "include undated" survive the URL and reach the API as min_score', () => {
  const s = { ...emptyState(), q: 'lakes', min: 0.615, undated: true };
  assert.deepEqual(parseHash(formatHash(s)), s);
  assert.equal(searchParams(s).min_score, '0.615');
  assert.equal(parseHash('#min=7').min, null);
  // browsing (no text) has no scores: no min_score
  assert.equal(searchParams({ ...emptyState(), from: '2020-01-01', min: 0.5 }).min_score, undefined);
});

test('results group by place (same footprint) in rank order, led by the best of each place', () => {
  const f = (id, bbox) => ({ id, bbox });
  const a = [0, 0, 1, 1];
  const b = [1, 0, 2, 1];
  const groups = groupByPlace([f(1, a), f(2, b), f(3, a), f(4, [0, 0, 1.00001, 1]), f(5, b)]);
  assert.deepEqual(groups.map((g) => [g.lead.id, g.members.map((m) => m.id)]), [[1, [1, 3, 4]], [2, [2, 5]]]);
});

test('dates for people', () => {
  assert.equal(formatDay('2016-08-16T00:00:00Z'), '16 Aug 2016');
  assert.equal(formatDay(null), 'date unknown');
});
