// The engine's state numbers, in a module of constants alone: esbuild folds a constant into the code
// that uses it only when its module imports and declares nothing that could run first, and on the
// interpreter every name left in the bundle's scope costs a linear search at each use.

// Client states (client.ts).
export const ST_IDLE = 0;
export const ST_WAITING = 1;
export const ST_OPENING = 2;
export const ST_CONNACK = 3;
export const ST_CONNECTED = 4;

// In-flight slot states (inflight.ts).
export const SLOT_FREE = 0;
/** QoS 1 PUBLISH sent (or waiting to be sent): awaits PUBACK. */
export const SLOT_PUBACK = 1;
/** QoS 2 PUBLISH sent (or waiting): awaits PUBREC. */
export const SLOT_PUBREC = 2;
/** QoS 2 PUBREL sent: awaits PUBCOMP. */
export const SLOT_PUBCOMP = 3;

// Subscription states (subscriptions.ts).
export const SUB_FREE = 0;
/** Wanted, not yet sent on this connection. */
export const SUB_WANTED = 1;
/** SUBSCRIBE sent, SUBACK awaited (its packet id in `pendingId`). */
export const SUB_PENDING = 2;
/** Granted (or refused with 0x80: then `granted` is 0x80). */
export const SUB_ACTIVE = 3;
/** UNSUBSCRIBE sent (or waiting to be sent); no longer delivered. */
export const SUB_LEAVING = 4;

// Decoder states (decoder.ts).
export const S_HEADER = 0;
export const S_LENGTH = 1;
export const S_BODY = 2;
export const S_SKIP = 3;
/** An oversize PUBLISH: reading what fits of it (topic and packet id come first), then skipping the rest. */
export const S_HEAD = 4;
