// The board's JavaScript world: one vm context, and the means to make values that belong to it.
// Objects, arrays and errors handed to the firmware are made with the context's own constructors, so
// `instanceof Object`, `instanceof Error` and prototype methods behave there as for values it made
// itself. The constructors are taken before builtins.ts removes anything from the context.
import vm from "node:vm";

type Ctor<T> = new (...args: any[]) => T;

export class Realm {
  /** The contextified global object: a property set here is a global of the board. */
  readonly context: vm.Context;
  private readonly O: Ctor<Record<string, unknown>>;
  private readonly A: Ctor<unknown[]>;
  private readonly Err: Ctor<Error>;
  private readonly TypeErr: Ctor<Error>;

  /** new Realm(): a fresh, empty context (ECMAScript builtins only, no require/process/timers). */
  constructor() {
    this.context = vm.createContext({});
    const c = vm.runInContext("({ O: Object, A: Array, E: Error, T: TypeError })", this.context) as {
      O: Ctor<Record<string, unknown>>; A: Ctor<unknown[]>; E: Ctor<Error>; T: Ctor<Error>;
    };
    this.O = c.O;
    this.A = c.A;
    this.Err = c.E;
    this.TypeErr = c.T;
  }

  /** run(code) -> the value of code evaluated in the context (the shim's own set-up scripts). */
  run<T>(code: string): T {
    return vm.runInContext(code, this.context) as T;
  }

  /** obj(props) -> a plain object of the context with props copied in. */
  obj<T extends object>(props: T): T {
    return Object.assign(new this.O(), props) as T;
  }

  /** arr(items) -> an array of the context holding items. */
  arr<T>(items: readonly T[]): T[] {
    const a = new this.A() as T[];
    for (const x of items) a.push(x);
    return a;
  }

  /** error(message) -> an Error of the context, for the shim to throw into the firmware. */
  error(message: string): Error {
    return new this.Err(message);
  }

  /** typeError(message) -> a TypeError of the context. */
  typeError(message: string): Error {
    return new this.TypeErr(message);
  }

  /** setGlobal(name, value): defines a global of the board (writable, as Espruino's are). */
  setGlobal(name: string, value: unknown): void {
    (this.context as Record<string, unknown>)[name] = value;
  }
}
