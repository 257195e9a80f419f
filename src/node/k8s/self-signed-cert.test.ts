// The self-signed webhook certificate is valid DER every time: its random
// serial number once had a leading zero byte now and then (illegal INTEGER
// padding), which OpenSSL 3 refuses when the certificate is loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createSelfSignedCert } from './self-signed-cert.js';

test('500 certificates in a row all load, each with a positive unpadded serial and the hosts asked for', () => {
  for (let i = 0; i < 500; i++) {
    const c = createSelfSignedCert(['localhost', '127.0.0.1']);
    const x = new X509Certificate(c.certPem);
    assert.match(x.serialNumber, /^[4-7][0-9A-F]{31}$/, `serial ${x.serialNumber}`);
    assert.ok(x.checkHost('localhost'));
    assert.ok(x.checkIP('127.0.0.1'));
  }
});
