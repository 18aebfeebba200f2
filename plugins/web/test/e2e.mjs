// End-to-end test of the web page in headless Chromium (Debian's /usr/bin/chromium through playwright-core; no
// browser is ever downloaded) against a running RsGeoSearch server that serves the built page at /.
//
//   RSGEO_URL=http://127.0.0.1:8080 node test/e2e.mjs
//
// Environment: RSGEO_URL (required), RSGEO_ARTIFACTS (screenshots; default ../../artifacts/web),
// CHROMIUM (default /usr/bin/chromium), RSGEO_QUERY (default "farmland").
// Prints one line per check and, last, "N passed, N failed"; exits non-zero on any failure.
import { chromium } from 'playwright-core';
import { mkdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseHash, searchParams, resultMode, groupByPlace, formatDay } from '../src/state.js';

const BASE = (process.env.RSGEO_URL ?? '').replace(/\/+$/, '');
const ARTIFACTS = resolve(process.env.RSGEO_ARTIFACTS ?? join(import.meta.dirname, '..', '..', '..', 'artifacts', 'web'));
const QUERY = process.env.RSGEO_QUERY ?? 'farmland';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const W = 1400;
const H = 900;

let passed = 0;
let failed = 0;
const failures = [];

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`ok    ${name}${note ? ` — ${note}` : ''} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL  ${name}: ${e?.stack ?? e}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function equal(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function getJson(path) {
  const response = await fetch(`${BASE}${path}`, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`GET ${path} → ${response.status} ${JSON.stringify(body)}`);
  return body;
}

function query(params) {
  return new URLSearchParams(params).toString().replace(/%2C/g, ',');
}

/** Waits until the page has finished a search: the status says done, empty or error. */
async function settled(page, timeout = 60_000) {
  await page.waitForFunction(() => {
    const s = document.getElementById('status').dataset.state;
    return s === 'done' || s === 'empty' || s === 'error' || s === 'idle';
  }, null, { timeout, polling: 100 });
  // Debounced imagery/URL updates and a possible follow-up search; then wait again.
  await page.waitForTimeout(300);
  await page.waitForFunction(() => document.getElementById('status').dataset.state !== 'loading', null, { timeout, polling: 100 });
}

/** What the page shows: status, gallery ids, footprints on the map, the URL state. */
async function shown(page) {
  return page.evaluate(() => ({
    state: document.getElementById('status').dataset.state,
    status: document.getElementById('status').textContent,
    count: Number(document.getElementById('status').dataset.count ?? -1),
    ids: [...document.querySelectorAll('#gallery button.card')].map((b) => Number(b.dataset.id)),
    footprints: Number(document.getElementById('map').dataset.footprints),
    hash: location.hash,
    error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent.trim(),
  }));
}

/** The API's answer for the page's current URL state, asked the same way the page asks. */
async function apiAnswer(hash) {
  const s = parseHash(hash);
  const params = searchParams(s);
  return resultMode(s) === 'similar' ? getJson(`/chips/${s.similar}/similar?${query(params)}`) : getJson(`/search?${query(params)}`);
}

/** The cards the page should show for an API answer: one per place (its best chip), in rank order. */
const leaders = (features) => groupByPlace(features).map((g) => g.lead.id);

/** Waits until the chip details show chip `id`. */
async function detailsOf(page, id, timeout = 5000) {
  await page.locator(`#details[data-chip="${id}"]`).waitFor({ state: 'visible', timeout });
  await page.waitForFunction((x) => /chip \d+/.test(document.getElementById('details-title').textContent) && document.getElementById('details').dataset.chip === String(x), id, { timeout });
}

/** The map's view extent in EPSG:3857 metres, from the URL's view and the map's size. */
async function viewExtent(page) {
  const v = parseHash(await page.evaluate(() => location.hash)).view;
  const box = await page.locator('#map').boundingBox();
  const res = 156543.03392804097 / 2 ** v.zoom;
  const cx = mercX(v.lon);
  const cy = mercY(v.lat);
  return { v, box, res, extent: [cx - (box.width / 2) * res, cy - (box.height / 2) * res, cx + (box.width / 2) * res, cy + (box.height / 2) * res] };
}

/** The page pixel of a lon/lat point. */
async function pixelOf(page, lon, lat) {
  const { v, box, res } = await viewExtent(page);
  return [box.x + box.width / 2 + (mercX(lon) - mercX(v.lon)) / res, box.y + box.height / 2 - (mercY(lat) - mercY(v.lat)) / res];
}

/** ogrinfo's summary of a file (GDAL opens it or this throws). */
function ogrinfo(file, extra = [], summary = true) {
  return execFileSync('ogrinfo', ['-ro', ...(summary ? ['-so'] : []), '-al', ...extra, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

// Web Mercator helpers, to place the view on a scene and to find a footprint's pixel.
const R = 6378137;
const mercX = (lon) => (lon * Math.PI * R) / 180;
const mercY = (lat) => R * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));

async function main() {
  if (!BASE) {
    console.log('RSGEO_URL is not set');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  await mkdir(ARTIFACTS, { recursive: true });

  // What the library holds, from the API itself.
  const scenes = (await getJson('/scenes?limit=1000')).features;
  const dated = scenes.filter((s) => s.properties.acquired && s.bbox);
  assert(dated.length > 0, 'the library has no dated scenes; ingest some rasters first');
  // The target: a scene whose place was imaged on several dates, if any (then the date filter matters), else the largest.
  const key = (s) => s.bbox.map((v) => v.toFixed(3)).join(',');
  const perPlace = new Map();
  for (const s of dated) perPlace.set(key(s), (perPlace.get(key(s)) ?? 0) + 1);
  const target = [...dated].sort((a, b) => (perPlace.get(key(b)) - perPlace.get(key(a))) || (b.properties.chip_count - a.properties.chip_count))[0];
  const day = target.properties.acquired.slice(0, 10);
  const libraryDates = [...new Set(dated.map((s) => s.properties.acquired.slice(0, 10)))].sort();
  console.log(`target scene ${target.id} ${target.properties.name} ${day}; ${scenes.length} scenes, ${libraryDates.length} dates`);

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS, timeout: 60_000 });
  const context = await browser.newContext({ viewport: { width: W, height: H } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text()); });

  // Start with the view on the target scene, filling about 60% of the map's width.
  const [x0, y0, x1, y1] = target.bbox;
  const lon = (x0 + x1) / 2;
  const lat = (y0 + y1) / 2;
  await page.goto(`${BASE}/`, { waitUntil: 'domcontentloaded' });
  const mapBox = await page.locator('#map').boundingBox();
  const width3857 = mercX(x1) - mercX(x0);
  const zoom = Math.log2((0.6 * mapBox.width * 156543.03392804097) / width3857);
  await page.goto(`${BASE}/#view=${lon.toFixed(6)},${lat.toFixed(6)},${zoom.toFixed(3)}`, { waitUntil: 'load' });
  await page.reload({ waitUntil: 'load' }); // a fresh start from the link, not a hash change of the first page

  await check('the page loads from the server at / with the library (models, dates, scenes)', async () => {
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    const models = await page.locator('#model option').count();
    const apiModels = (await getJson('/models')).models;
    equal(models, 1 + apiModels.length, 'model selector options ("default" + GET /models)');
    const from = await page.locator('#date-from option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    for (const d of libraryDates) assert(from.includes(d), `date ${d} of the library is not offered (${from.join(' ')})`);
    const err = await page.locator('#error').isHidden();
    assert(err, `an error is shown: ${await page.locator('#error').textContent()}`);
    return `${apiModels.length} model(s) listed, ${from.length} dates`;
  });

  await check('offline base map, attribution, mouse coordinates, and the library named by country and sensor', async () => {
    await page.waitForFunction(() => document.getElementById('map').dataset.basemap === 'ready', null, { timeout: 30_000 });
    const attribution = await page.locator('.ol-attribution').textContent();
    assert(/Natural Earth/.test(attribution), `attribution: ${attribution}`);
    const box = await page.locator('#map').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2 + 3);
    const coords = await page.locator('.ol-mouse-position').textContent();
    assert(/\d+\.\d{4}° [NS], \d+\.\d{4}° [EW]/.test(coords), `mouse position: "${coords}"`);
    // Places: "<country> · <sensor> · <years>", computed from the footprints (Natural Earth) and the server's sensor.
    await page.waitForFunction(() => [...document.querySelectorAll('#library-list .place .title')].some((t) => t.textContent.includes('·')), null, { timeout: 30_000 });
    const titles = await page.locator('#library-list .place .title').allTextContents();
    const sensors = [...new Set(scenes.map((x) => x.properties.sensor).filter(Boolean))];
    assert(sensors.length > 0, 'the server names no sensor for any scene');
    for (const sensor of sensors) assert(titles.some((t) => t.includes(sensor)), `no place names the sensor ${sensor}: ${titles.join(' | ')}`);
    if (scenes.some((x) => x.properties.name === 'm_4709963_se_14_1_20090818.tif'))
      assert(titles.some((t) => /^United States of America · NAIP · 2009–2020$/.test(t)), `North Dakota NAIP: ${titles.join(' | ')}`);
    if (scenes.some((x) => x.properties.name === '1985.tif' && x.bbox[1] < 0))
      assert(titles.some((t) => /^Peru · Landsat · 1985–2020$/.test(t)), `Pucallpa: ${titles.join(' | ')}`);
    await page.screenshot({ path: join(ARTIFACTS, 'library.png') });
    return titles.join(' | ');
  });

  await check('type a query, draw a box on the map, set dates: results match the API', async () => {
    const view = parseHash(await page.evaluate(() => location.hash)).view;
    await page.locator('#q').fill(QUERY);
    await page.locator('#q').press('Enter');
    await settled(page);
    // A new search zooms to its results (all over the library); go back to the target scene to draw there. The
    // zoom may land after the first reset on a loaded machine, so reset until the view stays.
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.evaluate((v) => { location.hash = location.hash.replace(/view=[^&]*/, `view=${v}`); }, [view.lon, view.lat, view.zoom].join(','));
      await settled(page);
      await page.waitForTimeout(500);
      const now = parseHash(await page.evaluate(() => location.hash)).view;
      if (Math.abs(now.lon - view.lon) < 1e-3 && Math.abs(now.lat - view.lat) < 1e-3 && Math.round(now.zoom) === Math.round(view.zoom)) break;
    }
    await page.locator('#draw-bbox').click();
    const box = await page.locator('#map').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const half = box.width * 0.22;
    await page.mouse.move(cx - half, cy - half * 0.8);
    await page.mouse.down();
    await page.mouse.move(cx, cy, { steps: 5 });
    await page.mouse.move(cx + half, cy + half * 0.8, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById('bbox').value !== '', null, { timeout: 5000 });
    await settled(page);
    await page.keyboard.press('Escape'); // end drawing
    const bbox = (await page.locator('#bbox').inputValue()).split(',').map(Number);
    assert(bbox.length === 4 && bbox[0] < bbox[2] && bbox[1] < bbox[3], `bbox ${bbox}`);
    assert(bbox[0] > x0 - 0.5 && bbox[2] < x1 + 0.5, `the drawn box ${bbox} is not over the target scene ${target.bbox}`);
    // The date lists offer the dates of the imagery in the drawn area only.
    const inBox = (x) => !(x.bbox[0] > bbox[2] || x.bbox[2] < bbox[0] || x.bbox[1] > bbox[3] || x.bbox[3] < bbox[1]);
    const areaDates = [...new Set(dated.filter(inBox).map((x) => x.properties.acquired.slice(0, 10)))].sort();
    const offered = await page.locator('#date-from option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    equal(offered, areaDates, 'dates offered for the drawn area');
    assert(areaDates.length < libraryDates.length, 'the area holds every date of the library; the check proves nothing');
    await page.locator('#date-from').selectOption(day);
    await settled(page);
    await page.locator('#date-to').selectOption(day);
    await settled(page);
    const s = await shown(page);
    const p = parseHash(s.hash);
    equal(p.q, QUERY, 'q in the URL');
    equal([p.from, p.to], [day, day], 'dates in the URL');
    assert(p.bbox, 'bbox in the URL');
    const api = await apiAnswer(s.hash);
    const apiIds = api.features.map((f) => f.id);
    assert(apiIds.length > 0, `the API returns no chips for ${s.hash}; pick another query or area`);
    equal(s.state, 'done', 'status');
    equal(s.ids, leaders(api.features), 'gallery (one card per place, in rank order) vs GET /search');
    equal(s.footprints, apiIds.length, 'footprints on the map');
    equal(s.count, apiIds.length, 'count in the status line');
    for (const f of api.features) equal(f.properties.acquired.slice(0, 10), day, `chip ${f.id} date`);
    return `${apiIds.length} results, "${s.status}"`;
  });

  await check('hovering a footprint on the map highlights the same chip in the gallery; clicking it opens that chip', async () => {
    const s = await shown(page);
    const api = await apiAnswer(s.hash);
    const f = api.features[0];
    const [a, b, c, d] = f.bbox;
    // Pixel of the footprint's centre, from the map's view (hash) and size.
    const v = parseHash(await page.evaluate(() => location.hash)).view;
    const res = 156543.03392804097 / 2 ** v.zoom;
    const box = await page.locator('#map').boundingBox();
    const px = box.x + box.width / 2 + (mercX((a + c) / 2) - mercX(v.lon)) / res;
    const py = box.y + box.height / 2 - (mercY((b + d) / 2) - mercY(v.lat)) / res;
    await page.mouse.move(px, py);
    await page.mouse.move(px + 1, py + 1);
    const hovered = await page.waitForFunction(() => document.querySelector('#gallery .card.hover')?.dataset.id, null, { timeout: 5000 }).then((h) => h.jsonValue());
    const ids = api.features.filter((g) => g.bbox[0] <= (a + c) / 2 && (a + c) / 2 <= g.bbox[2] && g.bbox[1] <= (b + d) / 2 && (b + d) / 2 <= g.bbox[3]).map((g) => g.id);
    assert(ids.includes(Number(hovered)), `hovered card ${hovered} is not a chip under the pointer (${ids})`);
    // A click on the footprint opens that chip and marks its card.
    await page.mouse.click(px + 1, py + 1);
    await detailsOf(page, Number(hovered));
    equal(await page.locator('#gallery button.card[aria-current="true"]').getAttribute('data-id'), hovered, 'card of the clicked footprint');
    await page.locator('#details-close').click();
    await page.mouse.move(5, 5);
    return `chip ${hovered}`;
  });

  let chipId;
  await check('clicking a result shows its details and zero-shot labels', async () => {
    const card = page.locator('#gallery button.card').first();
    chipId = Number(await card.getAttribute('data-id'));
    await card.click();
    await detailsOf(page, chipId);
    const chip = await getJson(`/chips/${chipId}`);
    const props = await page.locator('#details-props').textContent();
    assert(props.includes(chip.properties.scene), `details do not name the scene ${chip.properties.scene}: ${props}`);
    assert(props.includes(formatDay(chip.properties.acquired)), `details do not show the acquisition date ${formatDay(chip.properties.acquired)}: ${props}`);
    assert(!/T\d\d:\d\d:\d\dZ|Pixel window/.test(props), `raw timestamps or jargon in the details: ${props}`);
    // The chip's own image is drawn on its footprint.
    await page.waitForFunction((x) => document.getElementById('map').dataset.chipImage === String(x), chipId, { timeout: 5000 });
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('labels-status').dataset.state), null, { timeout: 60_000 });
    const labelsState = await page.locator('#labels-status').getAttribute('data-state');
    const labels = await page.locator('#details-labels li').count();
    assert(labelsState === 'done' && labels >= 1, `zero-shot labels: ${labelsState} ${await page.locator('#labels-status').textContent()}`);
    equal(parseHash(await page.evaluate(() => location.hash)).chip, chipId, 'chip in the URL');
    const naturalWidth = await page.locator('#details-img').evaluate((img) => img.complete && img.naturalWidth);
    assert(naturalWidth > 0, 'the chip thumbnail did not load');
    await page.screenshot({ path: join(ARTIFACTS, 'search.png') });
    return `chip ${chipId}; top label "${(await page.locator('#details-labels li .label').first().textContent())}"`;
  });

  await check('the URL is a shareable link: a fresh page shows the same results and chip', async () => {
    const url = page.url();
    const before = await shown(page);
    const other = await context.newPage();
    await other.goto(url, { waitUntil: 'load' });
    await other.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await settled(other);
    const after = await shown(other);
    equal(after.ids, before.ids, 'results of the shared link');
    await detailsOf(other, chipId);
    equal(await other.locator('#q').inputValue(), QUERY, 'query box');
    await other.close();
  });

  await check('"more like this" sends relevance feedback (like=) and the results follow the API', async () => {
    await page.locator('#act-more').click();
    await settled(page);
    const s = await shown(page);
    const p = parseHash(s.hash);
    equal(p.like, [chipId], 'like in the URL');
    const api = await apiAnswer(s.hash);
    equal(s.ids, leaders(api.features), 'results with like=');
    await page.locator('#feedback-list li').first().waitFor();
    // The labelled example is shown as its thumbnail.
    await page.waitForFunction(() => [...document.querySelectorAll('#feedback-list li img')].some((i) => i.complete && i.naturalWidth > 0), null, { timeout: 10_000 });
    return `${s.ids.length} results`;
  });

  await check('"less like this" on another chip (unlike=)', async () => {
    const ids = (await shown(page)).ids;
    const other = ids.find((id) => id !== chipId);
    assert(other, 'only one result; nothing to push away');
    await page.locator(`#gallery button.card[data-id="${other}"]`).click();
    await detailsOf(page, other);
    await page.locator('#act-less').click();
    await settled(page);
    const s = await shown(page);
    equal(parseHash(s.hash).unlike, [other], 'unlike in the URL');
    equal(s.ids, leaders((await apiAnswer(s.hash)).features), 'results with unlike=');
  });

  await check('"similar chips" applies the + / − examples (GET /search like=chip,+… unlike=−…)', async () => {
    chipId = Number(await page.locator('#gallery button.card').first().getAttribute('data-id'));
    const before = parseHash(await page.evaluate(() => location.hash));
    await page.locator(`#gallery button.card[data-id="${chipId}"]`).click();
    await detailsOf(page, chipId);
    await page.locator('#act-similar').click();
    await settled(page);
    const s = await shown(page);
    const p = parseHash(s.hash);
    equal(p.similar, chipId, 'similar in the URL');
    equal([p.like, p.unlike], [before.like, before.unlike], 'the examples stay');
    const params = searchParams(p);
    equal(params.like.split(',').map(Number), [chipId, ...before.like.filter((x) => x !== chipId)], 'like= of the request');
    const api = await apiAnswer(s.hash);
    equal(s.ids, leaders(api.features), 'similar chips');
    equal(s.footprints, api.features.length, 'footprints of similar chips');
    assert(s.ids.length > 0, 'no similar chips');
    return `${s.ids.length} places, ${api.features.length} chips`;
  });

  const hasChanges = await page.locator('#tab-changes').isVisible();
  if (hasChanges) {
    const changesShown = async (p) => {
      const s = parseHash(await p.evaluate(() => location.hash));
      const params = { bbox: s.bbox.join(','), from: s.from, to: s.to, q: s.q };
      const api = await getJson(`/changes?${query(params)}`);
      equal(await p.locator('#changes-list li').count(), api.features.length, 'changes listed');
      equal(Number(await p.locator('#map').getAttribute('data-footprints')), api.features.filter((f) => f.geometry).length, 'change footprints');
      equal(await p.locator('#tab-changes').getAttribute('aria-pressed'), 'true', 'the Changes tab is the current one');
      return api;
    };
    await check('the change view lists what GET /changes returns; Enter there finds changes; a shared &tab=changes link reloads into it', async () => {
      const placeDates = dated.filter((s) => key(s) === key(target)).map((s) => s.properties.acquired.slice(0, 10)).sort();
      if (await page.locator('#feedback-clear').isVisible()) await page.locator('#feedback-clear').click();
      await settled(page);
      await page.locator('#date-from').selectOption(placeDates[0]);
      await settled(page);
      await page.locator('#date-to').selectOption(placeDates.at(-1));
      await settled(page);
      await page.locator('#tab-changes').click();
      await settled(page);
      assert(parseHash(await page.evaluate(() => location.hash)).tab === 'changes', 'tab=changes in the URL');
      const api = await changesShown(page);
      // The explanation of the numbers and the filters are on screen (no scrolling) at 1400×900.
      for (const sel of ['#changes-view', '#date-from', '#search-button']) {
        const b = await page.locator(sel).boundingBox();
        assert(b && b.y >= 0 && b.y + b.height <= H, `${sel} is off-screen: ${JSON.stringify(b)}`);
      }
      assert(/how different/.test(await page.locator('#changes-view').textContent()), 'no explanation of the numbers');
      // Enter in the search box while on Changes: the changes follow the text; the tab stays.
      await page.locator('#q').fill('water');
      await page.locator('#q').press('Enter');
      await settled(page);
      equal(parseHash(await page.evaluate(() => location.hash)).q, 'water', 'q after Enter');
      await changesShown(page);
      // Before/after comparison: the first change opens as a swipe on the map.
      if (api.features.length) {
        await page.locator('#changes-list button.change').first().click();
        await page.locator('#swipe').waitFor({ state: 'visible' });
        equal(await page.locator('#map').getAttribute('data-swipe'), 'on', 'before/after swipe on the map');
        await page.locator('#swipe-range').evaluate((el) => { el.value = '30'; el.dispatchEvent(new Event('input', { bubbles: true })); });
        await page.waitForTimeout(1500);
        await page.screenshot({ path: join(ARTIFACTS, 'changes.png') });
      }
      // A fresh page from the shared link shows the changes, not "Loading the library…".
      const other = await context.newPage();
      const requests = [];
      other.on('response', (r) => { if (r.status() >= 400) requests.push(`${r.status()} ${r.url()}`); });
      await other.goto(page.url(), { waitUntil: 'load' });
      await other.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
      await settled(other);
      assert(!/Loading the library/.test(await other.locator('#status').textContent()), 'stuck at "Loading the library…"');
      await changesShown(other);
      equal(requests, [], 'failed requests on load (feature detection must not probe with a 400)');
      await other.close();
      await page.locator('#tab-search').click();
      await settled(page);
      equal(await page.locator('#changes-list').isHidden(), true, 'change list hidden on the Results tab');
      return `${api.features.length} changes between ${placeDates[0]} and ${placeDates.at(-1)}`;
    });
  } else {
    console.log('skip  the change view: this server has no "changes" collection');
  }


  await check('overlapping footprints: the best-ranked is drawn on top, a click opens it and lists the dates on that spot', async () => {
    if (await page.locator('#feedback-clear').isVisible()) await page.locator('#feedback-clear').click();
    await settled(page);
    const [a, b, c, d] = target.bbox;
    await page.goto(`${BASE}/#q=${encodeURIComponent(QUERY)}&bbox=${[a, b, c, d].map((v) => v.toFixed(5)).join(',')}`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' }); // a fresh start from the link, not a hash change of the page
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await settled(page);
    await page.waitForFunction(() => /view=/.test(location.hash), null, { timeout: 5000 });
    const s = await shown(page);
    const api = await apiAnswer(s.hash);
    // A spot covered by several results of different dates: the centre of a result that shares its place with others.
    const rank = new Map(api.features.map((f, i) => [f.id, i]));
    const groups = groupByPlace(api.features).filter((g) => g.members.length > 1);
    assert(groups.length > 0, `no place with several dates among ${api.features.length} results; ingest a place imaged on several dates`);
    const worst = groups[0].members.at(-1);
    const [x0, y0, x1, y1] = worst.bbox;
    const cx = (x0 + x1) / 2; const cy = (y0 + y1) / 2;
    const under = api.features.filter((f) => f.bbox[0] <= cx && cx <= f.bbox[2] && f.bbox[1] <= cy && cy <= f.bbox[3]);
    const best = under.reduce((p, q) => (rank.get(q.id) < rank.get(p.id) ? q : p));
    assert(best.id !== worst.id, 'the spot is not shared');
    const [px, py] = await pixelOf(page, cx, cy);
    await page.mouse.click(px, py);
    await detailsOf(page, best.id);
    equal(await page.locator('#map').getAttribute('data-chip-image'), String(best.id), "chip image drawn on the map");
    const spot = await page.locator('#details-here-list button.date').evaluateAll((bs) => bs.map((x) => Number(x.dataset.id)));
    assert(spot.includes(worst.id) && spot.includes(best.id), `the dates on this spot ${spot} miss ${worst.id} or ${best.id}`);
    // The card of that place carries the dates as a strip.
    const strip = await page.locator(`#gallery li.result:has(button.card[data-id="${groups[0].lead.id}"]) button.date`).count();
    equal(strip, groups[0].members.length, 'dates in the strip of the place');
    // Another date from the list opens that chip and draws its own image.
    await page.locator(`#details-here-list button.date[data-id="${worst.id}"]`).click();
    await detailsOf(page, worst.id);
    await page.waitForFunction((x) => document.getElementById('map').dataset.chipImage === String(x), worst.id, { timeout: 5000 });
    await page.screenshot({ path: join(ARTIFACTS, 'overlap.png') });
    return `spot of ${under.length} results: opened #${rank.get(best.id) + 1} (chip ${best.id}), not #${rank.get(worst.id) + 1}`;
  });

  await check('a new search without an area zooms to its results; "Zoom to results" brings them back', async () => {
    await page.goto(`${BASE}/#view=0,0,2`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await page.locator('#q').fill(QUERY);
    await page.locator('#q').press('Enter');
    await settled(page);
    await page.waitForTimeout(400);
    const api = await apiAnswer((await shown(page)).hash);
    const ext = [Math.min(...api.features.map((f) => mercX(f.bbox[0]))), Math.min(...api.features.map((f) => mercY(f.bbox[1]))),
      Math.max(...api.features.map((f) => mercX(f.bbox[2]))), Math.max(...api.features.map((f) => mercY(f.bbox[3])))];
    const fits = async () => {
      const { extent } = await viewExtent(page);
      const inside = ext[0] >= extent[0] && ext[1] >= extent[1] && ext[2] <= extent[2] && ext[3] <= extent[3];
      const share = Math.max((ext[2] - ext[0]) / (extent[2] - extent[0]), (ext[3] - ext[1]) / (extent[3] - extent[1]));
      return { inside, share };
    };
    let f = await fits();
    assert(f.inside && f.share > 0.2, `after the search the view does not frame the results: inside=${f.inside}, they fill ${(f.share * 100).toFixed(1)} %`);
    await page.evaluate(() => { location.hash = location.hash.replace(/view=[^&]*/, 'view=10,10,4'); });
    await page.waitForTimeout(500);
    f = await fits();
    assert(!f.inside, 'the view did not move away');
    await page.locator('#zoom-results').click();
    await page.waitForTimeout(800);
    f = await fits();
    assert(f.inside && f.share > 0.2, `"Zoom to results" does not frame them: inside=${f.inside}, ${(f.share * 100).toFixed(1)} %; view ${JSON.stringify((await viewExtent(page)).extent)}, results ${JSON.stringify(ext)}`);
    return `results fill ${(f.share * 100).toFixed(0)} % of the view`;
  });

  await check('the minimum-score slider hides weaker results at once with a live count, then asks the server (min_score)', async () => {
    const before = await shown(page);
    const api = await apiAnswer(before.hash);
    const scores = api.features.map((f) => f.properties.score).sort((x, y) => x - y);
    const cut = scores[Math.floor(scores.length / 2)];
    const expected = scores.filter((v) => v >= cut).length;
    await page.locator('#min-score').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, cut);
    const live = await page.locator('#threshold-count').textContent();
    const shownNow = Number(live.match(/^(\d+) of/)?.[1]);
    assert(Math.abs(shownNow - expected) <= 1 && shownNow < api.features.length, `live count "${live}", expected about ${expected} of ${api.features.length}`);
    await page.locator('#min-score').evaluate((el) => el.dispatchEvent(new Event('change', { bubbles: true })));
    await settled(page);
    const s = await shown(page);
    const p = parseHash(s.hash);
    assert(p.min != null && Math.abs(p.min - cut) < 0.002, `min in the URL: ${p.min}`);
    const after = await apiAnswer(s.hash);
    assert(after.features.every((f) => f.properties.score >= p.min), 'the API returned chips under min_score');
    equal(s.ids, leaders(after.features), 'results with min_score');
    equal(s.count, after.features.length, 'count in the status line');
    assert(/scoring ≥/.test(s.status), `status: ${s.status}`);
    await page.screenshot({ path: join(ARTIFACTS, 'threshold.png') });
    return `${before.count} → ${s.count} results (min_score ${p.min})`;
  });

  await check('+ / − on the result cards label examples; results and examples export as GeoJSON, CSV and GeoPackage that GDAL opens', async () => {
    const cards = page.locator('#gallery li.result');
    const n = await cards.count();
    equal(await page.locator('#gallery li.result .vote').count(), 2 * n, '+ and − on every card');
    const plus = Number(await cards.nth(0).locator('button.card').getAttribute('data-id'));
    await cards.nth(0).locator('.vote.plus').click();
    await settled(page);
    const minus = Number(await page.locator('#gallery li.result').nth(1).locator('button.card').getAttribute('data-id'));
    await page.locator('#gallery li.result').nth(1).locator('.vote.minus').click();
    await settled(page);
    const p = parseHash(await page.evaluate(() => location.hash));
    equal([p.like, p.unlike], [[plus], [minus]], 'like / unlike in the URL');
    const results = (await shown(page));
    const files = {};
    for (const what of ['results', 'labelled']) {
      for (const format of ['geojson', 'csv', 'gpkg']) {
        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: 30_000 }),
          page.locator(`button[data-export="${what}"][data-format="${format}"]`).click(),
        ]);
        const file = join(ARTIFACTS, `export-${what}.${format}`);
        await download.saveAs(file);
        const info = ogrinfo(file, format === 'csv' ? ['-oo', 'GEOM_POSSIBLE_NAMES=wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO'] : []);
        const count = Number(info.match(/Feature Count: (\d+)/)?.[1]);
        const want = what === 'labelled' ? 2 : results.count;
        equal(count, want, `features in ${what}.${format}`);
        const geometries = format === 'csv' ? ogrinfo(file, ['-oo', 'GEOM_POSSIBLE_NAMES=wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO'], false) : info;
        assert(/Polygon/i.test(geometries), `${what}.${format} has no polygons: ${info}`);
        files[`${what}.${format}`] = count;
      }
    }
    const csv = await readFile(join(ARTIFACTS, 'export-labelled.csv'), 'utf8');
    assert(csv.split('\r\n')[0].startsWith('id,rank,score,label,acquired'), `CSV header: ${csv.split('\r\n')[0]}`);
    // The labelling session survives a reload (it lives in the URL).
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await settled(page);
    equal(await page.locator('#feedback-list li').count(), 2, 'examples after a reload');
    return Object.entries(files).map(([k, v]) => `${k}: ${v}`).join(', ');
  });

  await check('Draw box → Done → Clear leaves no box on the map', async () => {
    await page.locator('#draw-bbox').click();
    const box = await page.locator('#map').boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById('bbox').value !== '', null, { timeout: 5000 });
    await page.locator('#draw-bbox').click(); // Done
    await settled(page);
    equal(await page.locator('#map').getAttribute('data-drawing'), 'false', 'drawing ended');
    equal(await page.locator('#map').getAttribute('data-boxes'), '1', 'the committed box');
    await page.locator('#clear-bbox').click();
    await settled(page);
    await page.waitForTimeout(300);
    equal(await page.locator('#map').getAttribute('data-boxes'), '0', 'boxes after Clear');
    equal(await page.locator('#map').getAttribute('data-drawing'), 'false', 'the draw tool (its own box and handle) is off the map');
    equal(await page.locator('#draw-bbox').textContent(), 'Draw box', 'button text');
  });


  await check('a date filter says how many undated chips it leaves out, and can include them', async () => {
    const undated = scenes.filter((x) => !x.properties.acquired);
    if (undated.length === 0) return 'skipped: no undated scene in the library';
    const first = libraryDates[0];
    const last = libraryDates.at(-1);
    await page.goto(`${BASE}/#q=${encodeURIComponent(QUERY)}&from=${first}&to=${last}&limit=200`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await settled(page);
    await page.locator('#undated-row').waitFor({ state: 'visible', timeout: 5000 });
    const chips = undated.reduce((n, x) => n + x.properties.chip_count, 0);
    const text = await page.locator('#undated-row').textContent();
    assert(text.includes(`${chips.toLocaleString('en')} chip`), `"${text.trim()}" does not say ${chips} chips without a date`);
    const before = await shown(page);
    await page.locator('#include-undated').check();
    await settled(page);
    const after = await shown(page);
    assert(parseHash(after.hash).undated, 'undated=1 in the URL');
    const dated = await apiAnswer(before.hash);
    const all = await getJson(`/search?${query({ q: QUERY, limit: '200' })}`);
    const expected = [...dated.features, ...all.features.filter((f) => !f.properties.acquired)]
      .sort((a, b) => b.properties.score - a.properties.score).slice(0, 200);
    equal(after.count, expected.length, 'results with the undated chips');
    // The server's relevance threshold may leave out every undated chip for this query; then the count stays.
    const undatedExpected = expected.filter((f) => !f.properties.acquired).length;
    equal(after.count - before.count, undatedExpected, 'the undated chips the server answers with are added');
    const unknown = await page.locator('#gallery button.card .title', { hasText: 'date unknown' }).count();
    assert(undatedExpected === 0 || unknown > 0, 'no card says "date unknown"');
    await page.locator('#include-undated').uncheck();
    await settled(page);
    return `${before.count} dated → ${after.count} with ${chips} undated chips`;
  });

  await check('keyboard: / focuses the search, arrows move through results, Enter opens, Esc closes', async () => {
    if (await page.locator('#feedback-clear').isVisible()) await page.locator('#feedback-clear').click();
    await settled(page);
    if (await page.locator('#details').isVisible()) await page.locator('#details-close').click();
    await page.locator('body').click({ position: { x: 5, y: H - 5 } }).catch(() => {});
    await page.keyboard.press('/');
    equal(await page.evaluate(() => document.activeElement.id), 'q', 'focus after /');
    await page.keyboard.type(QUERY);
    await page.keyboard.press('Enter');
    await settled(page);
    const ids = (await shown(page)).ids;
    assert(ids.length >= 2, `need two results, have ${ids.length}`);
    await page.locator('#gallery button.card').first().focus();
    await page.keyboard.press('ArrowDown');
    equal(await page.evaluate(() => Number(document.activeElement.dataset.id)), ids[1], 'focus after ArrowDown');
    await page.keyboard.press('Enter');
    await detailsOf(page, ids[1]);
    await page.keyboard.press('Escape');
    await page.locator('#details').waitFor({ state: 'hidden' });
    equal(await page.evaluate(() => Number(document.activeElement.dataset.id)), ids[1], 'focus returns to the card');
  });

  await check('an empty result says so', async () => {
    await page.goto(`${BASE}/#q=${encodeURIComponent(QUERY)}&bbox=-30,-50,-29.9,-49.9&view=-29.95,-49.95,10`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await settled(page);
    const s = await shown(page);
    equal(s.state, 'empty', 'status');
    equal(s.ids.length, 0, 'gallery');
    assert(/no chips/i.test(s.status), `status text: ${s.status}`);
  });

  await check('server errors are shown to the user (problem+json detail), not only in the console', async () => {
    await page.locator('#bbox').fill('1,2,3');
    await page.locator('#bbox').press('Enter');
    await page.locator('#error').waitFor({ state: 'visible' });
    assert(/not valid/.test(await page.locator('#error').textContent()), 'client-side bbox message');
    await page.locator('#error-close').click();
    // A request the server refuses: a text of more than 1000 characters → 400 problem+json naming q.
    await page.evaluate(() => { const q = document.getElementById('q'); q.removeAttribute('maxlength'); q.value = 'z'.repeat(1200); });
    await page.locator('#search-button').click();
    await page.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    const text = await page.locator('#error').textContent();
    const direct = await fetch(`${BASE}/search?q=${'z'.repeat(1200)}&limit=25`);
    const problem = await direct.json();
    equal(direct.status, 400, 'API status for an over-long q');
    assert(text.includes(problem.detail), `the page shows "${text.trim()}", the API said "${problem.detail}"`);
    equal(await page.locator('#status').getAttribute('data-state'), 'error', 'status');
    return text.trim().slice(0, 90);
  });

  await check('the layer module example (OGC items with q) shows what /ogc/collections/chips/items returns', async () => {
    const items = await getJson(`/ogc/collections/chips/items?q=${encodeURIComponent(QUERY)}&limit=7`);
    await page.goto(`${BASE}/example.html?q=${encodeURIComponent(QUERY)}&limit=7`, { waitUntil: 'load' });
    await page.waitForFunction(() => Number(document.getElementById('map').dataset.features) > 0, null, { timeout: 60_000 });
    const n = Number(await page.locator('#map').getAttribute('data-features'));
    equal(n, items.features.length, 'features of the layer');
    return `${n} features`;
  });


  await check('phone (390×844, touch): no horizontal overflow, Search and Changes reachable, touch targets ≥ 24 px, no "Esc" hints', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const p = await phone.newPage();
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${BASE}/#q=${encodeURIComponent(QUERY)}`, { waitUntil: 'load' });
    await p.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    await settled(p);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 390, `the page is ${width} px wide`);
    const search = await p.locator('#search-button').boundingBox();
    assert(search && search.x >= 0 && search.x + search.width <= 390, `Search button at ${JSON.stringify(search)}`);
    if (hasChanges) assert(await p.locator('#tab-changes').isVisible(), 'the Changes tab is not shown on phones');
    const small = await p.evaluate(() => [...document.querySelectorAll('button, select, input, a.ol-attribution, .ol-control button')]
      .filter((e) => e.offsetParent !== null && e.getClientRects().length)
      .map((e) => ({ id: e.id || e.className || e.textContent.trim().slice(0, 12), r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24) && r.top < innerHeight * 3)
      .map(({ id, r }) => `${id} ${r.width.toFixed(0)}×${r.height.toFixed(0)}`));
    equal(small, [], 'controls smaller than 24×24 px');
    const text = await p.evaluate(() => document.body.innerText);
    assert(!/Esc/.test(text), 'an "Esc" hint is shown on a touch device');
    await p.screenshot({ path: join(ARTIFACTS, 'phone.png') });
    await phone.close();
    return `${width} px wide`;
  });

  await check('contrast: focus ring ≥ 3:1 against the page, "Done" and body text ≥ 4.5:1', async () => {
    await page.goto(`${BASE}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    const ratios = await page.evaluate(() => {
      const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
      const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
      const draw = document.getElementById('draw-bbox');
      draw.setAttribute('aria-pressed', 'true');
      const done = ratio(getComputedStyle(draw).color, getComputedStyle(draw).backgroundColor);
      draw.setAttribute('aria-pressed', 'false');
      const focus = getComputedStyle(document.documentElement).getPropertyValue('--focus');
      const ringColours = focus.match(/#[0-9a-f]{6}|rgba?\([^)]*\)/gi) ?? [];
      const hex = (h) => (h.startsWith('#') ? `rgb(${parseInt(h.slice(1, 3), 16)},${parseInt(h.slice(3, 5), 16)},${parseInt(h.slice(5, 7), 16)})` : h);
      const ring = Math.max(...ringColours.map((c) => ratio(hex(c), 'rgb(255,255,255)')));
      const ringDark = Math.max(...ringColours.map((c) => ratio(hex(c), 'rgb(23,33,46)')));
      const muted = ratio(getComputedStyle(document.querySelector('.hint')).color, 'rgb(255,255,255)');
      return { done, ring, ringDark, muted };
    });
    assert(ratios.done >= 4.5, `"Done": ${ratios.done.toFixed(2)}:1`);
    assert(ratios.ring >= 3 && ratios.ringDark >= 3, `focus ring: ${ratios.ring.toFixed(2)}:1 on white, ${ratios.ringDark.toFixed(2)}:1 on the top bar`);
    assert(ratios.muted >= 4.5, `hint text: ${ratios.muted.toFixed(2)}:1`);
    return Object.entries(ratios).map(([k, v]) => `${k} ${v.toFixed(1)}:1`).join(', ');
  });

  await check('no uncaught errors in the page', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });

  await browser.close();
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL  e2e setup: ${e?.stack ?? e}`);
}
if (failures.length) console.log(`failed: ${failures.join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
