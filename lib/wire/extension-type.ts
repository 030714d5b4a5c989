/** RFC 5246 §7.4.1.4: one hello extension; `data` is the opaque extension_data (a view). */
export interface Extension {
  /** The ExtensionType (IANA). */
  type: number;
  /** Its extension_data, undecoded. */
  data: Uint8Array;
}

/** IANA "TLS ExtensionType Values" used by rx-dtls. Unknown types are kept opaque. */
export const ExtensionType = {
  server_name: 0, // RFC 6066 §3
  max_fragment_length: 1, // RFC 6066 §4
  supported_groups: 10, // RFC 8422 §5.1.1
  ec_point_formats: 11, // RFC 8422 §5.1.2
  signature_algorithms: 13, // RFC 5246 §7.4.1.4.1
  heartbeat: 15, // RFC 6520 §2
  application_layer_protocol_negotiation: 16, // RFC 7301
  client_certificate_type: 19, // RFC 7250 §3
  server_certificate_type: 20, // RFC 7250 §3
  padding: 21, // RFC 7685
  encrypt_then_mac: 22, // RFC 7366
  extended_master_secret: 23, // RFC 7627
  record_size_limit: 28, // RFC 8449
  session_ticket: 35, // RFC 5077
  pre_shared_key: 41, // RFC 8446 §4.2.11
  early_data: 42, // RFC 8446 §4.2.10
  supported_versions: 43, // RFC 8446 §4.2.1
  cookie: 44, // RFC 8446 §4.2.2
  psk_key_exchange_modes: 45, // RFC 8446 §4.2.9
  certificate_authorities: 47, // RFC 8446 §4.2.4
  post_handshake_auth: 49, // RFC 8446 §4.2.6
  signature_algorithms_cert: 50, // RFC 8446 §4.2.3
  key_share: 51, // RFC 8446 §4.2.8
  connection_id: 54, // RFC 9146 §3
  renegotiation_info: 0xff01, // RFC 5746
} as const;
export type ExtensionType = (typeof ExtensionType)[keyof typeof ExtensionType];
