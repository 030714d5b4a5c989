import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedPair {
  readonly certificate: string;
  readonly privateKey: string;
}

function run(binary: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
}

/** A fresh self-signed P-256 certificate (one day) and its key, written to `dir` as <name>-cert.pem / <name>-key.pem. */
export function selfSignedP256(binary: string, dir: string, name: string, subject: string, san = 'DNS:localhost,IP:127.0.0.1'): GeneratedPair {
  const pair = { certificate: join(dir, `${name}-cert.pem`), privateKey: join(dir, `${name}-key.pem`) };
  run(binary, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', subject, '-addext', `subjectAltName=${san}`, '-days', '1',
    '-keyout', pair.privateKey, '-out', pair.certificate,
  ], dir);
  return pair;
}

/**
 * A self-signed P-256 certificate for localhost/127.0.0.1 valid only on
 * 1 January 2020. `openssl req -days` cannot go negative and OpenSSL 3.0's
 * x509 has no -not_before/-not_after, but `openssl ca -selfsign` takes
 * -startdate/-enddate.
 */
export function expiredSelfSignedP256(binary: string, dir: string, name: string): GeneratedPair {
  const pair = { certificate: join(dir, `${name}-cert.pem`), privateKey: join(dir, `${name}-key.pem`) };
  const csr = join(dir, `${name}.csr`);
  const db = join(dir, `${name}-index.txt`);
  const config = join(dir, `${name}-ca.cnf`);
  writeFileSync(db, '');
  writeFileSync(
    config,
    [
      '[ca]', 'default_ca = d', '[d]', `database = ${db}`, `new_certs_dir = ${dir}`, 'default_md = sha256',
      'policy = p', 'copy_extensions = copy', 'rand_serial = yes', 'unique_subject = no', '[p]', 'commonName = supplied', '',
    ].join('\n'),
  );
  run(binary, [
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', pair.privateKey, '-out', csr,
  ], dir);
  run(binary, [
    'ca', '-batch', '-config', config, '-selfsign', '-keyfile', pair.privateKey, '-in', csr,
    '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext', '-out', pair.certificate,
  ], dir);
  return pair;
}
