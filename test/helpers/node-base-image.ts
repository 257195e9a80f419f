// A Node.js 20 base image for building Vigil's Dockerfiles where node's
// published images cannot be pulled: the Debian minbase imported with
// `docker import` (./dockerd.ts), plus this machine's own Node.js (the
// running `node` binary, its npm and its headers, laid out as node's official
// images lay them out under /usr/local) and this machine's CA bundle and
// npm registry setting, so `npm ci` and `apt-get` inside the build reach the
// same registries the machine does. The Dockerfiles take it as
// `--build-arg NODE_IMAGE=...`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importRootfs, type Dockerd } from './dockerd.js';

export async function buildNodeBaseImage(d: Dockerd, rootfs: string, tag: string): Promise<void> {
  const minbase = `${tag}-minbase`;
  await importRootfs(d, rootfs, minbase);
  const prefix = dirname(dirname(process.execPath));
  const npmDir = join(prefix, 'lib', 'node_modules', 'npm');
  const headers = join(prefix, 'include', 'node');
  if (!existsSync(join(npmDir, 'bin', 'npm-cli.js'))) throw new Error(`no npm next to ${process.execPath} (looked in ${npmDir})`);
  const ctx = mkdtempSync(join(tmpdir(), 'vigil-node-base-'));
  try {
    cpSync(process.execPath, join(ctx, 'node'));
    cpSync(npmDir, join(ctx, 'npm'), { recursive: true });
    if (existsSync(headers)) cpSync(headers, join(ctx, 'include'), { recursive: true });
    else writeFileSync(join(ctx, 'include'), '');
    // The system bundle plus an extra CA the machine's Node trusts (a proxy's), if any.
    const cas = ['/etc/ssl/certs/ca-certificates.crt', process.env.NODE_EXTRA_CA_CERTS].filter((f): f is string => !!f && existsSync(f));
    writeFileSync(join(ctx, 'ca.crt'), [...new Set(cas)].map((f) => readFileSync(f, 'utf8')).join('\n'));
    const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
    const env = [
      'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      'npm_config_cafile=/etc/ssl/certs/ca-certificates.crt',
      // node-gyp (better-sqlite3 from source) uses these headers instead of downloading them.
      'npm_config_nodedir=/usr/local',
      `npm_config_registry=${registry}`,
    ];
    writeFileSync(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${minbase}`,
        'COPY node /usr/local/bin/node',
        'COPY npm /usr/local/lib/node_modules/npm',
        existsSync(headers) ? 'COPY include /usr/local/include/node' : '',
        'COPY ca.crt /etc/ssl/certs/ca-certificates.crt',
        `ENV ${env.join(' ')}`,
        'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version',
        '',
      ].join('\n'),
    );
    const r = await d.docker(['build', '-q', '-t', tag, ctx], { timeoutMs: 300_000 });
    if (r.status !== 0) throw new Error(`building the node base image failed: ${r.err.trim().slice(-1000)}`);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}
