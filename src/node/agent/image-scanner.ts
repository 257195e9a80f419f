// Node-local image scanning on the agent (docs/agent.md, "Node-local
// images"): the node's Docker Engine images, listed at start and again after
// every image event (pull, load, tag, import), each one not scanned yet (by
// image ID) read through the `docker-daemon:` source (the engine's save
// stream, bounded by the image limits) and analysed by the image pipeline,
// one at a time, off the event path. What goes up is the software list (OS
// and packages, src/core/scan/node-image.ts): the server matches it against
// its own vulnerability DB. An image counts as scanned once the server
// acknowledged it (kept in <data-dir>/images-scanned.json); results not
// acknowledged yet are sent again at every connect. `scan-image` commands
// scan an image again.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerEngine, DockerEvent } from '../docker/engine-api.js';
import { EngineFollower } from './engine-follower.js';
import type { ScanReport } from '../../core/scan/types.js';
import { packageForServer, type NodeImageScan } from '../../core/scan/node-image.js';
import type { RunScanOptions } from '../scan/run-scan.js';
import { MAX_MESSAGE_BYTES } from './proto.js';

export interface NodeImageScannerOptions {
  engine: DockerEngine;
  dataDir: string;
  /** Sends one scan up; false when the link is down (sent again at the next connect). */
  send(json: string): boolean;
  notice?(line: string): void;
  /** The image pipeline (runScan of src/node/scan/run-scan.ts; tests may pass another). */
  scan?: (ref: string, opts: RunScanOptions) => Promise<ScanReport>;
  /** Coalescing of image events before a re-list (default 500 ms). */
  coalesceMs?: number;
  /** Pause before following a lost events stream again (default 2 s). */
  retryMs?: number;
}

/** Images remembered as scanned (older ones are forgotten first, and scanned again if still there). */
const MAX_REMEMBERED = 10_000;
/** Scans waiting for the server's acknowledgement (more wait in the engine: scanned again later). */
const MAX_UNACKED = 50;
/** Images waiting to be scanned. */
const MAX_QUEUED = 1000;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const IMAGE_EVENTS = new Set(['pull', 'load', 'tag', 'import']);

export class NodeImageScanner extends EngineFollower {
  private readonly file: string;
  private readonly done: Set<string>;
  private readonly unacked = new Map<string, string>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Failed this run (retried at the next start or on request). */
  private readonly failed = new Set<string>();
  private readonly tags = new Map<string, string[]>();
  private working: Promise<void> | undefined;
  /** Scans stored by the server (this run). */
  scanned = 0;

  constructor(private readonly o: NodeImageScannerOptions) {
    super(o.engine, {
      filters: { type: ['image'] },
      what: 'image scanning',
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.retryMs !== undefined ? { retryMs: o.retryMs } : {}),
    });
    this.file = join(o.dataDir, 'images-scanned.json');
    this.done = new Set(readList(this.file));
  }

  /** The link is up again: what the server did not acknowledge goes again. */
  connected(): void {
    for (const json of this.unacked.values()) if (!this.o.send(json)) return;
  }

  /** The server's answer to one scan. */
  acknowledged(imageId: string, error: string): void {
    if (!this.unacked.delete(imageId) && !IMAGE_ID.test(imageId)) return;
    if (error) this.o.notice?.(`the server refused the scan of image ${imageId.slice(0, 19)}: ${error}`);
    else this.scanned++;
    this.done.delete(imageId);
    this.done.add(imageId);
    while (this.done.size > MAX_REMEMBERED) this.done.delete(this.done.values().next().value!);
    this.save();
  }

  /** `scan-image` from the server: scan this image now, even if it was scanned. */
  request(json: string): void {
    let image: unknown;
    try {
      image = (JSON.parse(json) as { image?: unknown }).image;
    } catch {
      image = undefined;
    }
    if (typeof image !== 'string' || !IMAGE_ID.test(image)) {
      this.o.notice?.(`ignoring scan-image: expected {"image": "sha256:<64 hex>"}`);
      return;
    }
    this.failed.delete(image);
    this.enqueue(image, true);
  }

  protected drained(): Promise<void> | undefined {
    return this.working;
  }

  protected onEvent(e: DockerEvent): void {
    if (!IMAGE_EVENTS.has((e.Action ?? '').split(':')[0]!)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.relist().catch((err: unknown) => this.problem(`Docker Engine: ${(err as Error).message}`));
    }, this.o.coalesceMs ?? 500);
  }

  protected async relist(): Promise<void> {
    const images = await this.engine.images(MAX_QUEUED);
    this.lastProblem = '';
    for (const im of images) {
      this.tags.set(im.id, im.repoTags);
      if (!this.done.has(im.id) && !this.failed.has(im.id) && !this.unacked.has(im.id)) this.enqueue(im.id, false);
    }
  }

  private enqueue(id: string, force: boolean): void {
    if (this.queued.has(id) || this.queue.length >= MAX_QUEUED) return;
    if (force) this.done.delete(id);
    this.queued.add(id);
    this.queue.push(id);
    this.working ??= this.work().finally(() => (this.working = undefined));
  }

  /** One image at a time, until the queue is empty. */
  private async work(): Promise<void> {
    const scan = this.o.scan ?? (await import('../scan/run-scan.js')).runScan;
    while (this.queue.length && !this.abort.signal.aborted) {
      const id = this.queue.shift()!;
      this.queued.delete(id);
      if (this.unacked.size >= MAX_UNACKED) continue; // the server is away: scanned again after the next re-list
      let report: ScanReport;
      try {
        report = await scan(`docker-daemon:${id}`, { scanners: [], dockerSocket: this.engine.socketPath, signal: this.abort.signal });
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.failed.add(id);
        this.o.notice?.(`cannot scan image ${id.slice(0, 19)}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      const tags = this.tags.get(id) ?? (await this.engine.images(MAX_QUEUED).catch(() => [])).find((x) => x.id === id)?.repoTags ?? [];
      const msg: NodeImageScan = {
        imageId: id,
        repoTags: tags,
        ...(report.artifact.os ? { os: { family: report.artifact.os.family, version: report.artifact.os.version } } : {}),
        packages: report.packages.map(packageForServer),
        notices: (report.notices ?? []).slice(0, 100),
      };
      const json = JSON.stringify(msg);
      if (json.length > MAX_MESSAGE_BYTES - 1024) {
        this.failed.add(id);
        this.o.notice?.(`cannot send the scan of image ${id.slice(0, 19)}: ${msg.packages.length} packages, larger than the link's message limit`);
        continue;
      }
      this.unacked.set(id, json);
      this.o.send(json);
      // Let the agent's own work run between images.
      await new Promise((r) => setImmediate(r));
    }
  }

  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify([...this.done]), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (e) {
      this.o.notice?.(`cannot save ${this.file}: ${(e as Error).message}`);
    }
  }
}

function readList(file: string): string[] {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && IMAGE_ID.test(x)).slice(-MAX_REMEMBERED) : [];
  } catch {
    return [];
  }
}
