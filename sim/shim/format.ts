// How Espruino prints values on its console: console.log's arguments and the "Uncaught ..." line of an
// exception nobody caught. Espruino prints strings bare and other values in its own JSON-like form
// (`{ "a": 1 }`, `[ 1, 2 ]`, `new Uint8Array([1, 2])`); this is close to it, on one line.
import { types } from "node:util";

/** Nesting deeper than this prints as "..." (Espruino would print it all, but a cycle must end). */
const MAX_DEPTH = 6;

/** describeError(e) -> what follows "Uncaught " for a thrown value: "Error: message", or the value itself. */
export function describeError(e: unknown): string {
  try {
    if (e !== null && typeof e === "object") {
      const o = e as { name?: unknown; message?: unknown };
      if (typeof o.message === "string") return `${typeof o.name === "string" ? o.name : "Error"}: ${o.message}`;
    }
    return formatArg(e);
  } catch {
    // A value whose toString throws still has to be reported somehow.
    return "(unprintable exception)";
  }
}

/**
 * formatArg(v, special) -> one console.log argument as Espruino prints it; special(v) may name values
 * the shim made (pins print as "D26").
 */
export function formatArg(v: unknown, special?: (v: object) => string | undefined): string {
  return typeof v === "string" ? v : format(v, special, 0);
}

function format(v: unknown, special: ((v: object) => string | undefined) | undefined, depth: number): string {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") {
    return String(v);
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "symbol") return v.toString();
  if (typeof v === "function") return String(v);
  const named = special ? special(v) : undefined;
  if (named !== undefined) return named;
  if (types.isNativeError(v)) return describeError(v);
  if (depth >= MAX_DEPTH) return "...";
  if (types.isTypedArray(v)) {
    const kind = Object.prototype.toString.call(v).slice(8, -1);
    return `new ${kind}([${Array.prototype.join.call(v, ", ")}])`;
  }
  if (Array.isArray(v)) return "[ " + v.map((x) => format(x, special, depth + 1)).join(", ") + " ]";
  const parts = Object.keys(v).map((k) => `${JSON.stringify(k)}: ${format((v as Record<string, unknown>)[k], special, depth + 1)}`);
  return "{ " + parts.join(", ") + " }";
}
