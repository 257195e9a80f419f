// Node-local image scanning on the agent (docs/agent.md, "Node-local
// images"): the images of each runtime of the node (./node-images.ts: the
// Docker Engine's, containerd's), each runtime followed through the one
// follow loop (./node-follow.ts: listed at start and again after its image
// events, coalesced). Each image not scanned yet (by its content key) is read
// through its image source (`docker-daemon:`, the engine's save stream;
// `containerd:`, the content store) and analysed by the image pipeline, one
// at a time for every runtime, off the event path. What goes up is the
// software list (OS and packages, src/core/scan/node-image.ts): the server
// matches it against its own vulnerability DB. An image counts as scanned
// once the server acknowledged it (kept in <data-dir>/images-scanned.json);
// results not acknowledged yet are sent again at every connect. After each
// listing the image IDs the node holds go up too (`NodeImages`), so the
// server drops the rows of images deleted on the node. `scan-image`
// commands scan an image again.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from '../../core/scan/types.js';
import { NODE_IMAGE_LIMITS, packageForServer, type NodeImageScan } from '../../core/scan/node-image.js';
import type { RunScanOptions } from '../scan/run-scan.js';
import { MAX_MESSAGE_BYTES } from './proto.js';
import { NodeFollower } from './node-follow.js';
import type { NodeImage, NodeImageProvider } from './node-images.js';

export interface NodeImageScannerOptions {
  providers: NodeImageProvider[];
  dataDir: string;
  /** Sends one scan up; false when the link is down (sent again at the next connect). */
  send(json: string): boolean;
  /** Sends the image IDs the node holds (JSON {images}), once every runtime was listed, when they change. */
  sendPresent?(json: string): void;
  notice?(line: string): void;
  /** The image pipeline (runScan of src/node/scan/run-scan.ts; tests may pass another). */
  scan?: (ref: string, opts: RunScanOptions) => Promise<ScanReport>;
  /** Coalescing of image events before a re-list (default 500 ms). */
  coalesceMs?: number;
  /** First pause before following a lost events stream again (default 2 s). */
  retryMs?: number;
}

/** Images remembered as scanned (older ones are forgotten first, and scanned again if still there). */
const MAX_REMEMBERED = 10_000;
/** Scans waiting for the server's acknowledgement (more wait in the runtime: scanned again later). */
const MAX_UNACKED = 50;
/** Images waiting to be scanned (and listed per runtime). */
const MAX_QUEUED = 1000;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** One runtime's images, followed: each listing goes to the scanner. */
class ImageWatch extends NodeFollower<string> {
  constructor(
    private readonly provider: NodeImageProvider,
    private readonly listed: (p: NodeImageProvider, images: NodeImage[]) => void,
    private readonly o: NodeImageScannerOptions,
  ) {
    super(provider, { what: 'image scanning', ...(o.notice ? { notice: o.notice } : {}), ...(o.retryMs !== undefined ? { retryMs: o.retryMs } : {}) });
  }

  protected onEvent(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.relist().catch((err: unknown) => this.problem(`${this.provider.label}: ${(err as Error).message.split('\n')[0]}`));
    }, this.o.coalesceMs ?? 500);
  }

  protected async relist(): Promise<void> {
    this.listed(this.provider, await this.provider.list(MAX_QUEUED));
  }

  protected drained(): undefined {
    return undefined;
  }
}

export class NodeImageScanner {
  private readonly file: string;
  private readonly done: Set<string>;
  /** Scans sent and not acknowledged, by content key. */
  private readonly unacked = new Map<string, { imageId: string; json: string }>();
  private readonly queue: NodeImage[] = [];
  private readonly queued = new Set<string>();
  /** Failed this run (retried at the next start or on request). */
  private readonly failed = new Set<string>();
  /** Each runtime's last listing. */
  private readonly listings = new Map<NodeImageProvider, NodeImage[]>();
  private readonly watches: ImageWatch[];
  private readonly stopping = new AbortController();
  private present = '';
  private working: Promise<void> | undefined;
  /** Scans stored by the server (this run). */
  scanned = 0;

  constructor(private readonly o: NodeImageScannerOptions) {
    this.file = join(o.dataDir, 'images-scanned.json');
    this.done = new Set(readList(this.file));
    this.watches = o.providers.map((p) => new ImageWatch(p, (pr, images) => this.listed(pr, images), o));
  }

  start(): void {
    for (const w of this.watches) w.start();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const w of this.watches) await w.stop();
    await this.working?.catch(() => {});
  }

  /** The link is up again: what the server did not acknowledge goes again. */
  connected(): void {
    for (const u of this.unacked.values()) if (!this.o.send(u.json)) return;
  }

  /** The server's answer to one scan (by the image ID it was sent under). */
  acknowledged(imageId: string, error: string): void {
    let key = [...this.unacked].find(([, u]) => u.imageId === imageId)?.[0];
    if (key === undefined) {
      if (!DIGEST.test(imageId)) return;
      key = imageId;
    }
    this.unacked.delete(key);
    if (error) this.o.notice?.(`the server refused the scan of image ${imageId.slice(0, 19)}: ${error}`);
    else this.scanned++;
    this.done.delete(key);
    this.done.add(key);
    while (this.done.size > MAX_REMEMBERED) this.done.delete(this.done.values().next().value!);
    this.save();
  }

  /**
   * `scan-image` from the server: scan this image now, even if it was scanned.
   * `image` is an image ID (or containerd content digest) or a name the runtime
   * lists (`docker.io/library/nginx:1.25`, `containerd:k8s.io=NAME`).
   */
  request(json: string): void {
    let image: unknown;
    try {
      image = (JSON.parse(json) as { image?: unknown }).image;
    } catch {
      image = undefined;
    }
    if (typeof image !== 'string' || image === '' || image.length > NODE_IMAGE_LIMITS.chars) {
      this.o.notice?.(`ignoring scan-image: expected {"image": "<image ID or name>"}`);
      return;
    }
    const all = [...this.listings.values()].flat();
    let found = all.find((i) => i.imageId === image || i.key === image || i.ref === image || i.names.includes(image));
    // An image ID not listed yet (the command came before the first listing): the Docker Engine opens it by ID.
    const docker = this.o.providers.find((p) => p.runtime === 'docker');
    if (!found && DIGEST.test(image) && docker) found = { ref: `docker-daemon:${image}`, names: [], key: image, imageId: image, runtime: 'docker' };
    if (!found) {
      this.o.notice?.(`ignoring scan-image: no image ${image.slice(0, 120)} on this node`);
      return;
    }
    this.failed.delete(found.key);
    this.enqueue(found, true);
  }

  private listed(provider: NodeImageProvider, images: NodeImage[]): void {
    this.listings.set(provider, images);
    for (const im of images) if (!this.done.has(im.key) && !this.failed.has(im.key) && !this.unacked.has(im.key)) this.enqueue(im, false);
    if (this.listings.size < this.o.providers.length) return;
    // Every runtime listed: the image IDs the node holds now (the server drops the rows of the others).
    const ids = [...new Set([...this.listings.values()].flatMap((l) => l.map((i) => i.imageId)).filter((id) => DIGEST.test(id)))].sort();
    // With each image's names (every runtime's), so the server's rows follow a retag or an untag.
    const names: Record<string, string[]> = {};
    for (const im of [...this.listings.values()].flat())
      if (DIGEST.test(im.imageId)) names[im.imageId] = [...new Set([...(names[im.imageId] ?? []), ...im.names])].slice(0, NODE_IMAGE_LIMITS.repoTags);
    const sent = ids.slice(0, NODE_IMAGE_LIMITS.present);
    const json = JSON.stringify({ images: sent, names: Object.fromEntries(sent.map((id) => [id, names[id] ?? []])) });
    if (json !== this.present) {
      this.present = json;
      this.o.sendPresent?.(json);
    }
  }

  private enqueue(image: NodeImage, force: boolean): void {
    if (this.queued.has(image.key) || this.queue.length >= MAX_QUEUED) return;
    if (force) this.done.delete(image.key);
    this.queued.add(image.key);
    this.queue.push(image);
    this.working ??= this.work().finally(() => (this.working = undefined));
  }

  /** One image at a time, until the queue is empty. */
  private async work(): Promise<void> {
    const scan = this.o.scan ?? (await import('../scan/run-scan.js')).runScan;
    const { signal } = this.stopping;
    while (this.queue.length && !signal.aborted) {
      const image = this.queue.shift()!;
      this.queued.delete(image.key);
      if (this.unacked.size >= MAX_UNACKED) continue; // the server is away: scanned again after the next re-list
      const provider = this.o.providers.find((p) => p.runtime === image.runtime);
      const what = `image ${image.names[0] ?? image.key.slice(0, 19)}`;
      let report: ScanReport;
      try {
        report = await scan(image.ref, { scanners: [], ...provider?.scanOptions, signal });
      } catch (e) {
        if (signal.aborted) return;
        this.failed.add(image.key);
        this.o.notice?.(`cannot scan ${what}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      // The image ID the server files it under: the config digest (what the inventory reports for containers).
      const imageId = image.runtime === 'docker' ? image.imageId : report.artifact.configDigest || image.imageId;
      if (!DIGEST.test(imageId)) {
        this.failed.add(image.key);
        this.o.notice?.(`cannot scan ${what}: no image ID (config digest) for it`);
        continue;
      }
      const msg: NodeImageScan = {
        imageId,
        repoTags: image.names.slice(0, NODE_IMAGE_LIMITS.repoTags),
        ...(report.artifact.os ? { os: { family: report.artifact.os.family, version: report.artifact.os.version } } : {}),
        packages: report.packages.map(packageForServer),
        notices: (report.notices ?? []).slice(0, NODE_IMAGE_LIMITS.notices),
      };
      const json = JSON.stringify(msg);
      if (json.length > MAX_MESSAGE_BYTES - 1024) {
        this.failed.add(image.key);
        this.o.notice?.(`cannot send the scan of ${what}: ${msg.packages.length} packages, larger than the link's message limit`);
        continue;
      }
      this.unacked.set(image.key, { imageId, json });
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
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && DIGEST.test(x)).slice(-MAX_REMEMBERED) : [];
  } catch {
    return [];
  }
}
