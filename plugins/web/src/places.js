/**
 * Names for the library's places: the country under each scene's footprint centre, from the Natural Earth
 * countries bundled with the offline base map (world-atlas). Computed once per page load in the browser; the
 * sensor comes from the server (the scene's `sensor` property).
 */
import GeoJSON from 'ol/format/GeoJSON.js';
import { countryFeatures } from './basemap.js';

/** @returns {Promise<Map<number, string>>} scene id → country name (scenes outside every country are left out) */
export async function placeNames(scenes) {
  const countries = new GeoJSON().readFeatures({ type: 'FeatureCollection', features: await countryFeatures() });
  const names = new Map();
  for (const s of scenes) {
    if (!Array.isArray(s.bbox)) continue;
    const centre = [(s.bbox[0] + s.bbox[2]) / 2, (s.bbox[1] + s.bbox[3]) / 2];
    // The country under the centre; for a coastal scene whose centre is at sea, the nearest one within ~0.5°.
    let hit = countries.find((c) => c.getGeometry()?.intersectsCoordinate(centre));
    if (!hit) {
      let best = 0.5 ** 2;
      for (const c of countries) {
        const [x, y] = c.getGeometry()?.getClosestPoint(centre) ?? [Infinity, Infinity];
        const d = (x - centre[0]) ** 2 + (y - centre[1]) ** 2;
        if (d < best) { best = d; hit = c; }
      }
    }
    if (hit) names.set(s.id, hit.get('name'));
  }
  return names;
}
