// The node inventory's Docker Engine backend (./runtime-watch.ts): the
// running containers (`GET /containers/json`), each inspected
// (`GET /containers/{id}/json`, read by src/core/checks/node-container.ts),
// followed through `GET /events` (container start, die, pause, rename, ...).
// Keys are the engine's 64-hex container IDs; a start is identified by the
// container's start time; `onStart` gets the inspect document.
import type { DockerEngine } from '../docker/engine-api.js';
import { nodeContainerOf, type NodeContainer } from '../../core/checks/node-container.js';
import { RuntimeWatch, type RuntimeBackend, type RuntimeEvent, type RuntimeWatchOptions } from './runtime-watch.js';

/** Container events that change what runs (or how it is named). */
const CHANGES = new Set(['start', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'rename', 'restart', 'oom']);
const CONTAINER_ID = /^[0-9a-f]{64}$/;

export class DockerBackend implements RuntimeBackend<unknown> {
  readonly label = 'Docker Engine';
  constructor(private readonly engine: DockerEngine) {}

  subscribe(onEvent: (e: RuntimeEvent) => void, signal: AbortSignal): Promise<void> {
    return this.engine.events(
      { type: ['container'] },
      (e) => {
        const key = e.Actor?.ID ?? e.id;
        const action = (e.Action ?? '').split(':')[0]!;
        if (typeof key !== 'string' || !CONTAINER_ID.test(key) || !CHANGES.has(action)) return;
        onEvent({ key, change: action === 'destroy' ? 'gone' : action === 'start' ? 'start' : 'change' });
      },
      signal,
    );
  }

  list(max: number): Promise<string[]> {
    return this.engine.containerIds(max);
  }

  async inspect(key: string): Promise<{ container: NodeContainer; doc: unknown; start: string } | undefined> {
    const doc = await this.engine.inspectContainer(key);
    if (doc === undefined) return undefined;
    const container = nodeContainerOf(doc, `container ${key.slice(0, 12)}`);
    return { container, doc, start: container.startedAt };
  }
}

/** The Docker Engine's containers, followed (`onStart` gets the inspect document). */
export class DockerWatch extends RuntimeWatch<unknown> {
  constructor(o: RuntimeWatchOptions<unknown> & { engine: DockerEngine }) {
    super(new DockerBackend(o.engine), o);
  }
}
