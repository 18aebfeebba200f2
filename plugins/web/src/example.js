// Usage example of the reusable layer module (see README.md): an OpenLayers map with one semantic-search layer.
import 'ol/ol.css';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import { createSemanticSearchLayer, followView } from './lib/ol-semantic-search.js';

const params = new URLSearchParams(location.search);
const layer = createSemanticSearchLayer({
  baseUrl: new URL('.', location.href).href,          // the RsGeoSearch server
  q: params.get('q') ?? 'farmland',
  bbox: params.get('bbox')?.split(',').map(Number),   // omit to use followView(source, map) instead
  datetime: params.get('datetime') ?? undefined,
  limit: Number(params.get('limit') ?? 50),
});
const map = new Map({ target: 'map', layers: [layer], view: new View({ center: [0, 0], zoom: 2 }) });
const source = layer.getSource();
const out = document.getElementById('out');
source.on('featuresloadend', () => {
  const n = source.getFeatures().length;
  document.getElementById('map').dataset.features = String(n);
  out.textContent = `${n} chips (of ${source.get('numberMatched')} matching)`;
  if (n) map.getView().fit(source.getExtent(), { padding: [40, 40, 40, 40], maxZoom: 14 });
});
source.on('featuresloaderror', () => { out.textContent = `error: ${source.get('error')?.message}`; });
document.getElementById('q').value = source.getQuery().q;
document.getElementById('f').addEventListener('submit', (e) => {
  e.preventDefault();
  source.setQuery({ q: document.getElementById('q').value });
});
if (params.get('follow') === '1') followView(source, map);
