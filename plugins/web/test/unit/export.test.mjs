import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCsv, toGeoJson } from '../../src/export.js';

const chip = {
  type: 'Feature', id: 7, bbox: [-99.2, 47, -99.1, 47.1],
  geometry: { type: 'Polygon', coordinates: [[[-99.2, 47], [-99.1, 47], [-99.1, 47.1], [-99.2, 47.1], [-99.2, 47]]] },
  properties: { rank: 1, score: 0.7, acquired: '2016-08-16T00:00:00Z', scene: 'a,"b".tif', scene_id: 3, label: 1 },
};

test('CSV: a header, one row per chip, quoted text, the centre and the footprint as WKT', () => {
  const lines = toCsv([chip]).split('\r\n');
  assert.equal(lines[0], 'id,rank,score,label,acquired,scene,scene_id,lon,lat,min_lon,min_lat,max_lon,max_lat,thumbnail,wkt');
  assert.ok(lines[1].startsWith('7,1,0.7,1,2016-08-16T00:00:00Z,"a,""b"".tif",3,-99.15'), lines[1]);
  assert.ok(lines[1].endsWith('"POLYGON((-99.2 47,-99.1 47,-99.1 47.1,-99.2 47.1,-99.2 47))"'), lines[1]);
  assert.equal(lines.length, 3); // the last line ends with CRLF
});

test('GeoJSON keeps the features and records the query', () => {
  const fc = toGeoJson([chip], { query: 'lakes' });
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.query, 'lakes');
  assert.deepEqual(fc.features[0].geometry, chip.geometry);
  assert.equal(fc.features[0].properties.score, 0.7);
});
