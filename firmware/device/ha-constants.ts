// Home Assistant's names and the discovery ledger's, in a module of constants alone: esbuild folds each
// into the code that uses it, and on the interpreter every name left in the bundle's scope costs a
// linear search at each lookup that passes it (a global built-in such as E or Math passes them all).

/** What the device publishes on its status topic; Home Assistant's availability defaults are the same. */
export const STATUS_ONLINE = "online";
export const STATUS_OFFLINE = "offline";

/** The level after the discovery prefix where Home Assistant says it (re)started (mqtt/const.py). */
export const BIRTH_LEVEL = "status";

/** Storage key of the ledger: the discovery configs this board last left retained on the broker. */
export const LEDGER_KEY = "ha_discovery";
/** The Storage file holding the discovery configs themselves, one after another (Device.discover). */
export const CONFIGS_KEY = "ha_configs";

/** The object ids of the diagnostic entities, comma-separated: no relay or sensor may be named so. */
export const DIAGNOSTIC_NAMES = "uptime,free_memory,mqtt_reconnects,wifi_rssi,ip_address";

/** The object id of the console's restart button: with the console on, no relay or sensor may be named so. */
export const RESTART_KEY = "restart";

// Where the device's ledger stands: nothing to write, owed, or owed and announced in the session that is up.
export const LEDGER_DONE = 0;
export const LEDGER_OWED = 1;
export const LEDGER_SENT = 2;
