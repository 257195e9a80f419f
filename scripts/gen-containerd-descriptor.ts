// Writes proto/containerd/containerd.json: the part of containerd's gRPC API
// that src/node/containerd/client.ts uses, as a protobufjs JSON descriptor
// (loaded at run time with @grpc/proto-loader's fromJSON). It is generated
// from containerd's own .proto files (github.com/containerd/containerd, api/,
// Apache License 2.0; see proto/containerd/README.md): only the services and
// methods in USED, and in each message only the fields in FIELDS, so the
// decoder reads exactly what Vigil reads and skips the rest by field number.
// Usage: node --import tsx scripts/gen-containerd-descriptor.ts CONTAINERD_CHECKOUT
//   (a clone of containerd: the files are read from its api/ folder)
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const DESCRIPTOR_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'proto', 'containerd', 'containerd.json');

/** service -> [file under api/, methods Vigil calls]. */
const USED: Record<string, [string, string[]]> = {
  'containerd.services.version.v1.Version': ['services/version/v1/version.proto', ['Version']],
  'containerd.services.namespaces.v1.Namespaces': ['services/namespaces/v1/namespace.proto', ['List']],
  'containerd.services.images.v1.Images': ['services/images/v1/images.proto', ['Get', 'List']],
  'containerd.services.content.v1.Content': ['services/content/v1/content.proto', ['Info', 'Read']],
  'containerd.services.containers.v1.Containers': ['services/containers/v1/containers.proto', ['Get', 'List']],
  'containerd.services.tasks.v1.Tasks': ['services/tasks/v1/tasks.proto', ['Get', 'List']],
  'containerd.services.events.v1.Events': ['services/events/v1/events.proto', ['Subscribe']],
};

/** message -> the fields kept (camelCase, as the loader names them). Messages not named keep every field. */
const FIELDS: Record<string, string[]> = {
  'containerd.services.namespaces.v1.Namespace': ['name', 'labels'],
  'containerd.services.images.v1.Image': ['name', 'labels', 'target', 'createdAt', 'updatedAt'],
  'containerd.types.Descriptor': ['mediaType', 'digest', 'size', 'annotations'],
  'containerd.services.content.v1.Info': ['digest', 'size', 'createdAt', 'updatedAt', 'labels'],
  'containerd.services.containers.v1.Container': ['id', 'labels', 'image', 'runtime', 'spec', 'snapshotter', 'snapshotKey', 'createdAt', 'updatedAt'],
  'containerd.services.containers.v1.Container.Runtime': ['name'],
  'containerd.v1.types.Process': ['containerId', 'id', 'pid', 'status', 'exitStatus', 'exitedAt'],
  'containerd.services.tasks.v1.GetRequest': ['containerId', 'execId'],
  'containerd.services.tasks.v1.ListTasksRequest': ['filter'],
  'containerd.types.Envelope': ['timestamp', 'namespace', 'topic', 'event'],
};

/** containerd's files are proto3: so are the copies (the JSON then names no edition, which the loader reads as proto3). */
function proto3<T extends protobuf.ReflectionObject>(o: T): T {
  (o as unknown as { _edition: string })._edition = 'proto3';
  return o;
}

function full(t: protobuf.ReflectionObject): string {
  return t.fullName.replace(/^\./, '');
}

/** The pruned descriptor of the containerd API under `api`. */
export function containerdDescriptor(api: string): protobuf.INamespace {
  const root = new protobuf.Root();
  // google/protobuf/*: protobufjs's built-in definitions (descriptor.proto: the copy it ships).
  const descriptorProto = join(dirname(createRequire(import.meta.url).resolve('protobufjs')), 'google', 'protobuf', 'descriptor.proto');
  root.resolvePath = (_origin, target) => {
    if (target === 'google/protobuf/descriptor.proto') return descriptorProto;
    return target.startsWith('google/protobuf/') || isAbsolute(target) ? target : join(api, target);
  };
  root.loadSync(
    Object.values(USED).map(([f]) => join(api, f)),
    { keepCase: false },
  );
  root.resolveAll();
  const out = new protobuf.Root();
  const added = new Set<string>();
  const addType = (t: protobuf.Type | protobuf.Enum): void => {
    const name = full(t);
    if (added.has(name)) return;
    added.add(name);
    if (t instanceof protobuf.Enum) {
      out.define(name.split('.').slice(0, -1).join('.')).add(proto3(new protobuf.Enum(t.name, { ...t.values })));
      return;
    }
    const keep = FIELDS[name];
    if (keep) for (const f of keep) if (!t.fields[f]) throw new Error(`${name} has no field ${f}`);
    const copy = new protobuf.Type(t.name);
    // A nested type lives inside its parent: the parent's copy comes first.
    const parent = t.parent;
    if (parent instanceof protobuf.Type) {
      addType(parent);
      out.lookupType(full(parent)).add(copy);
    } else {
      out.define(name.split('.').slice(0, -1).join('.')).add(proto3(copy));
    }
    for (const f of t.fieldsArray) {
      if (keep && !keep.includes(f.name)) continue;
      // Message and enum types by their full names, wherever the copy stands.
      const type = f.resolvedType ? full(f.resolvedType) : f.type;
      copy.add(
        f instanceof protobuf.MapField
          ? new protobuf.MapField(f.name, f.id, f.keyType, type)
          : new protobuf.Field(f.name, f.id, type, f.repeated ? 'repeated' : undefined),
      );
      if (f.resolvedType) addType(f.resolvedType);
    }
  };
  for (const [service, [, methods]] of Object.entries(USED)) {
    const s = root.lookupService(service);
    const copy = new protobuf.Service(s.name);
    for (const m of methods) {
      const method = s.methods[m];
      if (!method) throw new Error(`${service} has no method ${m}`);
      method.resolve();
      addType(method.resolvedRequestType!);
      addType(method.resolvedResponseType!);
      copy.add(
        new protobuf.Method(m, 'rpc', full(method.resolvedRequestType!), full(method.resolvedResponseType!), method.requestStream, method.responseStream),
      );
    }
    out.define(service.split('.').slice(0, -1).join('.')).add(proto3(copy));
  }
  out.resolveAll();
  return out.toJSON() as protobuf.INamespace;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const checkout = process.argv[2];
  const api = checkout ? join(resolve(checkout), 'api') : '';
  if (!checkout || !existsSync(join(api, 'services'))) {
    process.stderr.write('usage: node --import tsx scripts/gen-containerd-descriptor.ts CONTAINERD_CHECKOUT (a clone of containerd with its api/ folder)\n');
    process.exit(2);
  }
  writeFileSync(DESCRIPTOR_PATH, `${JSON.stringify(containerdDescriptor(api), null, 2)}\n`);
  process.stderr.write(`gen-containerd-descriptor: wrote ${DESCRIPTOR_PATH}\n`);
}
