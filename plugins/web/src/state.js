/**
 * The page's state and its URL form. Everything a shared link must reproduce lives in the hash
 * (#q=lakes&bbox=...&from=...&to=...), so any static file server can host the page and the state
 * never reaches the server's logs. Settings that are personal (API key, base-map URL) stay in localStorage.
 */

export const LIMITS = [10, 25, 50, 100, 200];

/**
 * What the minimum slider filters: a result property and the API parameter that applies it on the server. A calibrated
 * relevance (e.g. `relevance` / `min_relevance`) can replace the raw score here without other changes to the page.
 */
export const THRESHOLD = { property: 'score', parameter: 'min_score' };

/** The thresholded value of a result feature, or null when it has none. */
export function thresholdValue(feature) {
  const v = feature?.properties?.[THRESHOLD.property];
  return typeof v === 'number' ? v : null;
}
export const DEFAULT_LIMIT = 25;

/** @returns {{q:string, bbox:number[]|null, from:string, to:string, model:string, limit:number, like:number[],
 *             unlike:number[], similar:number|null, chip:number|null, view:{lon:number,lat:number,zoom:number}|null,
 *             tab:string}} */
export function emptyState() {
  return { q: '', bbox: null, from: '', to: '', model: '', limit: DEFAULT_LIMIT, like: [], unlike: [], similar: null, chip: null, view: null, tab: 'search', min: null, undated: false };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function ids(text) {
  if (!text) return [];
  const out = [];
  for (const part of text.split(',')) {
    const n = Number(part);
    if (Number.isInteger(n) && n > 0 && !out.includes(n)) out.push(n);
  }
  return out.slice(0, 100);
}

function id(text) {
  const n = Number(text);
  return text && Number.isInteger(n) && n > 0 ? n : null;
}

/** Parses "minx,miny,maxx,maxy" (degrees); null if malformed or empty. */
export function parseBbox(text) {
  if (!text) return null;
  const v = String(text).split(',').map((s) => Number(s.trim()));
  if (v.length !== 4 || v.some((x) => !Number.isFinite(x))) return null;
  const [minx, miny, maxx, maxy] = v;
  if (minx > maxx || miny > maxy || minx < -180 || maxx > 180 || miny < -90 || maxy > 90) return null;
  return v;
}

export function formatBboxText(bbox) {
  return bbox ? bbox.map((v) => String(Math.round(v * 1e5) / 1e5)).join(',') : '';
}

/** Reads a state from a location hash ("#q=...&bbox=..."); unknown or malformed values fall back to defaults. */
export function parseHash(hash) {
  const s = emptyState();
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  s.q = (p.get('q') ?? '').slice(0, 1000);
  s.bbox = parseBbox(p.get('bbox'));
  s.from = DATE.test(p.get('from') ?? '') ? p.get('from') : '';
  s.to = DATE.test(p.get('to') ?? '') ? p.get('to') : '';
  const model = p.get('model') ?? '';
  s.model = /^[A-Za-z0-9._-]{1,100}$/.test(model) ? model : '';
  const limit = Number(p.get('limit'));
  s.limit = LIMITS.includes(limit) ? limit : DEFAULT_LIMIT;
  s.like = ids(p.get('like'));
  s.unlike = ids(p.get('unlike')).filter((x) => !s.like.includes(x));
  s.similar = id(p.get('similar'));
  s.chip = id(p.get('chip'));
  s.tab = p.get('tab') === 'changes' ? 'changes' : 'search';
  const min = p.get('min') == null || p.get('min') === '' ? NaN : Number(p.get('min'));
  s.min = Number.isFinite(min) && min >= -1 && min <= 1 ? min : null;
  s.undated = p.get('undated') === '1';
  const view = (p.get('view') ?? '').split(',').map(Number);
  if (view.length === 3 && view.every(Number.isFinite) && Math.abs(view[0]) <= 180 && Math.abs(view[1]) <= 90 && view[2] >= 0 && view[2] <= 28)
    s.view = { lon: view[0], lat: view[1], zoom: view[2] };
  return s;
}

/** Writes a state as a hash; defaults are left out so links stay short. */
export function formatHash(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.bbox) p.set('bbox', formatBboxText(s.bbox));
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  if (s.model) p.set('model', s.model);
  if (s.limit !== DEFAULT_LIMIT) p.set('limit', String(s.limit));
  if (s.like.length) p.set('like', s.like.join(','));
  if (s.unlike.length) p.set('unlike', s.unlike.join(','));
  if (s.similar) p.set('similar', String(s.similar));
  if (s.chip) p.set('chip', String(s.chip));
  if (s.tab !== 'search') p.set('tab', s.tab);
  if (s.min != null) p.set('min', String(Math.round(s.min * 1000) / 1000));
  if (s.undated) p.set('undated', '1');
  if (s.view) p.set('view', [s.view.lon.toFixed(5), s.view.lat.toFixed(5), s.view.zoom.toFixed(2)].join(','));
  const text = p.toString().replace(/%2C/g, ',');
  return text ? `#${text}` : '';
}

/** The OGC datetime of a state's date range ("2019-01-01/.."), or undefined for all time. */
export function datetimeOf(s) {
  if (!s.from && !s.to) return undefined;
  return `${s.from || '..'}/${s.to || '..'}`;
}

/** What the result list shows: 'similar' (chips like one chip), 'search' (q and/or relevance feedback), 'browse' (filter only) or 'idle'. */
export function resultMode(s) {
  if (s.similar && (s.like.length || s.unlike.length)) return 'similar-feedback';
  if (s.similar) return 'similar';
  if (s.q.trim() || s.like.length) return 'search';
  if (s.bbox || s.from || s.to) return 'browse';
  return 'idle';
}

/** Query parameters for GET /search or /chips/{id}/similar for a state. */
export function searchParams(s) {
  const params = {};
  const mode = resultMode(s);
  if (mode === 'search' || mode === 'browse') {
    if (s.q.trim()) params.q = s.q.trim();
    if (s.like.length) params.like = s.like.join(',');
    if (s.unlike.length && (s.q.trim() || s.like.length)) params.unlike = s.unlike.join(',');
  } else if (mode === 'similar-feedback') {
    // "Similar chips" with labelled examples: the chip and the + examples pull, the − examples push (GET /search).
    params.like = [s.similar, ...s.like.filter((x) => x !== s.similar)].join(',');
    const unlike = s.unlike.filter((x) => x !== s.similar);
    if (unlike.length) params.unlike = unlike.join(',');
  }
  if (s.bbox) params.bbox = formatBboxText(s.bbox);
  const datetime = datetimeOf(s);
  if (datetime) params.datetime = datetime;
  params.limit = String(s.limit);
  if (s.min != null && mode !== 'browse') params[THRESHOLD.parameter] = String(s.min);
  if (s.model) params.model = s.model;
  return params;
}

/** The key of a chip's place: chips of one grid cell on different dates share their footprint. */
export function placeKey(feature) {
  const b = feature?.bbox;
  return Array.isArray(b) && b.length === 4 ? b.map((v) => v.toFixed(4)).join(',') : `chip:${feature?.id}`;
}

/**
 * Results grouped by place, in rank order: each group is led by its best chip and lists every chip of the place
 * (the leader included) as {lead, members}.
 */
export function groupByPlace(features) {
  const groups = new Map();
  for (const f of features) {
    const key = placeKey(f);
    const g = groups.get(key);
    if (g) g.members.push(f); else groups.set(key, { lead: f, members: [f] });
  }
  return [...groups.values()];
}

/** A date for people: "16 Aug 2016" (UTC), "date unknown" when absent. */
export function formatDay(iso) {
  if (!iso) return 'date unknown';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
