// The coverage-guided fuzzer's targets: every reader of untrusted input the
// property tests cover, fed bytes, seeded from the same real samples
// (test/fuzz/corpus and the fixtures the property tests read). Each run()
// returns normally or throws the reader's refusal (InputError/LimitError);
// anything else is a finding. JSON readers get the bytes parsed first (input
// that is not JSON is not the reader's concern).
import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { InputError } from '../../src/core/errors.js';
import type { CoverageTarget } from './coverage-protocol.js';
import { GROUP, LAYER_FILES, PASSWD, SHADOW, STAT, TCP } from './samples.js';

const root = new URL('../../', import.meta.url);
const read = (p: string): Buffer => readFileSync(new URL(p, root));
const dirFiles = (dir: string, ext = '.json'): Buffer[] =>
  readdirSync(new URL(dir, root))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => read(`${dir}${f}`));
const corpus = (name: string): Buffer => read(`test/fuzz/corpus/${name}`);
const trivy = (p: string): Buffer => read(`src/core/analyzers/testdata/trivy/${p}`);
const analyzerData = (p: string): Buffer => read(`src/core/analyzers/testdata/${p}`);

/** JSON text to a value, or undefined when it is not JSON. */
function json(b: Buffer): { v: unknown } | undefined {
  try {
    return { v: JSON.parse(b.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** A run() for a reader of parsed JSON: input that is not JSON is not its concern. */
const onJson =
  (fn: (doc: unknown) => unknown) =>
  (b: Buffer): unknown => {
    const j = json(b);
    return j ? fn(j.v) : undefined;
  };

const isRefusal = (e: unknown): boolean => e instanceof InputError && !/[\n\r]/.test(e.message);

/** Runs several readers on one input: each may refuse on its own; anything else propagates. */
async function each(...fns: Array<() => unknown>): Promise<void> {
  for (const fn of fns) {
    try {
      await fn();
    } catch (e) {
      if (!isRefusal(e)) throw e;
    }
  }
}

const JSON_TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', 'false', '""', '{}', '[]', '-1', '1e999', '"\\u0000"', '"__proto__"'];
const IMAGE_KEYS = [
  '"schemaVersion"',
  '"mediaType"',
  '"manifests"',
  '"layers"',
  '"config"',
  '"digest"',
  '"size"',
  '"platform"',
  '"architecture"',
  '"os"',
  '"variant"',
  '"history"',
  '"empty_layer"',
  '"rootfs"',
  '"diff_ids"',
  '"annotations"',
  '"sha256:',
];
const TAR_TOKENS = [
  'ustar\u000000',
  'ustar  \u0000',
  '././@LongLink',
  'PaxHeader',
  ' path=',
  ' linkpath=',
  ' size=',
  '.wh.',
  '.wh..wh..opq',
  '00000000000',
  '0000644',
  '\u0000'.repeat(512),
];

async function layer(kind: 'none' | 'gzip' | 'zstd'): Promise<CoverageTarget> {
  const { buildTar, compress } = await import('../helpers/image-builder.js');
  const { scanTarLayer } = await import('../../src/core/image/tar-layer.js');
  const { resolveLimits } = await import('../../src/core/image/limits.js');
  const tar = await buildTar(LAYER_FILES);
  const limits = resolveLimits({ maxEntries: 1000, maxLayerBytes: 8 * 1024 * 1024, maxFileSize: 1024 * 1024 });
  return {
    seeds: () => [compress(tar, kind), compress(Buffer.concat([tar.subarray(0, 1536), Buffer.alloc(1024)]), kind)],
    dict: kind === 'none' ? TAR_TOKENS : ['\u001f\u008b\u0008', '\u0028\u00b5\u002f\u00fd'],
    maxLen: 64 * 1024,
    run: async (b) => {
      // fed in chunks, as a registry response arrives
      const parts: Buffer[] = [];
      for (let i = 0; i < b.length; i += 1000) parts.push(b.subarray(i, i + 1000));
      await scanTarLayer(Readable.from(parts), { where: 'fuzz layer 0', layer: 0, limits, wants: () => true });
    },
  };
}

async function analyzer(
  modPath: string,
  exportName: string | undefined,
  files: (b: Buffer) => Record<string, Buffer>,
  seeds: Buffer[],
  dict: string[],
  withCtx = false,
): Promise<CoverageTarget> {
  const { runAnalyzer } = await import('../../src/core/analyzers/test-harness.js');
  const mod = (await import(modPath)) as Record<string, unknown>;
  const a = (exportName ? mod[exportName] : mod.default) as Parameters<typeof runAnalyzer>[0];
  const ctx = withCtx ? (await import('../../src/node/analyzers/context.js')).nodeAnalyzerContext() : undefined;
  return {
    seeds: () => seeds,
    dict,
    run: async (b) => {
      await runAnalyzer(a, [files(b)], ctx ? { ctx } : undefined);
    },
  };
}

const STANZA = [
  'Package: ',
  'Status: install ok installed',
  'Version: ',
  'Source: ',
  'Architecture: ',
  'Depends: ',
  'Provides: ',
  'Maintainer: ',
  '\n\n',
  '\n ',
  ':',
  '(',
  ')',
  '1:',
  '~',
];

export const targets: Record<string, () => Promise<CoverageTarget>> = {
  tar: () => layer('none'),
  gzip: () => layer('gzip'),
  zstd: () => layer('zstd'),

  'image-json': async () => {
    const m = await import('../../src/node/image/manifest.js');
    const { parseIndex, parseManifest, parseConfig, choosePlatform, isIndexDocument, layerHistory, layerRefs, DEFAULT_PLATFORM, IMAGE_ERRORS } = m;
    return {
      seeds: () => ['oci-index.json', 'docker-manifest-list.json', 'oci-manifest.json', 'docker-manifest.json', 'image-config.json'].map(corpus),
      dict: [
        ...JSON_TOKENS,
        ...IMAGE_KEYS,
        '"application/vnd.oci.image.index.v1+json"',
        '"application/vnd.docker.distribution.manifest.v2+json"',
        '"linux"',
        '"amd64"',
        '"arm64"',
      ],
      run: onJson((doc) =>
        each(
          () => isIndexDocument(doc, undefined),
          () => choosePlatform(parseIndex(doc, 'index.json', IMAGE_ERRORS), DEFAULT_PLATFORM, 'index.json', IMAGE_ERRORS),
          () => parseManifest(doc, 'manifest.json', 128, IMAGE_ERRORS),
          () => {
            for (const layers of [0, 2]) {
              const c = parseConfig(doc, layers, 'config.json', IMAGE_ERRORS);
              layerHistory(c, layers);
              layerRefs(['sha256:a', 'sha256:b'].slice(0, layers), c);
            }
          },
        ),
      ),
    };
  },

  dpkg: () =>
    analyzer(
      '../../src/core/analyzers/dpkg.js',
      'dpkgAnalyzer',
      (b) => ({ '/var/lib/dpkg/status': b, '/var/lib/dpkg/status.d/libc6': b, '/var/lib/dpkg/info/bash.list': b, '/usr/share/doc/bash/copyright': b }),
      ['dpkg/debian/var/lib/dpkg/status', 'dpkg/distroless/var/lib/dpkg/status.d/libc6', 'dpkg/debian/usr/share/doc/bash/copyright'].map(analyzerData),
      [...STANZA, 'Files:', 'License:', 'Copyright:', 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'],
    ),
  apk: () =>
    analyzer(
      '../../src/core/analyzers/apk.js',
      'apkAnalyzer',
      (b) => ({ '/lib/apk/db/installed': b }),
      [analyzerData('apk/lib/apk/db/installed')],
      ['P:', 'V:', 'A:', 'L:', 'o:', 'm:', 'C:', 'F:', 'R:', 'D:', 'p:', 'T:', 'U:', 'S:', 'I:', 't:', 'c:', 'a:', 'M:', 'Z:', '\n\n', 'so:', 'cmd:', '='],
    ),
  'rpm-bdb': () =>
    analyzer(
      '../../src/core/analyzers/rpm.js',
      'rpmAnalyzer',
      (b) => ({ '/var/lib/rpm/Packages': b }),
      ['bdb/Packages', 'bdb-be/Packages', 'bdb-512/Packages'].map((p) => analyzerData(`rpm/${p}`)),
      ['\u0000\u0006\u0015\u0061', '\u0061\u0015\u0006\u0000', '\u0000\u0000\u0010\u0000', '\u0000\u0000\u0002\u0000', '\u008e\u00ad\u00e8\u0001'],
      true,
    ),
  'rpm-ndb': () =>
    analyzer(
      '../../src/core/analyzers/rpm.js',
      'rpmAnalyzer',
      (b) => ({ '/var/lib/rpm/Packages.db': b }),
      [analyzerData('rpm/ndb/Packages.db')],
      ['RpmP', 'Slot', 'BlbS', '\u008e\u00ad\u00e8\u0001'],
      true,
    ),
  'rpm-sqlite': () =>
    analyzer(
      '../../src/core/analyzers/rpm.js',
      'rpmAnalyzer',
      (b) => ({ '/var/lib/rpm/rpmdb.sqlite': b }),
      [analyzerData('rpm/sqlite/rpmdb.sqlite')],
      ['SQLite format 3\u0000', '\u008e\u00ad\u00e8\u0001'],
      true,
    ),

  advisories: async () => {
    const { advisoryFeeds } = await import('../../src/node/vulndb/feeds.js');
    const feeds = await advisoryFeeds();
    return {
      seeds: () => [...['debian', 'npm', 'nvd'].flatMap((d) => dirFiles(`demo/advisories/${d}/`)), corpus('alpine-secdb.json'), corpus('debian-tracker.json')],
      dict: [
        ...JSON_TOKENS,
        ...[
          '"id"',
          '"affected"',
          '"ranges"',
          '"events"',
          '"introduced"',
          '"fixed"',
          '"last_affected"',
          '"limit"',
          '"versions"',
          '"package"',
          '"ecosystem"',
          '"name"',
          '"severity"',
          '"database_specific"',
          '"type"',
          '"SEMVER"',
          '"ECOSYSTEM"',
          '"GIT"',
        ],
        ...[
          '"vulnerabilities"',
          '"cve"',
          '"configurations"',
          '"cpeMatch"',
          '"criteria"',
          '"versionEndExcluding"',
          '"metrics"',
          '"cvssMetricV31"',
          '"baseScore"',
        ],
        ...['"packages"', '"pkg"', '"secfixes"', '"releases"', '"fixed_version"', '"status"', '"urgency"', '"distroversion"', '"reponame"', '"archs"'],
      ],
      run: onJson((doc) => feeds.convertDocument(doc, 'fuzz.json')),
    };
  },

  rules: async () => {
    const { loadRuleset } = await import('../../src/core/rules/loader.js');
    const dir = 'rules/builtin/';
    const names = readdirSync(new URL(dir, root))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const macros = read(`${dir}00-macros.yaml`).toString('utf8');
    return {
      seeds: () => names.filter((n) => n !== '00-macros.yaml').map((n) => read(`${dir}${n}`)),
      dict: [
        '- rule: ',
        '- macro: ',
        '- list: ',
        '  condition: ',
        '  output: ',
        '  priority: ',
        '  items: ',
        '  append: true',
        ' and ',
        ' or ',
        ' not ',
        ' in (',
        ' pmatch (',
        ' contains ',
        ' startswith ',
        '=',
        '!=',
        '>=',
        'proc.name',
        'fd.name',
        'evt.type',
        'ka.verb',
        '%proc.cmdline',
        '(',
        ')',
        '"',
        "'",
        '\n',
        '  ',
      ],
      // loadRuleset's contract is stronger: it never throws, every problem is a diagnostic
      expected: () => false,
      run: (b) => {
        const r = loadRuleset(
          [
            { name: '00-macros.yaml', text: macros },
            { name: 'fuzz.yaml', text: b.toString('utf8') },
          ],
          { builtin: true },
        );
        const multi = r.diagnostics.find((d) => /[\n\r]/.test(d.message));
        if (multi) throw new Error(`diagnostic is not one line: ${JSON.stringify(multi.message.slice(0, 200))}`);
      },
    };
  },

  'k8s-audit': async () => {
    const { parseAuditDocument, parseAuditDocumentLenient, parseAuditLine } = await import('../../src/core/k8s/audit-event.js');
    const files = dirFiles('test/conformance/falco-k8s-audit/').slice(0, 20);
    const events = files.flatMap((f) =>
      f
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim()),
    );
    return {
      seeds: () => [
        ...files,
        Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events.slice(0, 3).map((l) => JSON.parse(l) as unknown) })),
      ],
      dict: [
        ...JSON_TOKENS,
        '"kind"',
        '"EventList"',
        '"Event"',
        '"items"',
        '"apiVersion"',
        '"audit.k8s.io/v1"',
        '"verb"',
        '"objectRef"',
        '"requestObject"',
        '"responseStatus"',
        '"user"',
        '"stage"',
        '"ResponseComplete"',
        '"requestURI"',
        '"spec"',
        '"containers"',
        '"securityContext"',
        '"privileged"',
      ],
      run: (b) => {
        const text = b.toString('utf8');
        parseAuditDocumentLenient(text, 'fuzz.json');
        return each(
          () => parseAuditDocument(text, 'fuzz.json'),
          () => text.split('\n').forEach((l, i) => parseAuditLine(l, i + 1)),
        );
      },
    };
  },

  admission: async () => {
    const { parseAdmissionReview, reviewUid } = await import('../../src/core/admission/review.js');
    return {
      seeds: () => ['admission-review-pod.json', 'admission-review-deployment.json'].map(corpus),
      dict: [
        ...JSON_TOKENS,
        '"apiVersion"',
        '"admission.k8s.io/v1"',
        '"AdmissionReview"',
        '"request"',
        '"uid"',
        '"operation"',
        '"CREATE"',
        '"UPDATE"',
        '"object"',
        '"spec"',
        '"template"',
        '"containers"',
        '"initContainers"',
        '"ephemeralContainers"',
        '"image"',
        '"securityContext"',
        '"privileged"',
        '"hostPID"',
        '"volumes"',
        '"hostPath"',
        '"jobTemplate"',
        '"Pod"',
        '"Deployment"',
        '"CronJob"',
      ],
      run: onJson((v) => {
        reviewUid(v);
        parseAdmissionReview(v);
      }),
    };
  },

  jar: () =>
    analyzer('../../src/core/analyzers/modules/java.js', undefined, (b) => ({ '/app/lib/x-1.0.jar': b }), ['java/nested.jar', 'java/test.jar'].map(trivy), [
      'PK\u0003\u0004',
      'PK\u0001\u0002',
      'PK\u0005\u0006',
      'META-INF/MANIFEST.MF',
      'pom.properties',
      'Implementation-Version: ',
      'groupId=',
      '.jar',
    ]),
  'python-lock': () =>
    analyzer(
      '../../src/core/analyzers/modules/python.js',
      undefined,
      (b) => ({ '/usr/lib/python3/site-packages/k-1.0.egg': b, '/app/poetry.lock': b, '/app/uv.lock': b, '/app/Pipfile.lock': b, '/app/requirements.txt': b }),
      ['python/poetry_flask.lock', 'python/uv_normal.lock', 'python/Pipfile_normal.lock', 'python/requirements_hash.txt', 'python/kitchen-1.2.6-py2.7.egg'].map(
        trivy,
      ),
      [
        '[[package]]',
        'name = ',
        'version = ',
        '[package.dependencies]',
        '"default"',
        '"develop"',
        '"version"',
        '==',
        '>=',
        '--hash=sha256:',
        ' \\\n',
        '#',
        '[',
        ']',
        'PK\u0003\u0004',
        'PKG-INFO',
        'Metadata-Version: ',
        'Name: ',
        'Version: ',
      ],
    ),
  ruby: () =>
    analyzer(
      '../../src/core/analyzers/modules/ruby.js',
      undefined,
      (b) => ({ '/usr/local/bundle/specifications/x-1.gemspec': b, '/app/Gemfile.lock': b }),
      [trivy('ruby/normal00.gemspec'), trivy('ruby/multiple_licenses.gemspec'), trivy('ruby/Gemfile_bundler2.lock')],
      ['GEM', 'specs:', 'DEPENDENCIES', 'BUNDLED WITH', '    ', '      ', ' (', ')', 's.name = ', 's.version = ', 's.licenses = ', '.freeze', '%w[', '"'],
    ),
  php: () =>
    analyzer(
      '../../src/core/analyzers/modules/php.js',
      undefined,
      (b) => ({ '/app/composer.lock': b, '/app/vendor/composer/installed.json': b }),
      [trivy('php/composer_happy.lock'), trivy('php/installed-happy.json')],
      [...JSON_TOKENS, '"packages"', '"packages-dev"', '"name"', '"version"', '"license"', '"require"', '"dev"'],
    ),

  accounts: async () => {
    const { parseAccountFile } = await import('../../src/core/accounts/files.js');
    const { diffAccounts, snapshotOf } = await import('../../src/core/accounts/diff.js');
    const base = snapshotOf({ passwd: PASSWD, shadow: SHADOW, group: GROUP });
    return {
      seeds: () => [PASSWD, SHADOW, GROUP].map((s) => Buffer.from(s)),
      dict: [':', '::', 'x', '*', '!', '$6$', '$y$', '\n', 'root', '0', '/bin/sh', ','],
      run: (b) => {
        const t = b.toString('utf8');
        for (const f of ['passwd', 'shadow', 'group'] as const) parseAccountFile(f, t);
        const out = diffAccounts(base, snapshotOf({ passwd: t, shadow: t, group: t }), { packageManager: false });
        for (const x of out) if (!/^(|x|\*|!+\*?|!?<hash>)$/.test(x.line.split(':')[1] ?? '')) throw new Error(`password field shown: ${x.line.slice(0, 80)}`);
      },
      expected: isRefusal,
    };
  },

  procfs: async () => {
    const { parseSocketTable, outboundConnections } = await import('../../src/core/behavior/sockets.js');
    const { parseCpuStat } = await import('../../src/node/sensors/cpu-sampler.js');
    const { behaviorThresholds } = await import('../../src/core/behavior/thresholds.js');
    return {
      seeds: () => [
        Buffer.from(TCP),
        Buffer.from(STAT),
        Buffer.from(JSON.stringify({ cpu: { percent: 50, sustainSeconds: 3, usualPorts: [443, 80] }, accounts: { intervalMs: 500 } })),
      ],
      dict: [':', ' ', '\n', '0100007F', '00000000', '0A', '01', '(', ')', 'R', '"cpu"', '"percent"', '"usualPorts"', '"accounts"', '"intervalMs"'],
      run: (b) => {
        const t = b.toString('utf8');
        const j = json(b);
        return each(
          () => outboundConnections([{ proto: 'tcp', rows: parseSocketTable(t).rows }], new Set([5001])),
          () => parseCpuStat(t),
          () => j && behaviorThresholds(j.v),
        );
      },
    };
  },

  api: async () => {
    const { startTestServer } = await import('../../src/node/server/server.test-helpers.js');
    const s = await startTestServer('sqlite', {}, { workers: 0 });
    const P = s.defaultProjectId;
    // One input = a route name, a newline, the JSON body.
    const routes: Record<string, [string, string]> = {
      projects: ['POST', '/api/v1/projects'],
      registries: ['POST', `/api/v1/projects/${P}/registries`],
      images: ['POST', `/api/v1/projects/${P}/images`],
      users: ['POST', '/api/v1/users'],
      tokens: ['POST', '/api/v1/tokens'],
      notifiers: ['POST', '/api/v1/notifiers'],
      alerts: ['POST', `/api/v1/alerts:batch?project=${P}`],
      evaluate: ['POST', `/api/v1/projects/${P}/admission/evaluate`],
      settings: ['PUT', '/api/v1/settings/alertRetentionDays'],
    };
    const seed = (route: string, body: unknown) => Buffer.from(`${route}\n${JSON.stringify(body)}`);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'registry.example.com/app:1.0', securityContext: { privileged: true } }] },
    };
    return {
      seeds: () => [
        seed('projects', { name: 'fz' }),
        seed('registries', { name: 'r', url: 'https://registry.example.com', insecure: true }),
        seed('images', { ref: 'registry:registry.example.com/team/app:1' }),
        seed('users', { username: 'dora', password: 'mauve kettle orbit' }),
        seed('tokens', { name: 'ci', expiresInDays: 30 }),
        seed('notifiers', { name: 'chat', kind: 'webhook', url: 'https://hooks.example.com/x', secret: 'hmac-key-1' }),
        seed('alerts', {
          alerts: [
            {
              id: 'a-1',
              type: 'system/reverse-shell',
              severity: 'critical',
              time: '2026-01-01T00:00:01.000Z',
              message: 'shell',
              rule: 'Reverse shell',
              host: 'node-1',
              container: { id: 'c'.repeat(64) },
            },
          ],
        }),
        seed('evaluate', { object: pod }),
        seed('evaluate', { image: 'registry.example.com/app:1.0' }),
        seed('settings', { value: 30 }),
      ],
      dict: [
        ...JSON_TOKENS,
        ...Object.keys(routes).map((r) => `${r}\n`),
        '"name"',
        '"url"',
        '"ref"',
        '"scan"',
        '"username"',
        '"password"',
        '"role"',
        '"kind"',
        '"secret"',
        '"alerts"',
        '"object"',
        '"image"',
        '"insecure"',
        'registry:',
        'rootfs:',
        'oci:',
        'http://127.0.0.1/',
        'https://',
      ],
      maxLen: 16 * 1024,
      close: () => s.cleanup(),
      // a 5xx is the server failing on a request body: a crash
      expected: () => false,
      run: async (b) => {
        const text = b.toString('utf8');
        const nl = text.indexOf('\n');
        const route = routes[text.slice(0, nl)];
        if (nl < 0 || !route) return;
        const res = await s.app.inject({
          method: route[0] as 'POST',
          url: route[1],
          headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
          payload: text.slice(nl + 1),
        });
        if (res.statusCode >= 500) throw new Error(`${route[0]} ${route[1]}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      },
    };
  },
};
