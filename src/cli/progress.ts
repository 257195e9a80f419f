// Progress on stderr for long CLI work: a bar over layers and bytes when
// stderr is a terminal, nothing otherwise (CI logs and pipes stay clean).
import type { ScanProgress } from '../node/scan/run-scan.js';

export function scanProgress(enabled = Boolean(process.stderr.isTTY) && !process.env.CI): { update: (p: ScanProgress) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  let bar: import('cli-progress').SingleBar | undefined;
  let loading: Promise<void> | undefined;
  let last: ScanProgress | undefined;
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const render = (p: ScanProgress) => {
    if (!bar || p.phase !== 'layers') return;
    const total = p.totalBytes ?? 0;
    if (total > 0) bar.setTotal(total);
    bar.update(Math.min(p.bytes ?? 0, total || (p.bytes ?? 0)), {
      layer: `${(p.layer ?? 0) + 1}/${p.layers ?? '?'}`,
      mb: mib(p.bytes ?? 0),
    });
  };
  return {
    update(p) {
      last = p;
      if (!loading) {
        loading = import('cli-progress').then((m) => {
          bar = new m.SingleBar(
            {
              stream: process.stderr,
              format: ' layers {layer} |{bar}| {percentage}% {mb} MiB',
              hideCursor: true,
              clearOnComplete: true,
            },
            m.Presets.shades_classic,
          );
          bar.start(1, 0, { layer: '0/?', mb: '0.0' });
          if (last) render(last);
        });
      }
      render(p);
    },
    stop() {
      bar?.stop();
    },
  };
}
