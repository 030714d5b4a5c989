import type { CredentialStore } from '../credentials/credential-store.js';
import { loadCertificate } from './credential-files.js';
import type { SniArgument } from './extension-args.js';
import type { PskArgument } from './psk-argument.js';

/**
 * Files each --sni NAME=CERT,KEY under a tag of its own (1, 2, ... in the order given; the
 * other credentials are tag 0, the default), with the --psk keys too, so a PSK client that
 * names the host is served as before. Returns the server's serverNames option.
 */
export function loadSniCredentials(store: CredentialStore, sni: readonly SniArgument[], psks: readonly PskArgument[]): Record<string, number> {
  const serverNames: Record<string, number> = {};
  sni.forEach(({ name, chain, key }, i) => {
    const tag = i + 1;
    store.x509({ tag, ...loadCertificate(chain, key, { chain: `--sni ${name}`, key: `--sni ${name}` }) });
    for (const psk of psks) store.psk({ tag, identity: psk.identity, key: psk.key });
    serverNames[name] = tag;
  });
  return serverNames;
}
