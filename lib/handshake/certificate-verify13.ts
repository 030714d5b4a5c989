import type { CryptoProvider } from '../crypto/provider.js';
import { AlertDescription } from '../wire/alert.js';
import { decodeCertificateVerify, encodeCertificateVerify } from '../wire/certificate-verify.js';
import { SignatureScheme } from '../wire/extensions.js';

/** The context strings of RFC 8446 §4.4.3, which DTLS 1.3 keeps as they are (RFC 9147 changes only the HKDF labels). */
const CONTEXT = {
  server: 'TLS 1.3, server CertificateVerify',
  client: 'TLS 1.3, client CertificateVerify',
} as const;

/**
 * What a 1.3 CertificateVerify signs (RFC 8446 §4.4.3): 64 spaces, the context string of
 * the signer's role, a zero byte, then Transcript-Hash(Handshake Context, Certificate).
 * The spaces and the role keep a signature from being replayed in 1.2 or by the other side.
 */
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const context = new TextEncoder().encode(CONTEXT[signer]);
  const content = new Uint8Array(64 + context.length + 1 + transcriptHash.length).fill(0x20, 0, 64);
  content.set(context, 64);
  content[64 + context.length] = 0;
  content.set(transcriptHash, 64 + context.length + 1);
  return content;
}

/** Our CertificateVerify body: ecdsa_secp256r1_sha256 (the one scheme our P-256 keys sign with) over the content of our role. */
export function signCertificateVerify13(provider: CryptoProvider, privateKey: Uint8Array, signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const signature = provider.ecdsaSign(privateKey, certificateVerifyContent(signer, transcriptHash));
  return encodeCertificateVerify({ signatureScheme: SignatureScheme.ecdsa_secp256r1_sha256, signature });
}

/**
 * The peer's CertificateVerify checked against the key its Certificate proved: undefined when
 * it verifies, else the alert (RFC 8446 §4.4.3: decrypt_error for a signature that does not).
 */
export function checkCertificateVerify13(
  provider: CryptoProvider,
  publicKey: Uint8Array,
  signer: 'server' | 'client',
  transcriptHash: Uint8Array,
  body: Uint8Array,
): { readonly alert: number; readonly reason: string } | undefined {
  const decoded = decodeCertificateVerify(body);
  if (!decoded.ok) return { alert: AlertDescription.decode_error, reason: 'malformed CertificateVerify' };
  // We offered ecdsa_secp256r1_sha256 alone (signature_algorithms): any other scheme was not offered.
  if (decoded.value.signatureScheme !== SignatureScheme.ecdsa_secp256r1_sha256) {
    return { alert: AlertDescription.illegal_parameter, reason: `CertificateVerify with a scheme not offered (0x${decoded.value.signatureScheme.toString(16)})` };
  }
  if (!provider.ecdsaVerify(publicKey, certificateVerifyContent(signer, transcriptHash), decoded.value.signature)) {
    return { alert: AlertDescription.decrypt_error, reason: `${signer} CertificateVerify signature does not verify` };
  }
  return undefined;
}
