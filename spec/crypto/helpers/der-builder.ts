/** Builds DER by hand for spec inputs, valid or deliberately broken. Hex in, hex out. */
export function tlv(tag: number, ...contents: string[]): string {
  const body = contents.join('');
  const length = body.length / 2;
  let header: string;
  if (length < 0x80) header = hexByte(length);
  else if (length < 0x100) header = `81${hexByte(length)}`;
  else header = `82${length.toString(16).padStart(4, '0')}`;
  return hexByte(tag) + header + body;
}

export function hexByte(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export const OID_EC_PUBLIC_KEY = tlv(0x06, '2a8648ce3d0201');
export const OID_PRIME256V1 = tlv(0x06, '2a8648ce3d030107');
export const OID_SECP384R1 = tlv(0x06, '2b81040022');
