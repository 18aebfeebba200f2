/**
 * Library-agnostic client for the RsGeoSearch OGC API - Features `chips` collection.
 *
 * Works in browsers and in Node 18+ (global fetch). No map library needed: the result is plain GeoJSON
 * (EPSG:4326 / CRS84), ready for an OpenLayers VectorSource (see ./ol-semantic-search.js), a MapLibre
 * `geojson` source or Leaflet's L.geoJSON.
 *
 *   const fc = await fetchChipItems({ baseUrl: 'http://127.0.0.1:8080', q: 'flooded farmland',
 *                                     bbox: [-100, 46, -98, 48], datetime: '2019-01-01/2020-12-31' });
 *   fc.features[0].properties.score; fc.numberMatched;
 */

/** The query parameters the chips collection declares (anything else is a 400 there). */
export const CHIP_ITEM_PARAMETERS = ['q', 'bbox', 'datetime', 'limit', 'offset', 'min_score', 'model'];

/** An HTTP error with the fields of the server's RFC 7807 problem document. */
export class ApiError extends Error {
  /**
   * @param {{status:number, title?:string, detail?:string, parameter?:string, instance?:string}} problem
   */
  constructor(problem) {
    const title = problem.title || `HTTP ${problem.status}`;
    super(problem.detail ? `${title}: ${problem.detail}` : title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.title = title;
    this.detail = problem.detail ?? null;
    this.parameter = problem.parameter ?? null;
    this.instance = problem.instance ?? null;
  }
}

/** Reads a failed response into an {@link ApiError}: problem+json when the server sent one, else the status text. */
export async function problemFrom(response) {
  let problem = { status: response.status, title: response.statusText || `HTTP ${response.status}` };
  try {
    const text = await response.text();
    if (text) {
      try {
        const body = JSON.parse(text);
        if (body && typeof body === 'object') problem = { ...problem, ...body, status: response.status };
      } catch {
        // Not JSON (a proxy's HTML page, a WFS exception): show its first line, never a whole page.
        const line = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
        if (line) problem.detail = line.slice(0, 200);
      }
    }
  } catch {
    /* body unreadable: keep the status */
  }
  return new ApiError(problem);
}

/** "minx,miny,maxx,maxy" with at most 6 decimals (about 0.1 m), or undefined for no box. */
export function formatBbox(bbox) {
  if (bbox == null || bbox === '') return undefined;
  if (typeof bbox === 'string') return bbox;
  if (!Array.isArray(bbox) || bbox.length !== 4 || bbox.some((v) => !Number.isFinite(v)))
    throw new TypeError('bbox must be [minx, miny, maxx, maxy] in degrees');
  return bbox.map((v) => String(Math.round(v * 1e6) / 1e6)).join(',');
}

/**
 * An OGC datetime: an instant or "from/to" with open ends "..". Accepts a string, a Date,
 * [from, to] or {from, to} where each end is a Date, an ISO string or null/undefined (open).
 */
export function formatDatetime(datetime) {
  if (datetime == null || datetime === '') return undefined;
  if (typeof datetime === 'string') return datetime;
  if (datetime instanceof Date) return datetime.toISOString();
  const [from, to] = Array.isArray(datetime) ? datetime : [datetime.from, datetime.to];
  const end = (v) => (v == null || v === '' ? '..' : v instanceof Date ? v.toISOString() : String(v));
  if (end(from) === '..' && end(to) === '..') return undefined;
  return `${end(from)}/${end(to)}`;
}

/** The server's root without a trailing slash; '' means "the page's own origin". */
export function normalizeBaseUrl(baseUrl) {
  return (baseUrl ?? '').replace(/\/+$/, '');
}

/**
 * The URL of one page of `/ogc/collections/chips/items` for a query.
 * @param {{baseUrl?:string, q?:string, bbox?:number[]|string, datetime?:any, limit?:number, offset?:number,
 *          minScore?:number, model?:string}} query
 */
export function chipItemsUrl(query = {}) {
  const params = new URLSearchParams();
  const q = query.q?.trim();
  if (q) params.set('q', q);
  const bbox = formatBbox(query.bbox);
  if (bbox) params.set('bbox', bbox);
  const datetime = formatDatetime(query.datetime);
  if (datetime) params.set('datetime', datetime);
  if (query.limit != null) params.set('limit', String(query.limit));
  if (query.offset) params.set('offset', String(query.offset));
  if (query.minScore != null && query.minScore !== '') params.set('min_score', String(query.minScore));
  if (query.model) params.set('model', query.model);
  const search = params.toString();
  return `${normalizeBaseUrl(query.baseUrl)}/ogc/collections/chips/items${search ? `?${search}` : ''}`;
}

/**
 * Fetches chips for a query, following `rel=next` links until `maxFeatures` features (default: `limit`, else 100)
 * or the last page. Resolves to a GeoJSON FeatureCollection with `numberMatched` (chips that match the filter)
 * and `numberReturned`; rejects with an {@link ApiError} on an HTTP error.
 * @param {object} query see {@link chipItemsUrl}
 * @param {{signal?:AbortSignal, maxFeatures?:number, pageSize?:number, fetch?:typeof fetch, headers?:object}} [options]
 */
export async function fetchChipItems(query = {}, options = {}) {
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxFeatures = Math.max(1, options.maxFeatures ?? query.limit ?? 100);
  const pageSize = Math.min(maxFeatures, options.pageSize ?? 1000);
  let url = chipItemsUrl({ ...query, limit: pageSize });
  const features = [];
  let numberMatched = null;
  let model = null;
  for (let page = 0; url && features.length < maxFeatures && page < 1000; page++) {
    const response = await doFetch(url, {
      signal: options.signal,
      headers: { Accept: 'application/geo+json, application/json', ...(options.headers ?? {}) },
    });
    if (!response.ok) throw await problemFrom(response);
    const body = await response.json();
    if (numberMatched == null && typeof body.numberMatched === 'number') numberMatched = body.numberMatched;
    model ??= body.model ?? null;
    const items = Array.isArray(body.features) ? body.features : [];
    features.push(...items.slice(0, maxFeatures - features.length));
    const next = (body.links ?? []).find((l) => l.rel === 'next');
    url = items.length > 0 && next ? next.href : null;
  }
  return { type: 'FeatureCollection', numberMatched, numberReturned: features.length, model, features };
}

/** Lowest and highest `score` among features (null when none has one). */
export function scoreRange(features) {
  let min = Infinity;
  let max = -Infinity;
  for (const f of features) {
    const s = f?.properties?.score ?? (typeof f?.get === 'function' ? f.get('score') : undefined);
    if (typeof s !== 'number') continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return min <= max ? { min, max } : null;
}

// Viridis, sampled: dark purple (lowest score of a result set) to yellow (highest).
const RAMP = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

/** The colour [r, g, b] of a score within a range (highest = yellow); grey for no score. */
export function scoreColor(score, range) {
  if (typeof score !== 'number' || !range) return [150, 160, 170];
  const span = range.max - range.min;
  const t = span > 1e-12 ? Math.min(1, Math.max(0, (score - range.min) / span)) : 1;
  const x = t * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  return RAMP[i].map((c, k) => Math.round(c + (RAMP[i + 1][k] - c) * f));
}

/** CSS gradient of the score ramp, for legends. */
export function scoreGradientCss() {
  return `linear-gradient(to right, ${RAMP.map((c, i) => `rgb(${c.join(',')}) ${Math.round((i / (RAMP.length - 1)) * 100)}%`).join(', ')})`;
}
