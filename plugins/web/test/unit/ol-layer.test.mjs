import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemanticSearchLayer } from '../../src/lib/ol-semantic-search.js';

const square = (x, y) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]] });

test('the OpenLayers source loads the chips of a query and reloads on setQuery', async (t) => {
  const calls = [];
  t.mock.method(globalThis, 'fetch', async (url) => {
    calls.push(url);
    const q = new URL(url).searchParams.get('q');
    const n = q === 'lakes' ? 1 : 2;
    const features = Array.from({ length: n }, (_, i) => ({ type: 'Feature', id: i + 1, geometry: square(i, 0), properties: { score: 0.2 + i / 10 } }));
    return { ok: true, status: 200, json: async () => ({ type: 'FeatureCollection', numberMatched: 40, features, links: [] }) };
  });
  const layer = createSemanticSearchLayer({ baseUrl: 'http://h', q: 'farmland', datetime: ['2020-01-01', null], limit: 5 });
  const source = layer.getSource();
  const loaded = () => new Promise((resolve) => source.once('featuresloadend', resolve));
  let done = loaded();
  source.loadFeatures([-1e7, -1e7, 1e7, 1e7], 1, source.getProjection() ?? 'EPSG:3857');
  await done;
  assert.equal(source.getFeatures().length, 2);
  assert.equal(source.get('numberMatched'), 40);
  assert.deepEqual(source.get('scoreRange'), { min: 0.2, max: 0.30000000000000004 });
  assert.equal(calls[0], 'http://h/ogc/collections/chips/items?q=farmland&datetime=2020-01-01%2F..&limit=5');
  const style = layer.getStyleFunction()(source.getFeatureById(2), 1);
  assert.equal(style.getStroke().getColor(), 'rgb(253,231,37)'); // best score: yellow

  done = loaded();
  source.setQuery({ q: 'lakes' });
  source.loadFeatures([-1e7, -1e7, 1e7, 1e7], 1, 'EPSG:3857');
  await done;
  assert.equal(source.getFeatures().length, 1);
  assert.match(calls[1], /q=lakes/);
});
