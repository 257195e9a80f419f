// The node inventory's Docker Engine backend (./runtime-watch.ts): containers
// listed with `GET /containers/json`, inspected with `GET /containers/{id}/json`
// and followed through `GET /events` (container start, die, pause, rename,
// ...). A start hands the container's inspect document to the start checks.
import type { DockerEngine } from '../docker/engine-api.js';
import { nodeContainerOf } from '../../core/checks/node-container.js';
import { RuntimeWatch, type RuntimeBackend, type RuntimeChange, type RuntimeWatchOptions } from './runtime-watch.js';

/** Container events that change what runs (or how it is named). */
const CHANGES = new Set(['start', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'rename', 'restart', 'oom']);

export class DockerBackend implements RuntimeBackend<unknown> {
  readonly label = 'Docker Engine';
  constructor(private readonly engine: DockerEngine) {}

  follow(onChange: (key: string, change: RuntimeChange) => void, signal: AbortSignal): Promise<void> {
    return this.engine.events(
      { type: ['container'] },
      (e) => {
        const id = e.Actor?.ID ?? e.id;
        const action = (e.Action ?? '').split(':')[0]!;
        if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id) || !CHANGES.has(action)) return;
        onChange(id, action === 'destroy' ? 'gone' : action === 'start' ? 'start' : 'change');
      },
      signal,
    );
  }

  list(max: number): Promise<string[]> {
    return this.engine.containerIds(max);
  }

  async inspect(id: string): Promise<{ container: ReturnType<typeof nodeContainerOf>; doc: unknown } | undefined> {
    const doc = await this.engine.inspectContainer(id);
    if (doc === undefined) return undefined;
    return { container: nodeContainerOf(doc, `container ${id.slice(0, 12)}`), doc };
  }
}

/** The Docker Engine's containers, followed (`onStart` gets the inspect document). */
export class DockerWatch extends RuntimeWatch<unknown> {
  constructor(o: RuntimeWatchOptions<unknown> & { engine: DockerEngine }) {
    super(new DockerBackend(o.engine), o);
  }
}
