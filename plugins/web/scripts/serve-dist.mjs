// Serves dist/ and forwards every other path to an RsGeoSearch server: the page on its own port, talking to the real
// API as if both came from one origin. tests/web.test.sh uses it only when `rsgeo serve` does not serve the page itself.
//   node test/serve-dist.mjs <port> <api-url>
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const [port, api] = [Number(process.argv[2]), new URL(process.argv[3])];
const dist = join(import.meta.dirname, '..', 'dist');
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function staticFile(pathname) {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
  const file = normalize(join(dist, rel));
  if (!file.startsWith(dist + sep)) return null;
  if (!(pathname === '/' || pathname.startsWith('/assets/') || /^\/[\w.-]+\.html$/.test(pathname))) return null;
  try {
    return { body: await readFile(file), type: types[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const file = req.method === 'GET' ? await staticFile(url.pathname) : null;
  if (file) {
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
    res.end(file.body);
    return;
  }
  const upstream = http.request({ host: api.hostname, port: api.port, method: req.method, path: req.url,
    headers: req.headers }, (up) => { // Host kept: the API writes links back to this server
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (e) => {
    res.writeHead(502, { 'Content-Type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Bad gateway', status: 502, detail: `the API at ${api.origin} does not answer (${e.code ?? e.message})` }));
  });
  req.pipe(upstream);
}).listen(port, '127.0.0.1', () => console.log(`serving ${dist} on http://127.0.0.1:${port}, API from ${api.origin}`));
