/**
 * OpenLayers layer for natural-language search over an RsGeoSearch server: a VectorSource that loads
 * `/ogc/collections/chips/items?q=&bbox=&datetime=` and a layer that colours chip footprints by score.
 *
 *   import Map from 'ol/Map.js';
 *   import { createSemanticSearchLayer, followView } from '@rsgeosearch/web/ol';
 *   const layer = createSemanticSearchLayer({ baseUrl: 'http://127.0.0.1:8080', q: 'flooded farmland',
 *                                             datetime: '2019-01-01/2020-12-31', limit: 50 });
 *   map.addLayer(layer);
 *   layer.getSource().setQuery({ q: 'lakes' });      // reloads
 *   followView(layer.getSource(), map);               // bbox = the map's view, reloaded after each move
 */
import VectorSource from 'ol/source/Vector.js';
import VectorLayer from 'ol/layer/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { all as allStrategy } from 'ol/loadingstrategy.js';
import { transformExtent } from 'ol/proj.js';
import { getCenter, getWidth, getHeight } from 'ol/extent.js';
import Point from 'ol/geom/Point.js';
import { Style, Fill, Stroke, Circle as CircleStyle } from 'ol/style.js';
import { fetchChipItems, scoreRange, scoreColor } from './semantic-search.js';

/**
 * A VectorSource of chip footprints for a semantic query. Extra methods:
 * `setQuery(changes)` merges changes into the query and reloads; `getQuery()`;
 * `get('numberMatched')`, `get('scoreRange')`, `get('error')` after each load ('featuresloadend'/'featuresloaderror' events).
 * @param {{baseUrl?:string, q?:string, bbox?:number[], datetime?:any, limit?:number, minScore?:number, model?:string,
 *          headers?:object}} query `limit` is the number of features loaded (pages are followed); default 100.
 */
export function createSemanticSearchSource(query = {}) {
  let current = { limit: 100, ...query };
  let controller = null;
  const format = new GeoJSON();
  const source = new VectorSource({
    strategy: allStrategy,
    loader(extent, resolution, projection, success, failure) {
      controller?.abort();
      controller = new AbortController();
      const signal = controller.signal;
      const q = { ...current };
      if (!q.bbox && q.viewExtent) q.bbox = clampToWorld(transformExtent(q.viewExtent, projection, 'EPSG:4326'));
      delete q.viewExtent;
      fetchChipItems(q, { signal, maxFeatures: q.limit, headers: q.headers })
        .then((fc) => {
          if (signal.aborted) return;
          const features = format.readFeatures(fc, { dataProjection: 'EPSG:4326', featureProjection: projection });
          source.set('numberMatched', fc.numberMatched);
          source.set('scoreRange', scoreRange(fc.features));
          source.set('error', null);
          source.addFeatures(features);
          success(features);
        })
        .catch((error) => {
          if (signal.aborted) return;
          source.set('error', error);
          failure();
        });
    },
  });
  source.setQuery = (changes) => {
    current = { ...current, ...changes };
    source.refresh();
  };
  source.getQuery = () => ({ ...current });
  return source;
}

/** Reloads `source` with the map's visible extent as its bbox after each pan or zoom. Returns an "unfollow" function. */
export function followView(source, map) {
  const update = () => {
    const extent = map.getView().calculateExtent(map.getSize());
    source.setQuery({ viewExtent: extent });
  };
  const key = map.on('moveend', update);
  if (map.getSize()) update();
  return () => map.un('moveend', key.listener);
}

/**
 * A style function colouring footprints by score (viridis: yellow = best of the loaded set). Footprints smaller than
 * a few pixels are drawn as dots so that results stay visible when zoomed out. The fill is light so the imagery
 * stays visible; a highlighted footprint gets a thick outline, never a heavier fill. Better results are drawn on
 * top: by the feature's `rank` (0 = best) when set, else by its score.
 * @param {{getRange?:() => ({min:number,max:number}|null), highlighted?:(feature) => boolean, fillOpacity?:number,
 *          getFillOpacity?:() => number, hidden?:(feature) => boolean}} [options]
 */
export function scoreStyle(options = {}) {
  return (feature, resolution) => {
    if (options.hidden?.(feature)) return null;
    const fillOpacity = options.getFillOpacity ? options.getFillOpacity() : (options.fillOpacity ?? 0.12);
    const range = options.getRange ? options.getRange() : null;
    const [r, g, b] = scoreColor(feature.get('score'), range);
    const on = options.highlighted ? options.highlighted(feature) : false;
    const rank = feature.get('rank');
    const score = feature.get('score');
    const order = typeof rank === 'number' ? 1e6 - rank : typeof score === 'number' ? Math.round(score * 1e5) : 0;
    const zIndex = on ? 2e6 : order;
    const geometry = feature.getGeometry();
    const extent = geometry.getExtent();
    const tiny = Math.max(getWidth(extent), getHeight(extent)) / resolution < 6;
    if (tiny) {
      return new Style({
        geometry: new Point(getCenter(extent)),
        image: new CircleStyle({ radius: on ? 7 : 5, fill: new Fill({ color: `rgb(${r},${g},${b})` }), stroke: new Stroke({ color: on ? '#ff2d95' : '#fff', width: on ? 3 : 1 }) }),
        zIndex,
      });
    }
    if (on) {
      // Outline only: a dark halo and the pink line, so the chip under it stays visible.
      return [
        new Style({ stroke: new Stroke({ color: 'rgba(0,0,0,0.7)', width: 6 }), zIndex }),
        new Style({ stroke: new Stroke({ color: '#ff2d95', width: 3 }), fill: new Fill({ color: 'rgba(0,0,0,0)' }), zIndex: zIndex + 1 }),
      ];
    }
    return new Style({
      stroke: new Stroke({ color: `rgb(${r},${g},${b})`, width: 2 }),
      fill: new Fill({ color: `rgba(${r},${g},${b},${fillOpacity})` }),
      zIndex,
    });
  };
}

/** A VectorLayer over {@link createSemanticSearchSource} with {@link scoreStyle}. */
export function createSemanticSearchLayer(query = {}, layerOptions = {}) {
  const source = createSemanticSearchSource(query);
  return new VectorLayer({
    source,
    style: scoreStyle({ getRange: () => source.get('scoreRange') }),
    properties: { title: 'Semantic search' },
    ...layerOptions,
  });
}

function clampToWorld([minx, miny, maxx, maxy]) {
  const c = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [c(minx, -180, 180), c(miny, -90, 90), c(maxx, -180, 180), c(maxy, -90, 90)];
}
