// Maps TypeScript types of the REST models (provider/client/models.ts) to Pulumi schema types, with the
// TypeScript checker: the models are the single definition of what each resource accepts, and their JSDoc
// the single source of the descriptions.
//
// Pulumi schema has no discriminated unions that every language renders well, so a union of object types
// discriminated by `kind` (RouterRule, the selector attachments, DistributionMode, the exception triggers and
// actions) becomes one object type: `kind` required, every member's other properties optional, each
// described with the kinds it applies to. Which combinations are valid stays the validator's job
// (provider/client/validation.ts), at preview, with the same messages as the dynamic classes.

import ts from "typescript";
import { CREDENTIAL_KEYS } from "../../provider/credentials";

export interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  secret?: boolean;
}

export interface ObjectTypeSpec {
  type: "object";
  description: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

const ANY: PropertySpec = { $ref: "pulumi.json#/Any" };

export class TypeMapper {
  /** Object types met so far, by schema token. */
  readonly types = new Map<string, ObjectTypeSpec>();
  /** Properties that have no JSDoc: the generator refuses to write a schema with any. */
  readonly undocumented: string[] = [];

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly pkg: string,
  ) {}

  docOf(symbol: ts.Symbol): string {
    // JSDoc line breaks are layout, not meaning: one line per description.
    return ts
      .displayPartsToString(symbol.getDocumentationComment(this.checker))
      .replace(/\s*\n\s*/g, " ")
      .trim();
  }

  /** The schema of a property's type (optional properties' `undefined` dropped). */
  map(type: ts.Type, where: string): PropertySpec {
    const members = this.withoutUndefined(type);
    const [only] = members;
    if (members.length === 1 && only) return this.mapOne(only, where);
    if (members.every((m) => m.flags & ts.TypeFlags.StringLiteral)) return { type: "string" };
    if (members.every((m) => m.flags & ts.TypeFlags.BooleanLiteral)) return { type: "boolean" };
    if (type.isUnion() && members.every((m) => this.isObject(m) && m.getProperty("kind") !== undefined)) {
      return { $ref: this.ref(this.union(type, members, where)) };
    }
    return ANY;
  }

  private mapOne(t: ts.Type, where: string): PropertySpec {
    if (t.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) return { type: "string" };
    if (t.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return { type: "number" };
    if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: "boolean" };
    if (this.checker.isArrayType(t)) {
      const [item] = this.checker.getTypeArguments(t as ts.TypeReference);
      return { type: "array", items: item ? this.map(item, `${where}[]`) : ANY };
    }
    if (this.isObject(t)) {
      const index = this.checker.getIndexInfoOfType(t, ts.IndexKind.String);
      if (index && t.getProperties().length === 0) {
        return { type: "object", additionalProperties: this.map(index.type, `${where}{}`) };
      }
      return { $ref: this.ref(this.object(t, where)) };
    }
    return ANY;
  }

  /**
   * A property's type as written (`mode?: DistributionMode` gives the alias, where the symbol's type would be
   * an anonymous `BestWorkerMode | ... | undefined`).
   */
  typeOfProperty(symbol: ts.Symbol): ts.Type {
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) && decl.type) {
      return this.checker.getTypeFromTypeNode(decl.type);
    }
    return this.checker.getTypeOfSymbol(symbol);
  }

  private ref(token: string): string {
    return `#/types/${token}`;
  }

  /** The members of a type, without `undefined` (`boolean` stays one member). */
  private withoutUndefined(type: ts.Type): ts.Type[] {
    if (!type.isUnion() || type.flags & ts.TypeFlags.Boolean) return [type];
    const kept = type.types.filter((m) => !(m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    // `boolean | undefined` is `true | false | undefined`: what is left is still a boolean.
    if (kept.length === 2 && kept.every((m) => m.flags & ts.TypeFlags.BooleanLiteral))
      return [this.checker.getBooleanType()];
    return kept;
  }

  private isObject(t: ts.Type): boolean {
    return (t.flags & ts.TypeFlags.Object) !== 0;
  }

  /** `RouterWorkerSelectorInput` → `RouterWorkerSelector`: the schema speaks of inputs everywhere. */
  private tokenFor(name: string, where: string): string {
    if (name === "" || name === "__type" || name === "__object") {
      throw new Error(`schema: the type of ${where} has no name: give it an interface or a type alias in models.ts`);
    }
    return `${this.pkg}:index:${name.replace(/Input$/, "")}`;
  }

  private typeDoc(t: ts.Type): string {
    const symbol = t.aliasSymbol ?? t.getSymbol();
    return symbol ? this.docOf(symbol) : "";
  }

  private property(owner: string, symbol: ts.Symbol, where: string): PropertySpec {
    const type = this.typeOfProperty(symbol);
    const spec: PropertySpec = { ...this.map(type, `${where}.${symbol.name}`) };
    const description = this.docOf(symbol);
    if (description === "") this.undocumented.push(`${owner}.${symbol.name}`);
    else spec.description = description;
    if (CREDENTIAL_KEYS.includes(symbol.name)) spec.secret = true;
    return spec;
  }

  private object(t: ts.Type, where: string): string {
    const name = t.aliasSymbol?.name ?? t.getSymbol()?.name ?? "";
    const token = this.tokenFor(name, where);
    if (this.types.has(token)) return token;
    const spec: ObjectTypeSpec = { type: "object", description: this.typeDoc(t), properties: {} };
    this.types.set(token, spec);
    if (spec.description === "") this.undocumented.push(token);
    const required: string[] = [];
    for (const symbol of t.getProperties()) {
      spec.properties[symbol.name] = this.property(token, symbol, name);
      if (!(symbol.flags & ts.SymbolFlags.Optional)) required.push(symbol.name);
    }
    if (required.length > 0) spec.required = required;
    return token;
  }

  /** One object type for a union discriminated by `kind` (see the header). */
  private union(t: ts.UnionType, members: readonly ts.Type[], where: string): string {
    const token = this.tokenFor(t.aliasSymbol?.name ?? "", where);
    if (this.types.has(token)) return token;
    const spec: ObjectTypeSpec = { type: "object", description: this.typeDoc(t), properties: {}, required: ["kind"] };
    this.types.set(token, spec);
    if (spec.description === "") this.undocumented.push(token);
    const kinds = members.map((m) => {
      const kind = m.getProperty("kind");
      const literal = kind ? this.checker.getTypeOfSymbol(kind) : undefined;
      return literal?.isStringLiteral() ? literal.value : "?";
    });
    // A property's description is the first member's that has one (members repeat shared ones without JSDoc).
    const seen = new Map<string, { symbol: ts.Symbol; spec: PropertySpec }>();
    for (const member of members) {
      for (const symbol of member.getProperties()) {
        const known = seen.get(symbol.name);
        const mapped = this.map(this.typeOfProperty(symbol), `${where}.${symbol.name}`);
        if (known === undefined) {
          seen.set(symbol.name, { symbol, spec: mapped });
        } else {
          if (JSON.stringify(known.spec) !== JSON.stringify(mapped)) known.spec = ANY;
          if (this.docOf(known.symbol) === "" && this.docOf(symbol) !== "") known.symbol = symbol;
        }
      }
    }
    for (const [name, { symbol, spec: mapped }] of seen) {
      const description = this.docOf(symbol);
      const out: PropertySpec = { ...mapped };
      // The kind's description is made from the members themselves, so it always lists every kind there is.
      if (name === "kind")
        out.description = `Which kind of ${token.split(":").pop() ?? ""} this is: one of ${kinds.join(", ")}.`;
      else if (description === "") this.undocumented.push(`${token}.${name}`);
      else out.description = description;
      if (CREDENTIAL_KEYS.includes(name)) out.secret = true;
      spec.properties[name] = out;
    }
    return token;
  }
}
