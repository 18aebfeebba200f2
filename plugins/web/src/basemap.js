/**
 * The offline base map: Natural Earth 1:50m land, coastlines and country borders from the npm package
 * `world-atlas` (TopoJSON, public domain), bundled into the build as its own chunk and loaded after the page.
 * No tile server is needed, so the map has orientation on an air-gapped machine. world-atlas has no admin-1
 * lines; country names are labelled while zoomed out.
 */
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { Style, Fill, Stroke, Text } from 'ol/style.js';
import { feature as topoFeature, mesh as topoMesh } from 'topojson-client';

export const BASEMAP_ATTRIBUTION = 'Coastlines and borders: <a href="https://www.naturalearthdata.com/" target="_blank" rel="noopener">Natural Earth</a> (public domain)';

const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

/** The TopoJSON of world-atlas's countries-50m (a separate chunk of the build). */
export async function loadCountries() {
  const module = await import('world-atlas/countries-50m.json');
  return module.default ?? module;
}

/** Country polygons as GeoJSON features {properties:{name}} in degrees (for naming places). */
export async function countryFeatures() {
  const topo = await loadCountries();
  return topoFeature(topo, topo.objects.countries).features;
}

const land = new Style({ fill: new Fill({ color: '#e9e4d6' }), stroke: new Stroke({ color: '#8c98a6', width: 1 }) });
const border = new Style({ stroke: new Stroke({ color: 'rgba(110,90,120,0.75)', width: 1, lineDash: [5, 3] }) });

function style(feature, resolution) {
  if (feature.get('kind') === 'border') return border;
  if (feature.get('kind') !== 'country') return land;
  if (resolution > 20000 || resolution < 300) return null; // names between continent and region scale
  return new Style({
    text: new Text({
      text: feature.get('name'), font: '12px system-ui, sans-serif', overflow: false,
      fill: new Fill({ color: '#3d4754' }), stroke: new Stroke({ color: 'rgba(255,255,255,0.85)', width: 3 }),
    }),
  });
}

/** The vector base map layer; its features arrive asynchronously (onError on failure). */
export function createBaseMap(onError) {
  const source = new VectorSource({ attributions: BASEMAP_ATTRIBUTION });
  const layer = new VectorLayer({ source, style, declutter: true, properties: { name: 'vectorBase' }, updateWhileInteracting: false });
  loadCountries().then((topo) => {
    const landFeatures = geojson.readFeatures(topoFeature(topo, topo.objects.land));
    const borders = geojson.readFeatures({ type: 'Feature', geometry: topoMesh(topo, topo.objects.countries, (a, b) => a !== b), properties: {} });
    borders.forEach((f) => f.set('kind', 'border'));
    const labels = geojson.readFeatures(topoFeature(topo, topo.objects.countries)).map((f) => {
      f.set('kind', 'country');
      return f;
    });
    source.addFeatures([...landFeatures, ...borders, ...labels]);
    source.set('loaded', true);
  }).catch((e) => onError?.(e));
  return layer;
}
