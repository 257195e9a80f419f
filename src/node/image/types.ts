// Options shared by every image source in src/node/image (docker-archive, oci,
// oci-archive, rootfs, registry). `openImage` (open.ts) passes them through to
// the source chosen by the reference prefix.
import type { Platform, ReadLimits } from '../../core/image/types.js';
import type { OutboundGuard } from '../net/outbound.js';

export interface OpenImageOptions {
  /** Platform to choose from a multi-platform index; default linux/amd64. */
  platform?: Platform;
  /** Reader limits; missing fields take DEFAULT_LIMITS. */
  limits?: Partial<ReadLimits>;
  /** Registry credentials (else VIGIL_REGISTRY_USERNAME/PASSWORD, else the docker config). */
  username?: string;
  password?: string;
  /** Registry: allow plain HTTP and unverified TLS. */
  insecure?: boolean;
  /** Registry: path of a docker config.json with `auths` (default ~/.docker/config.json). */
  dockerConfigPath?: string;
  /** Aborts opening (and reading blobs of) the image. */
  signal?: AbortSignal;
  /** Registry: the server's outbound request guard (src/node/net/outbound.ts); every connection goes to an address it checked. */
  outbound?: OutboundGuard;
  /** Registry: host names (besides the registry's own registrable domain) whose token realms may receive the credentials. */
  tokenRealms?: readonly string[];
  /** docker-daemon: the engine's unix socket (default DOCKER_HOST, else /var/run/docker.sock). */
  dockerSocket?: string;
  /** containerd: its socket (else CONTAINERD_ADDRESS, else /run/containerd/containerd.sock). */
  containerdSocket?: string;
  /** containerd: its root directory; blobs are then read from its content store directory instead of the Content API. */
  containerdRoot?: string;
  /** Registry: quote the registry's error messages in errors (default true; the server says only the status, never remote content). */
  remoteDetail?: boolean;
}
