#!/usr/bin/env node
// Builds the demo image: packs demo/rootfs into a `docker save`-style tarball
// (classic layout: manifest.json, config, one layer.tar per layer) with two
// layers, the OS files and the application under usr/src/app, so the demo
// shows layer attribution. Deterministic (fixed mtimes, sorted entries).
// Usage: node scripts/build-demo-image.mjs [OUT.tar]   (default .vigil-demo/demo-image.tar)
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootfs = join(root, 'demo', 'rootfs');
const out = resolve(process.argv[2] ?? join(root, '.vigil-demo', 'demo-image.tar'));
const MTIME = new Date('2024-01-01T00:00:00Z');
const APP = 'usr/src/app';

function walk(dir, acc = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    acc.push({ rel: relative(rootfs, p).split('\\').join('/'), p, st });
    if (st.isDirectory()) walk(p, acc);
  }
  return acc;
}

function packLayer(entries) {
  return new Promise((res, rej) => {
    const pack = tar.pack();
    const chunks = [];
    pack.on('data', (c) => chunks.push(c));
    pack.on('end', () => res(Buffer.concat(chunks)));
    pack.on('error', rej);
    for (const e of entries) {
      const base = { name: e.rel, mode: e.st.mode & 0o7777, uid: 0, gid: 0, mtime: MTIME };
      if (e.st.isDirectory()) pack.entry({ ...base, type: 'directory' });
      else if (e.st.isSymbolicLink()) pack.entry({ ...base, type: 'symlink', linkname: readlinkSync(e.p) });
      else pack.entry(base, readFileSync(e.p));
    }
    pack.finalize();
  });
}

const sha = (b) => createHash('sha256').update(b).digest('hex');
const all = walk(rootfs);
const inApp = (rel) => rel === APP || rel.startsWith(`${APP}/`);
const appParents = new Set(['usr', 'usr/src']);
const layers = [
  { entries: all.filter((e) => !inApp(e.rel)), createdBy: '/bin/sh -c #(nop) ADD file:debian-12-demo-rootfs in / ' },
  { entries: all.filter((e) => inApp(e.rel) || appParents.has(e.rel)), createdBy: 'COPY app/ /usr/src/app/ # buildkit' },
];
const layerTars = [];
for (const l of layers) layerTars.push(await packLayer(l.entries));
const diffIds = layerTars.map((b) => `sha256:${sha(b)}`);
const config = {
  architecture: 'amd64',
  os: 'linux',
  created: MTIME.toISOString(),
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production'],
    Cmd: ['node', 'server.js'],
    WorkingDir: '/usr/src/app',
  },
  rootfs: { type: 'layers', diff_ids: diffIds },
  history: [
    { created: MTIME.toISOString(), created_by: layers[0].createdBy },
    { created: MTIME.toISOString(), created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    { created: MTIME.toISOString(), created_by: layers[1].createdBy },
  ],
};
const configBytes = Buffer.from(JSON.stringify(config));
const configName = `${sha(configBytes)}.json`;
const manifest = [{ Config: configName, RepoTags: ['vigil-demo:latest'], Layers: diffIds.map((d) => `${d.slice(7)}/layer.tar`) }];

const pack = tar.pack();
const chunks = [];
pack.on('data', (c) => chunks.push(c));
const done = new Promise((r) => pack.on('end', r));
layerTars.forEach((b, i) => {
  pack.entry({ name: `${diffIds[i].slice(7)}/`, type: 'directory', mtime: MTIME });
  pack.entry({ name: `${diffIds[i].slice(7)}/layer.tar`, mtime: MTIME }, b);
});
pack.entry({ name: configName, mtime: MTIME }, configBytes);
pack.entry({ name: 'manifest.json', mtime: MTIME }, Buffer.from(JSON.stringify(manifest)));
pack.entry({ name: 'repositories', mtime: MTIME }, Buffer.from(JSON.stringify({ 'vigil-demo': { latest: diffIds[diffIds.length - 1].slice(7) } })));
pack.finalize();
await done;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat(chunks));
console.error(`demo image: ${out}`);
