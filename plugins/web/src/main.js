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
  parseHash, formatHash, resultMode, searchParams, datetimeOf, parseBbox, formatBboxText, LIMITS,
} from './state.js';
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
const labelCache = new Map();

const map = new SearchMap($('map'), {
  baseUrl: api.base,
  onHover: (id) => setHover(id, { fromMap: true }),
  onSelect: (id) => (state.tab === 'changes' ? map.zoomToFeature(id) : select(id)),
  onBbox: (bbox) => { state.bbox = bbox; $('bbox').value = formatBboxText(bbox); commit(); },
  onView: () => { state.view = map.getViewState(); writeUrl('replace'); },
  onError: (e) => showError(e),
});

// ---------- errors and status ----------

function showError(e) {
  if (e?.name === 'AbortError') return;
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
  run();
}
window.addEventListener('popstate', onUrlChanged);
window.addEventListener('hashchange', onUrlChanged);

/** After a user change: record it in the URL and run the search again. */
function commit({ keepChip = false } = {}) {
  if (!keepChip) state.chip = null;
  writeUrl('push');
  map.setImageryFilter({ datetime: datetimeOf(state) });
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
  renderFeedback();
  renderTabs();
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(el('option', { value, textContent: value }));
}

function fillDates(dates) {
  for (const [id, first] of [['date-from', 'earliest'], ['date-to', 'latest']]) {
    const select = $(id);
    select.replaceChildren(el('option', { value: '', textContent: first }),
      ...dates.map(([d, n]) => el('option', { value: d, textContent: `${d}${n > 1 ? `  (${n} scenes)` : ''}` })));
  }
  controlsFromState();
}

$('limit').append(...LIMITS.map((n) => el('option', { value: String(n), textContent: String(n) })));

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.q = $('q').value.trim();
  state.similar = null;
  state.tab = 'search';
  fitOnNextResult = state.bbox ? false : 'if-hidden';
  commit();
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
map.setBasemap($('basemap').value.trim());
$('basemap').addEventListener('change', () => {
  const url = $('basemap').value.trim();
  if (url && !/^https?:\/\/.+\{z\}.*\{x\}.*\{y\}/.test(url)) {
    showError(new ApiError({ status: 400, title: 'The base map URL is not valid', detail: 'use an http(s) XYZ template with {z}, {x} and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png' }));
    return;
  }
  store.set('basemap', url);
  map.setBasemap(url);
});
$('apikey').addEventListener('change', () => { api.apiKey = $('apikey').value; store.set('apikey', api.apiKey); labelCache.clear(); });
$('labels').addEventListener('change', () => { store.set('labels', $('labels').value.trim() === DEFAULT_LABELS.join(', ') ? '' : $('labels').value.trim()); labelCache.clear(); });
$('show-imagery').addEventListener('change', (e) => map.setLayerVisible('imagery', e.target.checked));
$('show-scenes').addEventListener('change', (e) => map.setLayerVisible('scenes', e.target.checked));

function currentLabels() {
  return $('labels').value.split(/[,\n]/).map((s) => s.trim()).filter(Boolean).slice(0, 200);
}

// ---------- relevance feedback tokens ----------

function renderFeedback() {
  const list = $('feedback-list');
  const token = (text, title, remove) => el('li', {}, el('span', { textContent: text }),
    el('button', { type: 'button', className: 'x', textContent: '×', ariaLabel: `Remove: ${title}`, title: `Remove: ${title}`, onclick: remove }));
  const items = [
    ...state.like.map((id) => token(`+ chip ${id}`, `more like chip ${id}`, () => { state.like = state.like.filter((x) => x !== id); commit({ keepChip: true }); })),
    ...state.unlike.map((id) => token(`− chip ${id}`, `less like chip ${id}`, () => { state.unlike = state.unlike.filter((x) => x !== id); commit({ keepChip: true }); })),
  ];
  if (state.similar) items.unshift(token(`similar to chip ${state.similar}`, 'similar chips (back to the search)', () => { state.similar = null; commit({ keepChip: true }); }));
  list.replaceChildren(...items);
  $('feedback').hidden = items.length === 0;
  $('feedback-title').textContent = state.similar ? 'Showing' : 'Relevance feedback';
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
    setStatus('idle', 'Describe what to find, draw an area or pick dates.', 0);
    if (state.chip) showDetails(state.chip);
    return;
  }
  setStatus('loading', mode === 'similar' ? `Finding chips similar to chip ${state.similar}…` : 'Searching…');
  try {
    const params = searchParams(state);
    const fc = mode === 'similar' ? await api.similar(state.similar, params, controller.signal) : await api.search(params, controller.signal);
    if (controller.signal.aborted) return;
    clearError();
    results = Array.isArray(fc.features) ? fc.features : [];
    range = scoreRange(results);
    map.setResults({ type: 'FeatureCollection', features: results }, range);
    renderGallery();
    renderLegend();
    const n = results.length;
    if (n === 0) {
      setStatus('empty', mode === 'browse' ? 'No chips in this area and time range.' : 'No chips match. Try a larger area, more dates or other words.', 0);
    } else {
      const matched = typeof fc.numberMatched === 'number' && fc.numberMatched > n ? ` of ${fc.numberMatched.toLocaleString('en')} in the filter` : '';
      const what = mode === 'similar' ? `similar to chip ${state.similar}` : mode === 'browse' ? 'chips (no text: listed by id)' : (n === 1 ? 'result' : 'results');
      setStatus('done', `${n} ${what}${matched}${fc.model ? ` · ${fc.model}` : ''}`, n);
    }
    if (fitOnNextResult) map.fitResults({ onlyIfNoneVisible: fitOnNextResult === 'if-hidden' });
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
  $('legend').hidden = !range;
  if (!range) return;
  $('legend-min').textContent = range.min.toFixed(3);
  $('legend-max').textContent = range.max.toFixed(3);
  $('legend-ramp').style.background = scoreGradientCss();
}

function formatDate(iso) {
  return iso ? String(iso).slice(0, 10) : 'date unknown';
}

function renderGallery() {
  const gallery = $('gallery');
  const cards = results.map((f, i) => {
    const p = f.properties ?? {};
    const color = scoreColor(p.score, range);
    const img = el('img', { src: api.thumbnailUrl(f.id, 128), alt: '', loading: 'lazy', width: 96, height: 96 });
    img.addEventListener('error', () => img.classList.add('broken'), { once: true });
    const button = el('button', { type: 'button', className: 'card' },
      img,
      el('span', { className: 'meta' },
        el('span', { className: 'rank', textContent: `#${i + 1}` }),
        el('span', { className: 'title', textContent: `Chip ${f.id}` }),
        typeof p.score === 'number'
          ? el('span', { className: 'score' }, el('span', { className: 'swatch', style: `background:rgb(${color.join(',')})` }), `score ${p.score.toFixed(3)}`)
          : null,
        el('span', { className: 'sub', textContent: `${formatDate(p.acquired)} · ${p.scene ?? 'scene ' + p.scene_id}` })));
    button.dataset.id = String(f.id);
    button.setAttribute('aria-label', `Result ${i + 1}: chip ${f.id}${typeof p.score === 'number' ? `, score ${p.score.toFixed(3)}` : ''}, ${formatDate(p.acquired)}, ${p.scene ?? ''}`);
    button.addEventListener('mouseenter', () => setHover(f.id));
    button.addEventListener('mouseleave', () => setHover(null));
    button.addEventListener('focus', () => setHover(f.id));
    button.addEventListener('blur', () => setHover(null));
    button.addEventListener('click', (e) => select(f.id, { focusDetails: e.detail === 0 }));
    if (f.id === state.chip) button.setAttribute('aria-current', 'true');
    return el('li', {}, button);
  });
  gallery.replaceChildren(...cards);
  gallery.dataset.count = String(cards.length);
}

$('gallery').addEventListener('keydown', (e) => {
  const cards = [...$('gallery').querySelectorAll('button.card')];
  const i = cards.indexOf(document.activeElement);
  if (i < 0) return;
  const next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: cards.length - 1 }[e.key];
  if (next == null) return;
  e.preventDefault();
  cards[Math.max(0, Math.min(cards.length - 1, next))].focus();
});

function cardOf(id) {
  return $('gallery').querySelector(`button.card[data-id="${id}"]`);
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

// ---------- chip details ----------

function select(id, { focusDetails = false } = {}) {
  state.chip = id;
  writeUrl('push');
  for (const c of $('gallery').querySelectorAll('button.card[aria-current]')) c.removeAttribute('aria-current');
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
  if (focus) panel.focus();
  if (!feature) {
    try {
      feature = await api.chip(id, controller.signal);
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
  const img = $('details-img');
  img.src = api.thumbnailUrl(id, 256);
  img.alt = `Chip ${id}: ${p.scene ?? ''}, ${formatDate(p.acquired)}`;
  const bbox = feature.bbox ? feature.bbox.map((v) => v.toFixed(5)).join(', ') : '—';
  const rows = [
    ['Score', typeof p.score === 'number' ? p.score.toFixed(4) : '—'],
    ['Acquired', p.acquired ?? 'unknown'],
    ['Scene', `${p.scene ?? ''} (#${p.scene_id})`],
    ['Level / col / row', `${p.level} / ${p.col} / ${p.row}`],
    ['Pixel window', p.window ?? '—'],
    ['No-data', typeof p.nodata_fraction === 'number' ? `${(p.nodata_fraction * 100).toFixed(1)} %` : '—'],
    ['Footprint (lon/lat)', bbox],
  ];
  const dl = $('details-props');
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: String(v) })]),
    el('dt', { textContent: 'Links' }),
    el('dd', {}, el('a', { href: api.url(`/chips/${id}`), textContent: 'GeoJSON', target: '_blank', rel: 'noopener' }), ' · ',
      el('a', { href: api.thumbnailUrl(id, 1024), textContent: 'PNG', target: '_blank', rel: 'noopener' })));
  const canFeedBack = !!(state.q.trim() || state.like.length);
  $('act-more').disabled = state.like.includes(id);
  $('act-less').disabled = state.unlike.includes(id) || !canFeedBack;
  $('act-less').title = canFeedBack ? 'Relevance feedback: rank chips like this one lower' : '“Less like this” needs a text query or a “more like this” chip first';
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
    status.textContent = `top ${top.length} of ${labels.length} labels${answer.model ? ` · ${answer.model}` : ''}`;
  } catch (e) {
    if (signal.aborted || e?.name === 'AbortError') return;
    status.dataset.state = 'error';
    const hint = e instanceof ApiError && e.status === 401 ? ' Set the API key in Settings.' : '';
    status.textContent = `${e instanceof ApiError ? `${e.title}: ${e.detail ?? ''}` : e.message}${hint}`;
  }
}

$('act-more').addEventListener('click', () => {
  const id = state.chip;
  state.like = [...state.like.filter((x) => x !== id), id];
  state.unlike = state.unlike.filter((x) => x !== id);
  state.similar = null;
  commit({ keepChip: true });
});
$('act-less').addEventListener('click', () => {
  const id = state.chip;
  state.unlike = [...state.unlike.filter((x) => x !== id), id];
  state.like = state.like.filter((x) => x !== id);
  state.similar = null;
  commit({ keepChip: true });
});
$('act-similar').addEventListener('click', () => {
  state.similar = state.chip;
  commit({ keepChip: true });
});
$('act-zoom').addEventListener('click', () => map.zoomToFeature(state.chip));

// ---------- change view (only when the server has GET /changes) ----------

function renderTabs() {
  const changes = state.tab === 'changes';
  $('tab-search').setAttribute('aria-pressed', String(!changes));
  $('tab-changes').setAttribute('aria-pressed', String(changes));
  $('gallery').hidden = changes;
  $('changes-view').hidden = !changes;
}
$('tab-search').addEventListener('click', () => { state.tab = 'search'; renderTabs(); commit({ keepChip: true }); });
$('tab-changes').addEventListener('click', () => { state.tab = 'changes'; renderTabs(); writeUrl('push'); });
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

$('changes-run').addEventListener('click', async () => {
  const bbox = state.bbox ?? map.viewBbox().map((v) => Math.round(v * 1e5) / 1e5);
  const params = { bbox: formatBboxText(bbox), from: state.from || undefined, to: state.to || undefined, q: state.q.trim() || undefined };
  setStatus('loading', `Looking for changes${state.bbox ? '' : ' in the map view'}…`);
  try {
    const fc = await api.changes(params);
    clearError();
    const features = Array.isArray(fc.features) ? fc.features : [];
    const scored = features.map((f, i) => ({ ...f, id: f.id ?? `change-${i}`, properties: { ...f.properties, score: f.properties?.score ?? f.properties?.change } }));
    range = scoreRange(scored);
    map.setResults({ type: 'FeatureCollection', features: scored }, range);
    renderLegend();
    $('changes-list').replaceChildren(...scored.map((f, i) => {
      const p = f.properties ?? {};
      const { before, after } = changePair(p);
      const thumb = (c, what) => c ? el('figure', {}, el('img', { src: api.thumbnailUrl(c.id, 128), alt: `${what}: chip ${c.id}`, width: 96, height: 96, loading: 'lazy' }),
        el('figcaption', { textContent: `${what} ${formatDate(c.acquired)}` })) : null;
      const known = ['score', 'change', 'normalised_change', 'text_score', 'iou'].filter((k) => typeof p[k] === 'number');
      const facts = (known.length ? known.map((k) => [k, p[k]]) : Object.entries(p).filter(([, v]) => v != null && typeof v !== 'object').slice(0, 6))
        .map(([k, v]) => `${k.replace('_', ' ')}: ${typeof v === 'number' ? Math.round(v * 1000) / 1000 : v}`).join(' · ');
      const item = el('button', { type: 'button', className: 'change card' },
        el('span', { className: 'pair' }, thumb(before, 'before'), thumb(after, 'after')),
        el('span', { className: 'meta' }, el('span', { className: 'rank', textContent: `#${i + 1}` }), el('span', { className: 'sub', textContent: facts })));
      item.addEventListener('mouseenter', () => map.setHighlight(f.id, null));
      item.addEventListener('focus', () => map.setHighlight(f.id, null));
      item.addEventListener('click', () => map.zoomToFeature(f.id));
      return el('li', {}, item);
    }));
    setStatus(scored.length ? 'done' : 'empty', scored.length ? `${scored.length} change${scored.length === 1 ? '' : 's'}` : 'No changes found between these dates here.', scored.length);
    if (scored.length) map.fitResults({ onlyIfNoneVisible: true });
  } catch (e) {
    setStatus('error', 'Change detection failed; see the message above.', 0);
    showError(e);
  }
});

// ---------- the library (shown while there is nothing to search) ----------

function renderLibrary(scenes) {
  const places = new Map();
  for (const s of scenes) {
    if (!s.bbox) continue;
    const key = s.bbox.map((v) => v.toFixed(2)).join(',');
    const place = places.get(key) ?? { bbox: s.bbox, names: [], dates: [], chips: 0 };
    place.names.push(s.properties?.name ?? `scene ${s.id}`);
    if (s.properties?.acquired) place.dates.push(String(s.properties.acquired).slice(0, 10));
    place.chips += s.properties?.chip_count ?? 0;
    places.set(key, place);
  }
  const chips = [...places.values()].reduce((n, p) => n + p.chips, 0);
  $('library-summary').textContent = `${scenes.length} scene${scenes.length === 1 ? '' : 's'} in ${places.size} place${places.size === 1 ? '' : 's'}, ${chips.toLocaleString('en')} chips. Choose a place to look at it:`;
  $('library-list').replaceChildren(...[...places.values()].map((p) => {
    const dates = [...new Set(p.dates)].sort();
    const when = dates.length === 0 ? 'date unknown' : dates.length === 1 ? dates[0] : `${dates.length} dates, ${dates[0]} … ${dates.at(-1)}`;
    return el('li', {}, el('button', { type: 'button', className: 'place', onclick: () => map.fitBbox(p.bbox, { duration: 400 }) },
      el('span', { className: 'title', textContent: p.names[0] + (p.names.length > 1 ? ` +${p.names.length - 1}` : '') }),
      el('span', { className: 'sub', textContent: `${when} · ${p.chips} chips` })));
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

  const [models, scenes, collection, changes] = await Promise.allSettled([
    api.models(), api.scenes(), api.collection('chips'), api.hasChanges(),
  ]);
  if (models.status === 'fulfilled') {
    const select = $('model');
    select.replaceChildren(el('option', { value: '', textContent: 'default' }),
      ...models.value.map((m) => el('option', { value: m.name, textContent: `${m.name}${m.is_default ? ' (default)' : ''} · ${m.family}, ${m.dimension}-d` })));
  } else showError(models.reason);
  const dates = new Map();
  if (scenes.status === 'fulfilled') {
    map.setScenes(scenes.value);
    for (const s of scenes.value) {
      const d = s.properties?.acquired ? String(s.properties.acquired).slice(0, 10) : null;
      if (d) dates.set(d, (dates.get(d) ?? 0) + 1);
    }
    renderLibrary(scenes.value);
  } else showError(scenes.reason);
  if (collection.status === 'fulfilled') {
    libraryExtent = collection.value.extent?.spatial?.bbox?.[0] ?? null;
    const [a, b] = collection.value.extent?.temporal?.interval?.[0] ?? [];
    for (const t of [a, b]) if (t && !dates.has(String(t).slice(0, 10))) dates.set(String(t).slice(0, 10), 0);
  }
  fillDates([...dates.entries()].sort(([x], [y]) => x.localeCompare(y)));
  if (changes.status === 'fulfilled' && changes.value) { $('tab-changes').hidden = false; $('tabs').hidden = false; }
  if (!linkedView && !state.bbox && libraryExtent) map.fitBbox(libraryExtent, { maxZoom: 12 });
  renderTabs();
  fitOnNextResult = !linkedView && !state.bbox ? 'always' : false; // a shared link without a view: show its results
  await run();
  document.body.dataset.ready = 'true';
}

start().catch(showError);
