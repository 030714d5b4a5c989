import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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

export interface GeneratedChain {
  /** Trust anchor: CA:TRUE, keyCertSign. */
  readonly root: GeneratedPair;
  /** Issued by root; CA:TRUE. */
  readonly intermediate: GeneratedPair;
  /** Issued by intermediate for localhost / 127.0.0.1; CA:FALSE. */
  readonly leaf: GeneratedPair;
  /** leaf + intermediate, PEM, as a server sends them. */
  readonly leafChain: string;
  /** Issued by root for localhost; CA:FALSE, no keyUsage: it must not issue anything. */
  readonly endEntity: GeneratedPair;
  /** Issued by endEntity (which is no CA) for localhost / 127.0.0.1. */
  readonly forged: GeneratedPair;
  /** forged + endEntity, PEM. */
  readonly forgedChain: string;
}

/** Signs a new P-256 key's certificate with `issuer`, with the given v3 extensions. */
function issue(binary: string, dir: string, name: string, subject: string, issuer: GeneratedPair, extensions: string): GeneratedPair {
  const pair = { certificate: join(dir, `${name}-cert.pem`), privateKey: join(dir, `${name}-key.pem`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `${extensions}\n`);
  run(binary, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', subject, '-keyout', pair.privateKey, '-out', csr], dir);
  run(binary, ['x509', '-req', '-in', csr, '-CA', issuer.certificate, '-CAkey', issuer.privateKey, '-CAcreateserial', '-days', '1', '-sha256', '-extfile', ext, '-out', pair.certificate], dir);
  return pair;
}

/**
 * A three-level P-256 PKI (root, intermediate, leaf), and a forged leaf whose
 * "intermediate" is an end-entity certificate (basicConstraints CA:FALSE),
 * which RFC 5280 §6.1.4 (k) forbids as an issuer.
 */
export function certificateChain(binary: string, dir: string): GeneratedChain {
  const root = { certificate: join(dir, 'root-cert.pem'), privateKey: join(dir, 'root-key.pem') };
  run(binary, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=rx-dtls test root', '-days', '1',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', root.privateKey, '-out', root.certificate,
  ], dir);
  const ca = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign';
  const server = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:localhost,IP:127.0.0.1';
  const intermediate = issue(binary, dir, 'intermediate', '/CN=rx-dtls test intermediate', root, ca);
  const leaf = issue(binary, dir, 'leaf', '/CN=localhost', intermediate, server);
  const endEntity = issue(binary, dir, 'end-entity', '/CN=end entity', root, 'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:end-entity');
  const forged = issue(binary, dir, 'forged', '/CN=localhost', endEntity, server);
  const read = (pair: GeneratedPair) => readFileSync(pair.certificate, 'utf8');
  return {
    root, intermediate, leaf, endEntity, forged,
    leafChain: read(leaf) + read(intermediate),
    forgedChain: read(forged) + read(endEntity),
  };
}
