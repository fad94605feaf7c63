// Which optional parts of the firmware a build keeps. `npm run build` defines each flag from the board
// (sim/build/features.ts): false makes the code that builds the part dead, and the bundler drops the part's
// classes, because on the interpreter every method of a class costs JsVars even when nothing makes one.
// From the sources (simulator, tests) the flags are not defined and every part is there, so test them as
// `typeof __HAS_X__ === "undefined" || __HAS_X__`.
declare const __HAS_BUTTONS__: boolean | undefined;
declare const __HAS_STATUS_LED__: boolean | undefined;
declare const __HAS_CONSOLE__: boolean | undefined;
declare const __HAS_BUS_SENSORS__: boolean | undefined;
declare const __HAS_DS18B20__: boolean | undefined;
declare const __HAS_DHT22__: boolean | undefined;
