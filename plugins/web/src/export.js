/**
 * Exports of result and labelled sets made in the browser: GeoJSON and CSV (the GeoPackage comes from the
 * server, which converts the same GeoJSON with GDAL).
 */

/** A FeatureCollection of the features as the API sent them (CRS84), with the query recorded. */
export function toGeoJson(features, { query = null } = {}) {
  return {
    type: 'FeatureCollection',
    ...(query ? { query } : {}),
    features: features.map((f) => ({ type: 'Feature', id: f.id, bbox: f.bbox, geometry: f.geometry, properties: { ...f.properties } })),
  };
}

const COLUMNS = ['id', 'rank', 'score', 'label', 'acquired', 'scene', 'scene_id', 'lon', 'lat', 'min_lon', 'min_lat', 'max_lon', 'max_lat', 'thumbnail', 'wkt'];

function cell(v) {
  if (v == null) return '';
  const text = String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function wkt(geometry) {
  if (geometry?.type !== 'Polygon') return '';
  return `POLYGON(${geometry.coordinates.map((ring) => `(${ring.map(([x, y]) => `${x} ${y}`).join(',')})`).join(',')})`;
}

/** CSV (RFC 4180) with one row per chip: centre, bounding box and the footprint as WKT (GDAL's CSV driver reads it). */
export function toCsv(features) {
  const rows = features.map((f) => {
    const p = f.properties ?? {};
    const [a, b, c, d] = f.bbox ?? [];
    const row = {
      ...p, id: f.id, lon: a != null ? (a + c) / 2 : null, lat: b != null ? (b + d) / 2 : null,
      min_lon: a, min_lat: b, max_lon: c, max_lat: d, wkt: wkt(f.geometry),
    };
    return COLUMNS.map((k) => cell(row[k])).join(',');
  });
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Saves a Blob as a file through a temporary link. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
