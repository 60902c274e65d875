// A deep copy of stored JSON: what structuredClone gives for plain objects, arrays and primitives, at a fraction of
// its cost. The routing engine reads its queue and distribution policy from the store on every job, and each read
// is a copy; structuredClone (a serialize-then-deserialize round trip) was a twelfth of the emulator's time in the
// routing benchmark. Anything that is not plain JSON (a Date, a Map, a class instance) still goes through
// structuredClone, so the copy is the same as before whatever a caller stores.

export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  return cloneObject(value) as T;
}

function cloneObject(value: object): unknown {
  if (Array.isArray(value)) {
    const items = value as unknown[];
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      // A hole reads as undefined; structuredClone keeps the hole. JSON has no holes, so only an odd caller sees it.
      if (!(i in items)) return structuredClone(value);
      const v = items[i];
      out[i] = typeof v === "object" && v !== null ? cloneObject(v) : v;
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const v = source[key];
    const copy = typeof v === "object" && v !== null ? cloneObject(v) : v;
    // `out.__proto__ = x` would set the prototype; an own "__proto__" member (JSON.parse makes one) stays a member.
    if (key === "__proto__")
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}
