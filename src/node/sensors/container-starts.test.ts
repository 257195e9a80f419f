// The container-start sensor on recorded `docker inspect` documents (the
// real engine's output; the agent's e2e test feeds it from a real dockerd).
import { readFileSync } from 'node:fs';
import { describeSensor, CONFORMANCE_HOST } from './sensor-conformance.js';
import { ContainerStartSensor } from './container-starts.js';

const recorded = JSON.parse(readFileSync(new URL('./testdata/docker-inspect-nginx.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describeSensor('container starts', async (clock) => {
  const sensor = new ContainerStartSensor({ host: CONFORMANCE_HOST, now: clock, source: 'docker (recorded)' });
  let n = 0;
  let id = '';
  return {
    sensor,
    trigger: async () => {
      id = (n++).toString(16).padStart(64, 'a');
      sensor.started({ ...recorded, Id: id });
    },
    isTriggered: (e) => e.type === 'container' && e.container?.id === id && e.container.spec?.name === 'web-1' && e.container.image === 'nginx:1.25',
    broken: async () => {
      sensor.started({ Id: 'x', HostConfig: 'not an object' });
      sensor.started(null);
    },
  };
});
