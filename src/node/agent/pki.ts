// The agent link's PKI: the server's own CA (generated on first start into
// the data dir, files 0600), the server's TLS certificate signed by it, and
// client certificates for enrolled nodes (their own public keys; the node
// identity is the certificate's CN, the cluster and project in OU/O). The CA
// hash agents pin is `sha256:<hex of the CA certificate's SubjectPublicKeyInfo>`
// (kubeadm's discovery token CA hash). ECDSA P-256 throughout. Certificates
// are built with @peculiar/x509, loaded only by `loadOrCreatePki` (the
// server): the agent uses `caHashOf` and `newKeyPair` (node:crypto alone), so
// the library and its ASN.1 modules stay out of the agent's memory.
import { webcrypto, createHash, X509Certificate, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { InputError } from '../../core/errors.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

type X509 = typeof import('@peculiar/x509');
let x509Module: Promise<X509> | undefined;

/** @peculiar/x509 with Node's WebCrypto as its provider, imported on first use. */
function loadX509(): Promise<X509> {
  return (x509Module ??= (async () => {
    // @peculiar/x509 needs the Reflect metadata polyfill loaded first.
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })());
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** Default lifetime of a node's client certificate (the server's agentCertSeconds); agents renew it before expiry. */
export const CLIENT_CERT_SECONDS = 30 * 86_400;

export interface AgentPki {
  caPem: string;
  caHash: string;
  serverCertPem: string;
  serverKeyPem: string;
  dir: string;
  /**
   * Issues a client certificate for a node's public key (PEM SPKI), valid for
   * `lifetimeSeconds` (backdated by a quarter of it, at most an hour, for
   * clock skew).
   */
  issueClient(publicKeyPem: string, node: { id: string; clusterId: string; projectId: string }, now?: Date, lifetimeSeconds?: number): Promise<string>;
}

/** `sha256:<hex>` of a certificate's SubjectPublicKeyInfo (DER). */
export function caHashOf(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

function pemKey(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function derOf(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!m) throw new InputError('AGENT_KEY', `not a PEM ${label}`, 'public key');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}

const serial = () =>
  randomBytes(16)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

export async function newKeyPair(): Promise<{ keys: CryptoKeyPair; publicPem: string; privatePem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicPem = pemKey(await webcrypto.subtle.exportKey('spki', keys.publicKey), 'PUBLIC KEY');
  const privatePem = pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { keys, publicPem, privatePem };
}

async function importPrivate(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', derOf(pem, 'PRIVATE KEY'), ALG, false, ['sign']) as Promise<CryptoKey>;
}

/** Loads the CA and server certificate from `<dataDir>/agent-pki/`, creating them on first start. */
export async function loadOrCreatePki(dataDir: string, extraNames: string[] = []): Promise<AgentPki> {
  const x509 = await loadX509();
  const dir = join(dataDir, 'agent-pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(dir, n);
  if (!existsSync(f('ca.pem')) || !existsSync(f('ca-key.pem'))) {
    const { keys, privatePem } = await newKeyPair();
    const now = new Date();
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=Vigil agent CA ${hostname()}`,
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 3650 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    writeSecret(f('ca-key.pem'), privatePem);
    writeSecret(f('ca.pem'), ca.toString('pem'));
  }
  const caPem = readFileSync(f('ca.pem'), 'utf8');
  const caKey = await importPrivate(readFileSync(f('ca-key.pem'), 'utf8'));
  const caCert = new x509.X509Certificate(caPem);
  // The server certificate is re-issued at every start (names may change; it is cheap).
  const { keys: sk, privatePem: serverKeyPem } = await newKeyPair();
  const now = new Date();
  const names = [...new Set(['localhost', hostname(), ...extraNames])];
  const ips = ['127.0.0.1', '::1'];
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hostname()}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 90 * DAY),
    publicKey: sk.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.map((n) => ({ type: 'dns' as const, value: n })),
        ...ips.map((ip) => ({ type: 'ip' as const, value: ip })),
      ]),
    ],
  });
  const serverCertPem = server.toString('pem');
  writeSecret(f('server.pem'), serverCertPem);
  writeSecret(f('server-key.pem'), serverKeyPem);
  return {
    caPem,
    caHash: caHashOf(caPem),
    serverCertPem,
    serverKeyPem,
    dir,
    async issueClient(publicKeyPem, node, at = new Date(), lifetimeSeconds = CLIENT_CERT_SECONDS) {
      const pub = await webcrypto.subtle.importKey('spki', derOf(publicKeyPem, 'PUBLIC KEY'), ALG, true, ['verify']).catch(() => {
        throw new InputError('AGENT_KEY', 'the public key is not an ECDSA P-256 SubjectPublicKeyInfo', 'enroll');
      });
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${node.id}, OU=${node.clusterId}, O=${node.projectId}`,
        issuer: caCert.subject,
        notBefore: new Date(at.getTime() - Math.min(3600_000, lifetimeSeconds * 250)),
        notAfter: new Date(at.getTime() + lifetimeSeconds * 1000),
        publicKey: pub,
        signingKey: caKey,
        signingAlgorithm: ALG,
        extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
      });
      return cert.toString('pem');
    },
  };
}

/** sha256 hex of a certificate's DER (the node row keeps the one it was issued). */
export function certFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
