// Why a Node socket to a broker failed, in the words a user acts on: refused, name not found (DNS), a TLS
// certificate not accepted, a timeout, unreachable. The simulator's logs and events name it with the
// address, where the board's own log uses the interpreter's words (firmware/espruino/log.ts).

// Node's codes for a certificate the client does not accept (tls.connect's checks and OpenSSL's verify).
const CERTIFICATE = /CERT|SIGNATURE|ALTNAME|ISSUER/;

/** socketCause(err) -> "refused (ECONNREFUSED)", "TLS certificate not accepted: ... (CERT_HAS_EXPIRED)", ... */
export function socketCause(err: NodeJS.ErrnoException): string {
  const code = err.code ?? "";
  const words: Record<string, string> = {
    ECONNREFUSED: "refused",
    ENOTFOUND: "name not found (DNS)",
    EAI_AGAIN: "name lookup failed (DNS)",
    ETIMEDOUT: "timeout",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ECONNRESET: "reset by the broker",
    EPIPE: "closed by the broker while writing",
  };
  let text = words[code];
  if (text === undefined && CERTIFICATE.test(code)) text = `TLS certificate not accepted: ${err.message}`;
  if (text === undefined && /^ERR_(SSL|TLS)/.test(code)) text = `TLS handshake failed: ${err.message}`;
  if (text === undefined) text = err.message;
  return code ? `${text} (${code})` : text;
}
