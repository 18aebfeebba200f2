// Builds the page (index.html) and the layer-module example (example.html) into dist/ with esbuild:
// one bundle per page (shared code split into a chunk), CSS extracted, HTML rewritten to the hashed files.
//   node scripts/build.mjs            production build (minified)
//   node scripts/build.mjs --watch    rebuild on change (serve dist/ with scripts/serve-dist.mjs)
import * as esbuild from 'esbuild';
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');
const pages = { index: 'src/main.js', example: 'src/example.js' };

/** Rewrites each page's <script type="module" src="./src/..."> to the built JS and CSS. */
const writeHtml = {
  name: 'html',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length || !result.metafile) return;
      for (const [page, entry] of Object.entries(pages)) {
        const [file, output] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === entry);
        const js = `./${relative(dist, join(root, file))}`;
        const css = output.cssBundle ? `./${relative(dist, join(root, output.cssBundle))}` : null;
        const html = await readFile(join(root, `${page}.html`), 'utf8');
        const tag = `<script type="module" src="./${entry}"></script>`;
        if (!html.includes(tag)) throw new Error(`${page}.html does not contain ${tag}`);
        const built = (css ? `<link rel="stylesheet" href="${css}">\n  ` : '') + `<script type="module" src="${js}"></script>`;
        await writeFile(join(dist, `${page}.html`), html.replace(tag, built));
      }
      const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
      console.log(`dist/: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} kB`);
    });
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const options = {
  absWorkingDir: root,
  entryPoints: Object.values(pages),
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  minify: !watch,
  sourcemap: watch,
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
  plugins: [writeHtml],
};
if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log('watching src/ …');
} else {
  await esbuild.build(options);
}
