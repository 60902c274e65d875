// A tiny code tree for TypeScript literals and its printer. The printer only has to produce valid TypeScript with
// one member per line: prettier (format.ts) gives it the final layout.

import { isObject } from "../provider/json";
import type { SpecPath } from "./model";

export type Code =
  | { readonly t: "json"; readonly value: string | number | boolean | null }
  | { readonly t: "raw"; readonly text: string }
  | { readonly t: "object"; readonly entries: readonly Entry[] }
  | { readonly t: "array"; readonly items: readonly Code[] };

export interface Entry {
  readonly key: string;
  readonly value: Code;
  /** A line comment above the member: why a value is what it is. */
  readonly comment?: string;
}

export const raw = (text: string): Code => ({ t: "raw", text });
export const json = (value: string | number | boolean | null): Code => ({ t: "json", value });

/** What replaces the value at a path: a reference, a secret read, or the value with a comment. */
export interface Override {
  readonly code: Code;
  readonly comment?: string;
}

export function pathKey(path: SpecPath): string {
  return JSON.stringify(path);
}

/**
 * Member order of nested objects: `kind` first (it says what the rest means), then `id`, then the others by name,
 * so the same object always prints the same way whatever order the service sent its members in.
 */
export function memberOrder(keys: readonly string[]): string[] {
  const rank = (k: string): number => (k === "kind" ? 0 : k === "id" ? 1 : 2);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The code of a JSON value, with overrides at some paths (relative to `base`). */
export function codeOf(value: unknown, overrides: ReadonlyMap<string, Override>, base: SpecPath = []): Code {
  const here = overrides.get(pathKey(base));
  if (here) return here.code;
  if (Array.isArray(value)) return { t: "array", items: value.map((v, i) => codeOf(v, overrides, [...base, i])) };
  if (isObject(value)) {
    const entries: Entry[] = [];
    for (const key of memberOrder(Object.keys(value).filter((k) => value[k] !== undefined))) {
      entries.push(entryOf(key, value[key], overrides, [...base, key]));
    }
    return { t: "object", entries };
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return json(value);
  if (typeof value === "number" && Number.isFinite(value)) return json(value);
  throw new TypeError(`cannot write ${String(value)} at ${pathKey(base)} as a literal`);
}

/** A member with its override's comment, if any. */
export function entryOf(key: string, value: unknown, overrides: ReadonlyMap<string, Override>, path: SpecPath): Entry {
  const o = overrides.get(pathKey(path));
  return o ? { key, value: o.code, comment: o.comment } : { key, value: codeOf(value, overrides, path) };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyName(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/** One line, safe inside a `//` comment. */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}

export function print(code: Code): string {
  switch (code.t) {
    case "json":
      return JSON.stringify(code.value);
    case "raw":
      return code.text;
    case "array":
      return code.items.length === 0 ? "[]" : `[\n${code.items.map((i) => `${print(i)},\n`).join("")}]`;
    case "object":
      return code.entries.length === 0
        ? "{}"
        : `{\n${code.entries
            .map(
              (e) => `${e.comment ? `// ${commentText(e.comment)}\n` : ""}${propertyName(e.key)}: ${print(e.value)},\n`,
            )
            .join("")}}`;
  }
}
