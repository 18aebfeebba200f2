// A stand-in for `rsgeo serve` for developing the page without a database: the documented endpoints with the
// JSON shapes of src/RsGeoSearch.Api, over a made-up library of 3 scenes, plus dist/ at /.
// Not used by tests/web.test.sh, which runs against the real server.
//   node test/mock-api.mjs [port]
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';

const port = Number(process.argv[2] ?? 8765);
const dist = join(import.meta.dirname, '..', 'dist');

const scenes = [
  { id: 1, name: 'm_4709963_se_14_1_20090818.tif', acquired: '2009-08-18T00:00:00Z', bbox: [-99.0, 47.0, -98.94, 47.05], color: [70, 140, 60] },
  { id: 2, name: 'm_4709963_se_14_1_20200831.tif', acquired: '2020-08-31T00:00:00Z', bbox: [-99.0, 47.0, -98.94, 47.05], color: [90, 120, 160] },
  { id: 3, name: '1056417_2017-03-08_RE3_3A_Visual_clip.tif', acquired: '2017-03-08T00:00:00Z', bbox: [-122.45, 37.75, -122.38, 37.8], color: [160, 150, 120] },
];
const chips = [];
for (const s of scenes) {
  const [x0, y0, x1, y1] = s.bbox;
  for (const level of [0, 1]) {
    const n = level === 0 ? 4 : 2;
    for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) {
      const w = (x1 - x0) / n, h = (y1 - y0) / n;
      const b = [x0 + c * w, y1 - (r + 1) * h, x0 + (c + 1) * w, y1 - r * h];
      chips.push({ id: chips.length + 1, scene: s, level, col: c, row: r, bbox: b });
    }
  }
}
const words = ['lake', 'farmland', 'forest', 'river', 'city', 'bridge'];
const score = (chip, q) => {
  let h = 0;
  for (const ch of `${q}|${chip.id}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return Math.round(((h % 1000) / 1000) * 0.4 * 1e6) / 1e6 + 0.1;
};

function chipFeature(chip, base, s) {
  const [a, b, c, d] = chip.bbox;
  return {
    type: 'Feature', id: chip.id, bbox: chip.bbox,
    geometry: { type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] },
    properties: {
      ...(s === undefined ? {} : { score: s }), acquired: chip.scene.acquired, scene_id: chip.scene.id, scene: chip.scene.name,
      level: chip.level, col: chip.col, row: chip.row, window: `${chip.col * 224},${chip.row * 224},224,224`, nodata_fraction: 0, thumbnail: `${base}/chips/${chip.id}.png`,
    },
  };
}

function png(size, [r, g, b], seed) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const o = y * (size * 3 + 1) + 1 + x * 3;
    const v = ((x * 7 + y * 13 + seed * 29) % 40) - 20;
    raw[o] = r + v; raw[o + 1] = g + v; raw[o + 2] = b + v;
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const send = (res, status, body, type = 'application/json') => {
  res.writeHead(status, { 'Content-Type': type });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
};
const problem = (res, status, detail, parameter) => send(res, status, { type: 'about:blank', title: status === 404 ? 'Not found' : 'Bad request', status, detail, parameter }, 'application/problem+json');

function filter(url) {
  const bbox = url.searchParams.get('bbox')?.split(',').map(Number);
  const dt = url.searchParams.get('datetime');
  let [from, to] = dt ? (dt.includes('/') ? dt.split('/') : [dt, dt]) : ['..', '..'];
  return chips.filter((c) => {
    if (bbox && (c.bbox[2] < bbox[0] || c.bbox[0] > bbox[2] || c.bbox[3] < bbox[1] || c.bbox[1] > bbox[3])) return false;
    const day = c.scene.acquired.slice(0, 10);
    if (from && from !== '..' && day < from.slice(0, 10)) return false;
    if (to && to !== '..' && day > to.slice(0, 10)) return false;
    return true;
  });
}

function page(res, url, base, list, ranked) {
  const limit = Number(url.searchParams.get('limit') ?? 10);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const items = list.slice(offset, offset + limit);
  const links = [{ href: url.href, rel: 'self', type: 'application/geo+json' }];
  if (offset + items.length < list.length) {
    const next = new URL(url.href); next.searchParams.set('offset', String(offset + items.length));
    links.push({ href: next.href, rel: 'next', type: 'application/geo+json' });
  }
  send(res, 200, { type: 'FeatureCollection', numberMatched: list.length, numberReturned: items.length, links, model: 'rsgeo-mini',
    features: items.map(({ chip, s }) => chipFeature(chip, base, ranked ? s : undefined)) }, 'application/geo+json');
}

http.createServer(async (req, res) => {
  const base = `http://${req.headers.host}`;
  const url = new URL(req.url, base);
  const p = url.pathname;
  try {
    if (p === '/search' || p === '/ogc/collections/chips/items') {
      const q = url.searchParams.get('q') ?? '';
      const like = url.searchParams.get('like') ?? '';
      if (q.length > 1000) return problem(res, 400, `q is ${q.length} characters long; at most 1000`, 'q');
      const ranked = !!(q || like || p === '/search');
      let list = filter(url).map((chip) => ({ chip, s: q || like ? score(chip, q + like + (url.searchParams.get('unlike') ?? '')) : null }));
      if (q || like) list.sort((a, b) => b.s - a.s);
      return page(res, url, base, list, ranked);
    }
    let m;
    if ((m = p.match(/^\/chips\/(\d+)\/similar$/))) {
      const id = Number(m[1]);
      if (!chips[id - 1]) return problem(res, 404, `chip ${id} does not exist`);
      return page(res, url, base, filter(url).map((chip) => ({ chip, s: score(chip, `sim${id}`) })).sort((a, b) => b.s - a.s), true);
    }
    if ((m = p.match(/^\/chips\/(\d+)\.png$/))) {
      const chip = chips[Number(m[1]) - 1];
      if (!chip) return problem(res, 404, 'no such chip');
      return send(res, 200, png(Math.min(256, Number(url.searchParams.get('size') ?? 256)), chip.scene.color, chip.id), 'image/png');
    }
    if ((m = p.match(/^\/chips\/(\d+)$/))) {
      const chip = chips[Number(m[1]) - 1];
      return chip ? send(res, 200, chipFeature(chip, base), 'application/geo+json') : problem(res, 404, `chip ${m[1]} does not exist`);
    }
    if (p === '/classify' && req.method === 'POST') {
      for await (const _ of req); // drain
      return send(res, 200, { model: 'rsgeo-mini', labels: words.map((label, i) => ({ label, score: 0.5 / (i + 1), cosine: 0.3 / (i + 1) })) });
    }
    if (p === '/changes') {
      const a = chips.filter((c) => c.scene.id === 1 && c.level === 0), b = chips.filter((c) => c.scene.id === 2 && c.level === 0);
      return send(res, 200, { type: 'FeatureCollection', features: a.slice(0, 5).map((c, i) => ({ ...chipFeature(c, base), id: i + 1,
        properties: { score: 0.5 - i * 0.05, change: 0.5 - i * 0.05, iou: 1, before_chip: c.id, after_chip: b[i].id, before_acquired: c.scene.acquired, after_acquired: b[i].scene.acquired } })) }, 'application/geo+json');
    }
    if (p === '/models') return send(res, 200, { models: [{ name: 'rsgeo-mini', family: 'rsgeo', dimension: 256, is_default: true }] });
    if (p === '/scenes') {
      return send(res, 200, { type: 'FeatureCollection', numberMatched: scenes.length, numberReturned: scenes.length, links: [], features: scenes.map((s) => {
        const [a, b, c, d] = s.bbox;
        return { type: 'Feature', id: s.id, bbox: s.bbox, geometry: { type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] },
          properties: { name: s.name, acquired: s.acquired, acquired_source: 'filename', crs: 'EPSG:32614', width: 934, height: 724, bands: 4, chip_count: 20 } };
      }) }, 'application/geo+json');
    }
    const chipsCollection = { id: 'chips', extent: { spatial: { bbox: [[-122.45, 37.75, -98.94, 47.05]] }, temporal: { interval: [['2009-08-18T00:00:00Z', '2020-08-31T00:00:00Z']] } } };
    if (p === '/ogc/collections/chips') return send(res, 200, chipsCollection);
    if (p === '/ogc/collections') return send(res, 200, { collections: [chipsCollection, { id: 'scenes' }, { id: 'changes' }] });
    // static dist/
    const file = normalize(join(dist, p === '/' ? 'index.html' : decodeURIComponent(p)));
    if (!file.startsWith(dist)) return problem(res, 404, 'nothing here');
    const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
    try {
      return send(res, 200, await readFile(file), types[extname(file)] ?? 'application/octet-stream');
    } catch {
      return problem(res, 404, `nothing at ${p}`);
    }
  } catch (e) {
    return send(res, 500, { title: 'Internal server error', status: 500, detail: String(e) }, 'application/problem+json');
  }
}).listen(port, '127.0.0.1', () => console.log(`mock RsGeoSearch API on http://127.0.0.1:${port}`));
