/**
 * The RsGeoSearch web page: a search box, an area (drawn, typed or the current view), a date range with the dates
 * that exist in the library, a model; results as footprints coloured by score and as a thumbnail gallery; chip
 * details with zero-shot labels, relevance feedback and similar chips. The state lives in the URL hash.
 */
import 'ol/ol.css';
import './style.css';
import { Api, ApiError } from './api.js';
import { SearchMap } from './map.js';
import {
  parseHash, formatHash, resultMode, searchParams, datetimeOf, parseBbox, formatBboxText, LIMITS, groupByPlace, formatDay, placeKey,
  thresholdValue,
} from './state.js';
import { placeNames } from './places.js';
import { toGeoJson, toCsv, download } from './export.js';
import { scoreRange, scoreColor, scoreGradientCss } from './lib/semantic-search.js';

// The 30 AID scene classes: the labels the bundled model knows best; editable in Settings.
const DEFAULT_LABELS = ['airport', 'bare land', 'baseball field', 'beach', 'bridge', 'center', 'church', 'commercial',
  'dense residential', 'desert', 'farmland', 'forest', 'industrial', 'meadow', 'medium residential', 'mountain', 'park',
  'parking', 'playground', 'pond', 'port', 'railway station', 'resort', 'river', 'school', 'sparse residential',
  'square', 'stadium', 'storage tanks', 'viaduct'];

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) if (c != null) node.append(c);
  return node;
};

const configured = document.querySelector('meta[name="rsgeo-api"]')?.content?.trim();
const api = new Api(configured || new URL('.', location.href).href);
const store = {
  get: (k, d = '') => { try { return localStorage.getItem(`rsgeo.${k}`) ?? d; } catch { return d; } },
  set: (k, v) => { try { if (v) localStorage.setItem(`rsgeo.${k}`, v); else localStorage.removeItem(`rsgeo.${k}`); } catch { /* private mode */ } },
};

let state = parseHash(location.hash);
let results = [];
let range = null;
let hoverId = null;
let searchController = null;
let detailsController = null;
let libraryExtent = null;
let libraryScenes = [];
let sliderBounds = null;
let hereIds = [];
const labelCache = new Map();
const chipCache = new Map();

const map = new SearchMap($('map'), {
  baseUrl: api.base,
  onHover: (id) => setHover(id, { fromMap: true }),
  onSelect: (id, ids) => (state.tab === 'changes' ? selectChange(id) : select(id, { here: ids })),
  onBbox: (bbox) => { state.bbox = bbox; $('bbox').value = formatBboxText(bbox); commit(); },
  onView: () => { state.view = map.getViewState(); writeUrl('replace'); },
  onError: (e) => showError(e),
});

// ---------- errors and status ----------

function showError(e) {
  if (e?.name === 'AbortError') return;
  if (e?.name === 'BasemapError') { $('basemap-status').textContent = `Base map: ${e.message}`; $('basemap-status').hidden = false; return; }
  const title = e instanceof ApiError ? e.title : 'Something went wrong';
  const detail = e instanceof ApiError ? (e.detail ?? '') : String(e?.message ?? e);
  $('error-title').textContent = title;
  $('error-detail').textContent = detail + (e?.parameter ? ` (parameter: ${e.parameter})` : '');
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
}

function setStatus(kind, text, count) {
  const status = $('status');
  status.dataset.state = kind;
  if (count != null) status.dataset.count = String(count); else delete status.dataset.count;
  status.replaceChildren(kind === 'loading' ? el('span', { className: 'spinner', ariaHidden: 'true' }) : '', text);
  $('gallery').setAttribute('aria-busy', kind === 'loading' ? 'true' : 'false');
}

window.addEventListener('unhandledrejection', (e) => { e.preventDefault(); showError(e.reason); });
window.addEventListener('error', (e) => { if (e.error) showError(e.error); });

// ---------- URL ----------

function writeUrl(how = 'push') {
  const hash = formatHash(state);
  if (hash === location.hash || (hash === '' && location.hash === '')) return;
  const url = `${location.pathname}${location.search}${hash}`;
  if (how === 'push') history.pushState(null, '', url); else history.replaceState(null, '', url);
}

function onUrlChanged() {
  if (formatHash(state) === location.hash) return;
  const next = parseHash(location.hash);
  const viewChanged = JSON.stringify(next.view) !== JSON.stringify(state.view);
  state = next;
  controlsFromState();
  if (viewChanged && state.view) map.setViewState(state.view);
  map.setBbox(state.bbox);
  map.setImageryFilter({ datetime: datetimeOf(state) });
  if (state.tab === 'changes') runChanges(); else run();
}
window.addEventListener('popstate', onUrlChanged);
window.addEventListener('hashchange', onUrlChanged);

/**
 * After a user change: record it in the URL and run the search again. A new search zooms to its results
 * (`fit`: 'always', or 'if-hidden' to move only when none is in view; false keeps the view: votes, threshold).
 */
function commit({ keepChip = false, fit = 'always' } = {}) {
  if (!keepChip) state.chip = null;
  writeUrl('push');
  map.setImageryFilter({ datetime: datetimeOf(state) });
  fillDates();
  if (state.tab === 'changes') { runChanges(); return; }
  fitOnNextResult = fit;
  run();
}

// ---------- controls ----------

function controlsFromState() {
  $('q').value = state.q;
  $('bbox').value = formatBboxText(state.bbox);
  $('bbox').removeAttribute('aria-invalid');
  ensureOption($('date-from'), state.from);
  ensureOption($('date-to'), state.to);
  $('date-from').value = state.from;
  $('date-to').value = state.to;
  ensureOption($('model'), state.model);
  $('model').value = state.model;
  $('limit').value = String(state.limit);
  $('include-undated').checked = state.undated;
  renderFeedback();
  renderTabs();
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(el('option', { value, textContent: value }));
}

/** The acquisition dates offered in From / To: those of the scenes inside the chosen area (all scenes without one). */
function fillDates() {
  const inArea = (s) => !state.bbox || !s.bbox || !(s.bbox[0] > state.bbox[2] || s.bbox[2] < state.bbox[0] || s.bbox[1] > state.bbox[3] || s.bbox[3] < state.bbox[1]);
  const dates = new Map();
  let undated = 0;
  for (const s of libraryScenes.filter(inArea)) {
    const d = s.properties?.acquired ? String(s.properties.acquired).slice(0, 10) : null;
    if (d) dates.set(d, (dates.get(d) ?? 0) + 1); else undated += s.properties?.chip_count ?? 0;
  }
  const sorted = [...dates.entries()].sort(([x], [y]) => x.localeCompare(y));
  for (const [id, first] of [['date-from', 'earliest'], ['date-to', 'latest']]) {
    const select = $(id);
    select.replaceChildren(el('option', { value: '', textContent: first }),
      ...sorted.map(([d, n]) => el('option', { value: d, textContent: `${formatDay(d)}${n > 1 ? ` (${n} scenes)` : ''}` })));
  }
  $('dates-hint').textContent = state.bbox
    ? (sorted.length ? `${sorted.length} date${sorted.length === 1 ? '' : 's'} in this area` : 'No dated imagery in this area')
    : `${sorted.length} date${sorted.length === 1 ? '' : 's'} in the library`;
  // A date filter leaves out chips without a date: say so and offer to include them.
  const filtered = !!(state.from || state.to);
  $('undated-row').hidden = !(filtered && undated > 0);
  $('undated-count').textContent = `${undated.toLocaleString('en')} chip${undated === 1 ? '' : 's'} without a date`;
  controlsFromState();
}

$('limit').append(...LIMITS.map((n) => el('option', { value: String(n), textContent: String(n) })));

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.q = $('q').value.trim();
  state.similar = null;
  state.min = null;
  sliderBounds = null;
  commit(); // on the Changes tab, this finds changes matching the text
});

function bboxFromInput() {
  const text = $('bbox').value.trim();
  const bbox = text ? parseBbox(text) : null;
  if (text && !bbox) {
    $('bbox').setAttribute('aria-invalid', 'true');
    showError(new ApiError({ status: 400, title: 'The area is not valid', detail: `'${text}' is not four numbers min x, min y, max x, max y in degrees (min ≤ max, x within ±180, y within ±90)`, parameter: 'bbox' }));
    return;
  }
  $('bbox').removeAttribute('aria-invalid');
  if (JSON.stringify(bbox) === JSON.stringify(state.bbox)) return;
  clearError();
  state.bbox = bbox;
  map.setBbox(bbox);
  if (bbox) map.fitBbox(bbox, { duration: 300 });
  commit();
}
$('bbox').addEventListener('change', bboxFromInput);
$('bbox').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); bboxFromInput(); } });

function setDrawing(on) {
  if (on === map.isDrawing()) return;
  if (on) map.startDraw(state.bbox); else map.stopDraw();
  $('draw-bbox').setAttribute('aria-pressed', String(on));
  $('draw-bbox').textContent = on ? 'Done' : (state.bbox ? 'Edit box' : 'Draw box');
  $('map-hint').hidden = !on;
  map.setBbox(state.bbox);
}
$('map-hint').textContent = matchMedia('(pointer: coarse)').matches
  ? 'Drag to draw the search area; drag an edge or corner to change it. Tap Done when finished.'
  : 'Drag to draw the search area; drag an edge or corner to change it. Esc or Done ends.';
$('draw-bbox').addEventListener('click', () => setDrawing(!map.isDrawing()));
$('view-bbox').addEventListener('click', () => {
  state.bbox = map.viewBbox().map((v) => Math.round(v * 1e5) / 1e5);
  $('bbox').value = formatBboxText(state.bbox);
  map.setBbox(state.bbox);
  commit();
});
$('clear-bbox').addEventListener('click', () => {
  state.bbox = null;
  $('bbox').value = '';
  setDrawing(false);
  map.clearDrawnBox();
  map.setBbox(null);
  $('draw-bbox').textContent = 'Draw box';
  commit();
});

for (const [id, key] of [['date-from', 'from'], ['date-to', 'to']]) {
  $(id).addEventListener('change', () => {
    state[key] = $(id).value;
    // Keep the range the right way round: moving one end past the other moves both.
    if (state.from && state.to && state.from > state.to) {
      if (key === 'from') state.to = state.from; else state.from = state.to;
      controlsFromState();
    }
    commit();
  });
}
$('model').addEventListener('change', () => { state.model = $('model').value; commit({ keepChip: true }); });
$('limit').addEventListener('change', () => { state.limit = Number($('limit').value); commit({ keepChip: true }); });
$('error-close').addEventListener('click', clearError);

// Settings (personal, kept in this browser)
$('basemap').value = store.get('basemap');
$('apikey').value = store.get('apikey');
$('labels').value = store.get('labels', DEFAULT_LABELS.join(', '));
api.apiKey = $('apikey').value;
$('basemap-attribution').value = store.get('basemap-attribution');
map.setBasemap($('basemap').value.trim(), $('basemap-attribution').value.trim());
function basemapChanged() {
  const url = $('basemap').value.trim();
  if (url && !/^https?:\/\/.+\{z\}.*\{x\}.*\{y\}/.test(url)) {
    showError(new ApiError({ status: 400, title: 'The base map URL is not valid', detail: 'use an http(s) XYZ template with {z}, {x} and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png' }));
    return;
  }
  store.set('basemap', url);
  store.set('basemap-attribution', $('basemap-attribution').value.trim());
  $('basemap-status').hidden = true;
  map.setBasemap(url, $('basemap-attribution').value.trim());
}
$('basemap').addEventListener('change', basemapChanged);
$('basemap-attribution').addEventListener('change', basemapChanged);
$('show-base').addEventListener('change', (e) => map.setLayerVisible('vectorBase', e.target.checked));
$('fill-opacity').value = store.get('fill-opacity', '12');
map.setFillOpacity(Number($('fill-opacity').value) / 100);
$('fill-opacity').addEventListener('input', () => {
  map.setFillOpacity(Number($('fill-opacity').value) / 100);
  $('fill-opacity-value').textContent = `${$('fill-opacity').value} %`;
  store.set('fill-opacity', $('fill-opacity').value === '12' ? '' : $('fill-opacity').value);
});
$('fill-opacity-value').textContent = `${$('fill-opacity').value} %`;
$('include-undated').addEventListener('change', (e) => { state.undated = e.target.checked; commit({ keepChip: true, fit: false }); });
$('group-places').checked = store.get('group-places', '1') === '1';
$('group-places').addEventListener('change', (e) => { store.set('group-places', e.target.checked ? '1' : '0'); renderGallery(); });
$('apikey').addEventListener('change', () => { api.apiKey = $('apikey').value; store.set('apikey', api.apiKey); labelCache.clear(); });
$('labels').addEventListener('change', () => { store.set('labels', $('labels').value.trim() === DEFAULT_LABELS.join(', ') ? '' : $('labels').value.trim()); labelCache.clear(); });
$('show-imagery').addEventListener('change', (e) => map.setLayerVisible('imagery', e.target.checked));
$('show-scenes').addEventListener('change', (e) => map.setLayerVisible('scenes', e.target.checked));

function currentLabels() {
  return $('labels').value.split(/[,\n]/).map((s) => s.trim()).filter(Boolean).slice(0, 200);
}

// ---------- labelled examples (relevance feedback) ----------

/** + / − a chip: toggles it in the labelled set (like = more like this, unlike = less like this). */
function vote(id, kind) {
  const on = kind === 'like' ? state.like.includes(id) : state.unlike.includes(id);
  state.like = state.like.filter((x) => x !== id);
  state.unlike = state.unlike.filter((x) => x !== id);
  if (!on) state[kind] = [...state[kind], id];
  commit({ keepChip: true, fit: false });
}

function renderFeedback() {
  const list = $('feedback-list');
  const token = (id, sign, title, remove) => el('li', { className: sign === '+' ? 'pos' : sign === '−' ? 'neg' : '' },
    el('img', { src: api.thumbnailUrl(id, 128), alt: '', width: 36, height: 36, loading: 'lazy' }),
    el('span', { textContent: `${sign} ${id}`, title }),
    el('button', { type: 'button', className: 'x', textContent: '×', ariaLabel: `Remove: ${title}`, title: `Remove: ${title}`, onclick: remove }));
  const items = [
    ...state.like.map((id) => token(id, '+', `more like chip ${id}`, () => vote(id, 'like'))),
    ...state.unlike.map((id) => token(id, '−', `less like chip ${id}`, () => vote(id, 'unlike'))),
  ];
  if (state.similar) items.unshift(token(state.similar, '≈', `similar to chip ${state.similar}`, () => { state.similar = null; commit({ keepChip: true }); }));
  list.replaceChildren(...items);
  $('feedback').hidden = items.length === 0;
  $('feedback-title').textContent = state.similar ? 'Similar to, with your examples' : 'Your examples (+ more like, − less like)';
  $('export-labelled').hidden = state.like.length + state.unlike.length === 0;
}
$('feedback-clear').addEventListener('click', () => { state.like = []; state.unlike = []; state.similar = null; commit({ keepChip: true }); });

// ---------- searching ----------

let fitOnNextResult = false;

async function run() {
  renderFeedback();
  if (state.tab === 'changes') return;
  searchController?.abort();
  const controller = new AbortController();
  searchController = controller;
  const mode = resultMode(state);
  $('library').hidden = mode !== 'idle';
  if (mode === 'idle') {
    results = [];
    range = null;
    map.setResults({ type: 'FeatureCollection', features: [] }, null);
    renderGallery();
    renderLegend();
    setStatus('idle', 'Describe what to find, draw an area or pick dates.', 0);
    if (state.chip) showDetails(state.chip);
    return;
  }
  setStatus('loading', mode.startsWith('similar') ? `Finding chips similar to chip ${state.similar}…` : 'Searching…');
  try {
    const params = searchParams(state);
    const ask = (p) => (mode === 'similar' ? api.similar(state.similar, p, controller.signal) : api.search(p, controller.signal));
    const fc = await ask(params);
    let features = Array.isArray(fc.features) ? fc.features : [];
    if (state.undated && params.datetime) {
      // Chips without a date: the same search without the date filter, keeping only the undated ones.
      const { datetime, ...rest } = params;
      const extra = (await ask(rest)).features?.filter((f) => !f.properties?.acquired) ?? [];
      features = [...features, ...extra].sort((a, b) => (b.properties?.score ?? 0) - (a.properties?.score ?? 0)).slice(0, state.limit);
    }
    if (controller.signal.aborted) return;
    clearError();
    results = features;
    for (const f of results) chipCache.set(f.id, f);
    range = scoreRange(results);
    if (state.min == null) {
      const values = results.map(thresholdValue).filter((v) => v != null);
      sliderBounds = values.length ? { min: Math.min(...values), max: Math.max(...values) } : null;
    }
    map.setMinScore(null);
    map.setResults({ type: 'FeatureCollection', features: results }, range);
    renderGallery();
    renderLegend();
    const n = results.length;
    if (n === 0) {
      setStatus('empty', mode === 'browse' ? 'No chips in this area and time range.'
        : state.min != null ? `No chips score ${state.min.toFixed(3)} or more. Lower the minimum score.` : 'No chips match. Try a larger area, more dates or other words.', 0);
    } else {
      const matched = typeof fc.numberMatched === 'number' && fc.numberMatched > n ? ` of ${fc.numberMatched.toLocaleString('en')} in the filter` : '';
      const what = mode.startsWith('similar') ? `similar to chip ${state.similar}` : mode === 'browse' ? 'chips (no text: listed by id)' : (n === 1 ? 'result' : 'results');
      const places = groupByPlace(results).length;
      setStatus('done', `${n} ${what}${matched}${places < n ? ` in ${places} place${places === 1 ? '' : 's'}` : ''}${state.min != null ? ` scoring ≥ ${state.min.toFixed(3)}` : ''}`, n);
    }
    if (fitOnNextResult) map.fitResults({ onlyIfNoneVisible: fitOnNextResult === 'if-hidden', duration: 0 });
    fitOnNextResult = false;
    map.setHighlight(hoverId, state.chip);
    if (state.chip) showDetails(state.chip); else closeDetails({ keepUrl: true });
  } catch (e) {
    if (e?.name === 'AbortError' || controller.signal.aborted) return;
    results = [];
    map.setResults({ type: 'FeatureCollection', features: [] }, null);
    renderGallery();
    setStatus('error', 'The search failed; see the message above.', 0);
    showError(e);
  }
}

function renderLegend() {
  const scored = !!range && state.tab !== 'changes';
  $('legend').hidden = !range;
  $('results-tools').hidden = !(results.length && state.tab !== 'changes');
  if (!range) { $('threshold').hidden = true; return; }
  $('legend-min').textContent = range.min.toFixed(3);
  $('legend-max').textContent = range.max.toFixed(3);
  $('legend-ramp').style.background = scoreGradientCss();
  const slider = $('min-score');
  $('threshold').hidden = !scored || !sliderBounds || resultMode(state) === 'browse';
  if (!sliderBounds) return;
  const lo = Math.min(sliderBounds.min, state.min ?? Infinity);
  const hi = Math.max(sliderBounds.max, lo + 0.001);
  slider.min = String(Math.floor(lo * 1000) / 1000);
  slider.max = String(Math.ceil(hi * 1000) / 1000);
  slider.step = '0.001';
  slider.value = String(state.min ?? slider.min);
  thresholdMoved();
}

/** The threshold slider moves: footprints and cards under it hide at once, with a live count. */
function thresholdMoved() {
  const v = Number($('min-score').value);
  const atMin = v <= Number($('min-score').min);
  const n = results.filter((f) => thresholdValue(f) == null || thresholdValue(f) >= v).length;
  $('min-score-value').textContent = atMin ? 'off' : `≥ ${v.toFixed(3)}`;
  $('threshold-count').textContent = `${n} of ${results.length} shown`;
  $('gallery').dataset.visible = String(n);
  map.setMinScore(atMin ? null : v);
  for (const li of $('gallery').children) {
    const score = Number(li.dataset.score);
    li.hidden = Number.isFinite(score) && !atMin && score < v;
  }
}
$('min-score').addEventListener('input', thresholdMoved);
$('min-score').addEventListener('change', () => {
  const v = Number($('min-score').value);
  state.min = v <= Number($('min-score').min) ? null : Math.round(v * 1000) / 1000;
  commit({ keepChip: true, fit: false }); // the server applies it (min_score): results fill up to the limit again
});

function scoreText(score) {
  return typeof score === 'number' ? score.toFixed(3) : '—';
}

function renderGallery() {
  const gallery = $('gallery');
  const grouped = $('group-places').checked;
  const groups = grouped ? groupByPlace(results) : results.map((f) => ({ lead: f, members: [f] }));
  const rankOf = new Map(results.map((f, i) => [f.id, i + 1]));
  const cards = groups.map(({ lead: f, members }) => {
    const p = f.properties ?? {};
    const color = scoreColor(p.score, range);
    const img = el('img', { src: api.thumbnailUrl(f.id, 128), alt: '', loading: 'lazy', width: 96, height: 96 });
    img.addEventListener('error', () => img.classList.add('broken'), { once: true });
    const when = formatDay(p.acquired);
    const button = el('button', { type: 'button', className: 'card' },
      img,
      el('span', { className: 'meta' },
        el('span', { className: 'rank', textContent: `#${rankOf.get(f.id)}` }),
        el('span', { className: 'title', textContent: `${when}` }),
        typeof p.score === 'number'
          ? el('span', { className: 'score' }, el('span', { className: 'swatch', style: `background:rgb(${color.join(',')})` }), `score ${scoreText(p.score)}`)
          : null,
        el('span', { className: 'sub', textContent: `chip ${f.id} · ${p.scene ?? 'scene ' + p.scene_id}` })));
    button.dataset.id = String(f.id);
    button.setAttribute('aria-label', `Result ${rankOf.get(f.id)}: ${when}${typeof p.score === 'number' ? `, score ${scoreText(p.score)}` : ''}, chip ${f.id}, ${p.scene ?? ''}`);
    for (const [ev, fn] of [['mouseenter', () => setHover(f.id)], ['mouseleave', () => setHover(null)], ['focus', () => setHover(f.id)], ['blur', () => setHover(null)]])
      button.addEventListener(ev, fn);
    button.addEventListener('click', (e) => select(f.id, { focusDetails: e.detail === 0 }));
    if (f.id === state.chip) button.setAttribute('aria-current', 'true');
    const liked = state.like.includes(f.id);
    const unliked = state.unlike.includes(f.id);
    const votes = el('span', { className: 'votes' },
      el('button', { type: 'button', className: `vote plus${liked ? ' on' : ''}`, textContent: '+', title: `More like this (chip ${f.id})`, ariaLabel: `More like chip ${f.id}`, ariaPressed: String(liked), onclick: () => vote(f.id, 'like') }),
      el('button', { type: 'button', className: `vote minus${unliked ? ' on' : ''}`, textContent: '−', title: `Less like this (chip ${f.id})`, ariaLabel: `Less like chip ${f.id}`, ariaPressed: String(unliked), onclick: () => vote(f.id, 'unlike') }));
    const strip = members.length > 1
      ? el('span', { className: 'dates', role: 'group', ariaLabel: `${members.length} dates of this place` },
        ...[...members].sort((a, b) => String(a.properties?.acquired ?? '').localeCompare(String(b.properties?.acquired ?? ''))).map((m) => {
          const b = el('button', { type: 'button', className: `date${m.id === f.id ? ' lead' : ''}`, textContent: formatDay(m.properties?.acquired).replace(/^\d+ /, ''),
            title: `${formatDay(m.properties?.acquired)}: score ${scoreText(m.properties?.score)} (#${rankOf.get(m.id)}, chip ${m.id})`, onclick: () => select(m.id) });
          b.dataset.id = String(m.id);
          b.addEventListener('mouseenter', () => setHover(m.id));
          b.addEventListener('mouseleave', () => setHover(null));
          if (m.id === state.chip) b.setAttribute('aria-current', 'true');
          return b;
        }))
      : null;
    const li = el('li', { className: 'result' }, button, votes, strip);
    if (thresholdValue(f) != null) li.dataset.score = String(thresholdValue(f));
    li.dataset.place = placeKey(f);
    return li;
  });
  gallery.replaceChildren(...cards);
  gallery.dataset.count = String(cards.length);
  if (range && !$('threshold').hidden) thresholdMoved();
}

$('gallery').addEventListener('keydown', (e) => {
  const cards = [...$('gallery').querySelectorAll('button.card')].filter((b) => !b.closest('li').hidden);
  const i = cards.indexOf(document.activeElement);
  if (i < 0) return;
  const next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: cards.length - 1 }[e.key];
  if (next == null) return;
  e.preventDefault();
  cards[Math.max(0, Math.min(cards.length - 1, next))].focus();
});

function cardOf(id) {
  return $('gallery').querySelector(`button.card[data-id="${id}"]`) ?? $('gallery').querySelector(`button.date[data-id="${id}"]`);
}

function setHover(id, { fromMap = false } = {}) {
  if (hoverId === id) return;
  cardOf(hoverId)?.classList.remove('hover');
  hoverId = id;
  const card = cardOf(id);
  card?.classList.add('hover');
  if (fromMap && card) card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  map.setHighlight(hoverId, state.chip);
}

$('zoom-results').addEventListener('click', () => map.fitResults({ duration: 300 }));

// ---------- export ----------

function exportName(what, ext) {
  const words = (state.q || (state.similar ? `similar-${state.similar}` : 'chips')).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `rsgeo-${what}-${words || 'chips'}.${ext}`;
}

/** The labelled set: every + and − chip as a feature with label = 1 / 0 (fetched when not among the results). */
async function labelledFeatures() {
  const want = [...state.like.map((id) => [id, 1]), ...state.unlike.map((id) => [id, 0])];
  const out = [];
  for (const [id, label] of want) {
    let f = chipCache.get(id);
    if (!f) { f = await api.chip(id); chipCache.set(id, f); }
    out.push({ ...f, properties: { ...f.properties, label, example: label ? 'more like' : 'less like' } });
  }
  return out;
}

async function exportAs(what, format) {
  try {
    const features = what === 'labelled' ? await labelledFeatures()
      : results.filter((f) => state.min == null || thresholdValue(f) == null || thresholdValue(f) >= state.min)
        .map((f, i) => ({ ...f, properties: { rank: i + 1, ...f.properties } }));
    const fc = toGeoJson(features, { query: state.q || null });
    if (format === 'geojson') download(new Blob([JSON.stringify(fc)], { type: 'application/geo+json' }), exportName(what, 'geojson'));
    else if (format === 'csv') download(new Blob([toCsv(features)], { type: 'text/csv' }), exportName(what, 'csv'));
    else download(await api.exportGeoPackage(fc, what), exportName(what, 'gpkg'));
  } catch (e) {
    showError(e);
  }
}
for (const b of document.querySelectorAll('button[data-export]')) {
  b.addEventListener('click', () => exportAs(b.dataset.export, b.dataset.format));
}

// ---------- chip details ----------

function select(id, { focusDetails = false, here = null } = {}) {
  state.chip = id;
  hereIds = here && here.length > 1 ? here : [];
  writeUrl('push');
  for (const c of $('gallery').querySelectorAll('[aria-current]')) c.removeAttribute('aria-current');
  cardOf(id)?.setAttribute('aria-current', 'true');
  cardOf(id)?.scrollIntoView({ block: 'nearest' });
  map.setHighlight(hoverId, id);
  showDetails(id, { focus: focusDetails });
}

function closeDetails({ keepUrl = false } = {}) {
  detailsController?.abort();
  const wasOpen = !$('details').hidden;
  $('details').hidden = true;
  if (!keepUrl && state.chip) {
    const id = state.chip;
    state.chip = null;
    writeUrl('push');
    cardOf(id)?.removeAttribute('aria-current');
    if (wasOpen) cardOf(id)?.focus();
  }
  map.setHighlight(hoverId, state.chip);
}
$('details-close').addEventListener('click', () => closeDetails());

/** The other results on the same place (same footprint) and, after a map click, those under the pointer. */
function renderHere(id, feature) {
  const key = placeKey(feature);
  const ids = [...new Set([...hereIds, ...results.filter((f) => placeKey(f) === key).map((f) => f.id)])];
  const here = ids.map((x) => results.find((f) => f.id === x)).filter(Boolean)
    .sort((a, b) => String(a.properties?.acquired ?? '').localeCompare(String(b.properties?.acquired ?? '')));
  $('details-here').hidden = here.length < 2;
  $('details-here-list').replaceChildren(...here.map((f) => {
    const b = el('button', { type: 'button', className: `date${f.id === id ? ' lead' : ''}`, textContent: `${formatDay(f.properties?.acquired)} · ${scoreText(f.properties?.score)}`,
      title: `#${results.indexOf(f) + 1}, chip ${f.id}`, onclick: () => select(f.id, { here: hereIds }) });
    b.dataset.id = String(f.id);
    if (f.id === id) b.setAttribute('aria-current', 'true');
    return el('li', {}, b);
  }));
}

async function showDetails(id, { focus = false } = {}) {
  detailsController?.abort();
  const controller = new AbortController();
  detailsController = controller;
  let feature = results.find((f) => f.id === id);
  const panel = $('details');
  panel.hidden = false;
  panel.dataset.chip = String(id);
  $('details-title').textContent = `Chip ${id}`;
  $('details-props').replaceChildren(el('dd', { textContent: 'Loading…' }));
  $('details-labels').replaceChildren();
  $('details-here').hidden = true;
  if (focus) panel.focus();
  if (!feature) {
    try {
      feature = chipCache.get(id) ?? await api.chip(id, controller.signal);
      map.showExtraFeature(feature);
      map.setHighlight(hoverId, id);
    } catch (e) {
      if (controller.signal.aborted) return;
      $('details-props').replaceChildren();
      showError(e);
      return;
    }
  }
  if (controller.signal.aborted) return;
  const p = feature.properties ?? {};
  $('details-title').textContent = `${formatDay(p.acquired)} · chip ${id}`;
  const img = $('details-img');
  img.src = api.thumbnailUrl(id, 256);
  img.alt = `Chip ${id}: ${p.scene ?? ''}, ${formatDay(p.acquired)}`;
  const b = feature.bbox;
  const centre = b ? `${((b[1] + b[3]) / 2).toFixed(4)}° ${b[1] + b[3] >= 0 ? 'N' : 'S'}, ${Math.abs((b[0] + b[2]) / 2).toFixed(4)}° ${b[0] + b[2] >= 0 ? 'E' : 'W'}` : '—';
  const size = b ? `${Math.round(((b[2] - b[0]) * 111320 * Math.cos(((b[1] + b[3]) / 2) * Math.PI / 180)))} × ${Math.round((b[3] - b[1]) * 110540)} m` : '—';
  const rank = results.findIndex((f) => f.id === id);
  const rows = [
    ['Score', typeof p.score === 'number' ? `${p.score.toFixed(3)}${rank >= 0 ? ` (#${rank + 1} of ${results.length})` : ''}` : '—'],
    ['Acquired', p.acquired ? formatDay(p.acquired) : 'date unknown'],
    ['Image', p.scene ?? `scene ${p.scene_id}`],
    ['Centre', centre],
    ['Size on the ground', size],
    ['Empty (no data)', typeof p.nodata_fraction === 'number' ? `${(p.nodata_fraction * 100).toFixed(0)} % of the chip` : '—'],
  ];
  const dl = $('details-props');
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: String(v) })]),
    el('dt', { textContent: 'Download' }),
    el('dd', {}, el('a', { href: api.url(`/chips/${id}`), textContent: 'GeoJSON', target: '_blank', rel: 'noopener' }), ' · ',
      el('a', { href: api.thumbnailUrl(id, 1024), textContent: 'PNG', target: '_blank', rel: 'noopener' })));
  dl.title = `pyramid level ${p.level}, column ${p.col}, row ${p.row}; pixel window ${p.window ?? '—'}`;
  renderHere(id, feature);
  const canFeedBack = !!(state.q.trim() || state.like.length);
  $('act-more').setAttribute('aria-pressed', String(state.like.includes(id)));
  $('act-less').setAttribute('aria-pressed', String(state.unlike.includes(id)));
  $('act-less').disabled = !canFeedBack && !state.unlike.includes(id);
  $('act-less').title = canFeedBack ? 'Rank chips like this one lower' : '“Less like this” needs a text query or a “more like this” chip first';
  loadLabels(id, controller.signal);
}

async function loadLabels(id, signal) {
  const labels = currentLabels();
  const status = $('labels-status');
  const list = $('details-labels');
  if (labels.length === 0) { status.textContent = 'No labels: add some in Settings.'; return; }
  const key = `${id}|${state.model}`;
  status.dataset.state = 'loading';
  status.replaceChildren(el('span', { className: 'spinner', ariaHidden: 'true' }), 'Classifying…');
  try {
    let answer = labelCache.get(key);
    if (!answer) {
      answer = await api.classifyChip(id, labels, state.model, signal);
      labelCache.set(key, answer);
    }
    if (signal.aborted) return;
    const top = [...(answer.labels ?? [])].sort((a, b) => b.score - a.score).slice(0, 5);
    const max = Math.max(...top.map((l) => l.score), 1e-9);
    list.replaceChildren(...top.map((l) => el('li', {},
      el('span', { className: 'label', textContent: l.label }),
      el('span', { className: 'bar' }, el('span', { style: `width:${Math.max(2, (l.score / max) * 100).toFixed(1)}%` })),
      el('span', { className: 'value', textContent: l.score.toFixed(3) }))));
    status.dataset.state = 'done';
    status.textContent = `best ${top.length} of ${labels.length} labels${answer.model ? ` · ${answer.model}` : ''}`;
  } catch (e) {
    if (signal.aborted || e?.name === 'AbortError') return;
    status.dataset.state = 'error';
    const hint = e instanceof ApiError && e.status === 401 ? ' Set the API key in Settings.' : '';
    status.textContent = `${e instanceof ApiError ? `${e.title}: ${e.detail ?? ''}` : e.message}${hint}`;
  }
}

$('act-more').addEventListener('click', () => { state.similar = null; vote(state.chip, 'like'); });
$('act-less').addEventListener('click', () => { state.similar = null; vote(state.chip, 'unlike'); });
$('act-similar').addEventListener('click', () => {
  state.similar = state.chip;
  state.min = null;
  sliderBounds = null;
  commit({ keepChip: true });
});
$('act-zoom').addEventListener('click', () => map.zoomToFeature(state.chip));

// ---------- change view (only when the server offers the "changes" collection) ----------

let changeFeatures = [];

function renderTabs() {
  const changes = state.tab === 'changes';
  $('tab-search').setAttribute('aria-pressed', String(!changes));
  $('tab-changes').setAttribute('aria-pressed', String(changes));
  $('gallery').hidden = changes;
  $('changes-view').hidden = !changes;
  $('changes-list').hidden = !changes;
  $('search-button').textContent = changes ? 'Find changes' : 'Search';
  if (changes) { $('library').hidden = true; $('results-tools').hidden = true; $('threshold').hidden = true; }
  if (!changes) map.showSwipe(null);
}
$('tab-search').addEventListener('click', () => {
  if (state.tab === 'search') return;
  state.tab = 'search';
  renderTabs();
  commit({ keepChip: true, fit: false });
});
$('tab-changes').addEventListener('click', () => {
  if (state.tab === 'changes') return;
  state.tab = 'changes';
  state.chip = null;
  closeDetails({ keepUrl: true });
  renderTabs();
  commit({ fit: false });
});

/** The earlier and later chip of a change feature, whichever way the server names them. */
function changePair(p) {
  const side = (name) => {
    const v = p?.[name];
    if (v && typeof v === 'object') return { id: v.id ?? v.chip_id, acquired: v.acquired };
    const id = p?.[`${name}_id`] ?? p?.[`${name}_chip`] ?? p?.[`${name}_chip_id`];
    return id != null ? { id, acquired: p?.[`${name}_acquired`] } : null;
  };
  return { before: side('before'), after: side('after') };
}

/** Finds changes for the current area, dates and text (GET /changes); the view's area when no box is set. */
async function runChanges() {
  searchController?.abort();
  const controller = new AbortController();
  searchController = controller;
  renderTabs();
  renderFeedback();
  const bbox = state.bbox ?? map.viewBbox().map((v) => Math.round(v * 1e5) / 1e5);
  const params = { bbox: formatBboxText(bbox), from: state.from || undefined, to: state.to || undefined, q: state.q.trim() || undefined };
  setStatus('loading', `Looking for changes${state.bbox ? '' : ' in the map view'}…`);
  try {
    const fc = await api.changes(params, controller.signal);
    if (controller.signal.aborted) return;
    clearError();
    const features = Array.isArray(fc.features) ? fc.features : [];
    changeFeatures = features.map((f, i) => ({ ...f, id: f.id ?? `change-${i}`, properties: { ...f.properties, score: f.properties?.score ?? f.properties?.change } }));
    results = [];
    range = scoreRange(changeFeatures);
    map.setResults({ type: 'FeatureCollection', features: changeFeatures }, range);
    renderLegend();
    $('changes-list').replaceChildren(...changeFeatures.map((f, i) => {
      const p = f.properties ?? {};
      const { before, after } = changePair(p);
      const thumb = (c, what) => c ? el('figure', {}, el('img', { src: api.thumbnailUrl(c.id, 128), alt: `${what}: chip ${c.id}`, width: 96, height: 96, loading: 'lazy' }),
        el('figcaption', { textContent: `${what}: ${formatDay(c.acquired)}` })) : null;
      const facts = [
        typeof p.change === 'number' ? `change ${p.change.toFixed(2)}` : null,
        typeof p.text_score === 'number' ? `matches the text ${p.text_score.toFixed(2)}` : null,
        typeof p.iou === 'number' ? `overlap ${(p.iou * 100).toFixed(0)} %` : null,
      ].filter(Boolean).join(' · ');
      const item = el('button', { type: 'button', className: 'change card' },
        el('span', { className: 'pair' }, thumb(before, 'before'), thumb(after, 'after')),
        el('span', { className: 'meta' }, el('span', { className: 'rank', textContent: `#${i + 1}` }), el('span', { className: 'sub', textContent: facts })));
      item.dataset.id = String(f.id);
      item.addEventListener('mouseenter', () => map.setHighlight(f.id, null));
      item.addEventListener('focus', () => map.setHighlight(f.id, null));
      item.addEventListener('click', () => selectChange(f.id));
      return el('li', {}, item);
    }));
    const n = changeFeatures.length;
    setStatus(n ? 'done' : 'empty', n ? `${n} changed place${n === 1 ? '' : 's'}${state.from || state.to ? `, ${state.from ? formatDay(state.from) : 'earliest'} → ${state.to ? formatDay(state.to) : 'latest'}` : ''}` : 'No changes found between these dates here. Pick an area imaged on two or more dates.', n);
    if (n) map.fitResults({ onlyIfNoneVisible: true, duration: 0 });
  } catch (e) {
    if (e?.name === 'AbortError' || controller.signal.aborted) return;
    changeFeatures = [];
    map.setResults({ type: 'FeatureCollection', features: [] }, null);
    $('changes-list').replaceChildren();
    setStatus('error', 'Change detection failed; see the message above.', 0);
    showError(e);
  }
}

/** Opens one change on the map: its before and after images on the footprint with a swipe between them. */
function selectChange(id) {
  const f = changeFeatures.find((x) => x.id === id);
  if (!f) return;
  for (const c of $('changes-list').querySelectorAll('[aria-current]')) c.removeAttribute('aria-current');
  $('changes-list').querySelector(`button[data-id="${id}"]`)?.setAttribute('aria-current', 'true');
  const { before, after } = changePair(f.properties);
  map.setHighlight(null, id);
  map.zoomToFeature(id);
  if (before && after) {
    map.showSwipe({ bbox: f.bbox, before: api.thumbnailUrl(before.id, 512), after: api.thumbnailUrl(after.id, 512) });
    $('swipe').hidden = false;
    $('swipe-before').textContent = `◀ before: ${formatDay(before.acquired)}`;
    $('swipe-after').textContent = `after: ${formatDay(after.acquired)} ▶`;
    $('swipe-range').value = '50';
    map.setSwipe(0.5);
  }
}
$('swipe-range').addEventListener('input', () => map.setSwipe(Number($('swipe-range').value) / 100));
$('swipe-close').addEventListener('click', () => { map.showSwipe(null); $('swipe').hidden = true; });

// ---------- the library (shown while there is nothing to search) ----------

function renderLibrary(scenes, names = new Map()) {
  const places = new Map();
  for (const s of scenes) {
    if (!s.bbox) continue;
    const key = s.bbox.map((v) => v.toFixed(2)).join(',');
    const place = places.get(key) ?? { bbox: s.bbox, names: [], dates: [], chips: 0, sensors: new Set(), scene: s };
    place.names.push(s.properties?.name ?? `scene ${s.id}`);
    if (s.properties?.acquired) place.dates.push(String(s.properties.acquired).slice(0, 10));
    if (s.properties?.sensor) place.sensors.add(s.properties.sensor);
    place.chips += s.properties?.chip_count ?? 0;
    places.set(key, place);
  }
  const chips = [...places.values()].reduce((n, p) => n + p.chips, 0);
  $('library-summary').textContent = `${scenes.length} image${scenes.length === 1 ? '' : 's'} of ${places.size} place${places.size === 1 ? '' : 's'}, ${chips.toLocaleString('en')} chips. Choose a place to look at it:`;
  $('library-list').replaceChildren(...[...places.values()].map((p) => {
    const dates = [...new Set(p.dates)].sort();
    const years = [...new Set(dates.map((d) => d.slice(0, 4)))];
    const when = dates.length === 0 ? 'date unknown' : years.length === 1 ? (dates.length === 1 ? formatDay(dates[0]) : `${years[0]}, ${dates.length} dates`) : `${years[0]}–${years.at(-1)}, ${dates.length} dates`;
    const where = names.get(p.scene.id) ?? null;
    const title = [where ?? p.names[0], [...p.sensors].join(', ') || null, dates.length ? (years.length === 1 ? years[0] : `${years[0]}–${years.at(-1)}`) : null].filter(Boolean).join(' · ');
    return el('li', {}, el('button', { type: 'button', className: 'place', onclick: () => map.fitBbox(p.bbox, { duration: 400 }) },
      el('span', { className: 'title', textContent: title }),
      el('span', { className: 'sub', textContent: `${when} · ${p.chips.toLocaleString('en')} chips · ${p.names[0]}${p.names.length > 1 ? ` +${p.names.length - 1}` : ''}` })));
  }));
}

// ---------- keyboard ----------

document.addEventListener('keydown', (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? '');
  if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    $('q').focus();
    $('q').select();
  } else if (e.key === 'Escape') {
    if (map.isDrawing()) setDrawing(false);
    else if (!$('details').hidden) closeDetails();
    else if (!$('error').hidden) clearError();
  }
});

// ---------- start ----------

async function start() {
  const linkedView = !!state.view; // before the map's first moveend writes one
  controlsFromState();
  map.setBbox(state.bbox);
  if (state.bbox) $('draw-bbox').textContent = 'Edit box';
  map.setImageryFilter({ datetime: datetimeOf(state) });
  if (state.view) map.setViewState(state.view);
  else if (state.bbox) map.fitBbox(state.bbox);

  const [models, scenes, collections] = await Promise.allSettled([api.models(), api.scenes(), api.collections()]);
  if (models.status === 'fulfilled') {
    const select = $('model');
    select.replaceChildren(el('option', { value: '', textContent: 'default' }),
      ...models.value.map((m) => el('option', { value: m.name, textContent: `${m.name}${m.is_default ? ' (default)' : ''} · ${m.family}, ${m.dimension}-d` })));
  } else showError(models.reason);
  if (scenes.status === 'fulfilled') {
    libraryScenes = scenes.value;
    map.setScenes(scenes.value);
    renderLibrary(scenes.value);
    // Place names from the bundled Natural Earth countries (a chunk loaded after the page).
    placeNames(scenes.value).then((names) => renderLibrary(scenes.value, names)).catch(() => {});
  } else showError(scenes.reason);
  // Feature detection from the OGC collections (no probe that logs a 400): the Changes tab when "changes" exists.
  const list = collections.status === 'fulfilled' ? collections.value : [];
  const chips = list.find((c) => c.id === 'chips');
  libraryExtent = chips?.extent?.spatial?.bbox?.[0] ?? null;
  if (list.some((c) => c.id === 'changes')) { $('tab-changes').hidden = false; $('tabs').hidden = false; }
  else if (state.tab === 'changes') state.tab = 'search';
  fillDates();
  if (!linkedView && !state.bbox && libraryExtent) map.fitBbox(libraryExtent, { maxZoom: 12 });
  renderTabs();
  fitOnNextResult = linkedView ? false : 'always'; // a shared link without a view: show its results
  if (state.tab === 'changes') await runChanges(); else await run();
  document.body.dataset.ready = 'true';
}

start().catch(showError);
