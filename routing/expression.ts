// A small evaluator for the PowerFx subset that Job Router expression rules use in practice
// (`If(job.Hardware_VIP = true, 10, 1)`, `job.Region = "NA"`, `worker.Skill * 2 + 1`).
//
// The grammar and the type rules are documented in emulator/runtime/EXPRESSIONS.md; keep the two in
// step. Parsing is separate from evaluation so a rule can be parsed once when a policy is stored
// (and refused with a positioned error) and evaluated many times.

import type { Labels, Primitive } from "../provider/client/models";

/** A runtime value: a primitive, or a record of labels (the `job` / `worker` roots). */
export type ExprValue = Primitive | ExprRecord;
export interface ExprRecord {
  readonly kind: "record";
  readonly fields: Readonly<Record<string, Primitive | undefined>>;
}

/** The names an expression can see. Missing roots are an error; missing labels are Blank. */
export type ExprScope = Readonly<Record<string, Labels | undefined>>;

export class ExpressionError extends Error {
  /** What is wrong, without the position (e.g. `expected ')' but found end of expression`). */
  readonly reason: string;
  constructor(
    message: string,
    /** 0-based character offset in the expression text. */
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
    this.name = "ExpressionError";
    this.reason = message;
  }
}

// ---------------------------------------------------------------- tokens

type TokenKind = "number" | "string" | "ident" | "quotedIdent" | "op" | "punct" | "eof";
interface Token {
  kind: TokenKind;
  text: string;
  value?: number | string;
  pos: number;
}

const TWO_CHAR_OPS = ["<=", ">=", "<>", "&&", "||"];
const ONE_CHAR_OPS = ["=", "<", ">", "+", "-", "*", "/", "&", "!"];
const PUNCT = ["(", ")", ",", "."];

/** Reads a quoted run starting at `at` (the opening quote); a doubled quote stands for one. */
function readQuoted(text: string, at: number, quote: '"' | "'"): { value: string; end: number } {
  let value = "";
  let i = at + 1;
  for (;;) {
    if (i >= text.length) {
      throw new ExpressionError(quote === '"' ? "unterminated string literal" : "unterminated quoted name", at);
    }
    const ch = text[i] as string;
    if (ch === quote) {
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i++;
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      const lit = m ? m[0] : c;
      tokens.push({ kind: "number", text: lit, value: Number(lit), pos: start });
      i += lit.length;
      continue;
    }
    if (c === '"' || c === "'") {
      // "text" is a string literal; 'name' a quoted identifier, for label names with spaces or symbols
      // (job.'Preferred Language'). In both, PowerFx escapes the quote by doubling it.
      const { value, end } = readQuoted(text, i, c);
      const kind = c === '"' ? "string" : "quotedIdent";
      tokens.push({ kind, text: text.slice(start, end), value, pos: start });
      i = end;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      const name = m ? m[0] : c;
      tokens.push({ kind: "ident", text: name, value: name, pos: start });
      i += name.length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_OPS.includes(two)) {
      tokens.push({ kind: "op", text: two, pos: start });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(c)) {
      tokens.push({ kind: "op", text: c, pos: start });
      i++;
      continue;
    }
    if (PUNCT.includes(c)) {
      tokens.push({ kind: "punct", text: c, pos: start });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character '${c}'`, start);
  }
  tokens.push({ kind: "eof", text: "", pos: text.length });
  return tokens;
}

// ---------------------------------------------------------------- syntax tree

export type Expr =
  | { type: "literal"; value: Primitive; pos: number }
  | { type: "name"; name: string; pos: number }
  | { type: "member"; object: Expr; name: string; pos: number }
  | { type: "unary"; op: "-" | "+" | "not"; operand: Expr; pos: number }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr; pos: number }
  | { type: "call"; fn: string; args: Expr[]; pos: number };

type BinaryOp = "or" | "and" | "=" | "<>" | "<" | "<=" | ">" | ">=" | "&" | "+" | "-" | "*" | "/";

/** The functions this subset knows; names are case-sensitive as in PowerFx. */
export const EXPRESSION_FUNCTIONS = [
  "If",
  "And",
  "Or",
  "Not",
  "IsBlank",
  "Blank",
  "Coalesce",
  "Abs",
  "Min",
  "Max",
] as const;

/** A call of a function outside EXPRESSION_FUNCTIONS, found by a lenient parse. */
export interface UnknownFunctionCall {
  name: string;
  /** 0-based character offset of the name. */
  position: number;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    /** When set, unknown functions are reported here instead of refused (the service knows more PowerFx). */
    private readonly unknownCalls?: UnknownFunctionCall[],
  ) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    const t = this.tokens[this.i] as Token;
    if (t.kind !== "eof") this.i++;
    return t;
  }
  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t.kind === "op" && ops.includes(t.text);
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    // `And`/`Or`/`Not` are operators only when not followed by `(` (then they are functions).
    return t.kind === "ident" && t.text === word && (this.tokens[this.i + 1] as Token).text !== "(";
  }
  private expectPunct(p: string): Token {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== p) {
      throw new ExpressionError(`expected '${p}' but found ${describe(t)}`, t.pos);
    }
    return t;
  }

  parseAll(): Expr {
    const e = this.parseOr();
    const t = this.peek();
    if (t.kind !== "eof") throw new ExpressionError(`unexpected ${describe(t)}`, t.pos);
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isOp("||") || this.isKeyword("Or")) {
      const t = this.next();
      left = { type: "binary", op: "or", left, right: this.parseAnd(), pos: t.pos };
    }
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isOp("&&") || this.isKeyword("And")) {
      const t = this.next();
      left = { type: "binary", op: "and", left, right: this.parseNot(), pos: t.pos };
    }
    return left;
  }
  private parseNot(): Expr {
    if (this.isOp("!") || this.isKeyword("Not")) {
      const t = this.next();
      return { type: "unary", op: "not", operand: this.parseNot(), pos: t.pos };
    }
    return this.parseComparison();
  }
  private parseComparison(): Expr {
    let left = this.parseConcat();
    while (this.isOp("=", "<>", "<", "<=", ">", ">=")) {
      const t = this.next();
      left = { type: "binary", op: t.text as BinaryOp, left, right: this.parseConcat(), pos: t.pos };
    }
    return left;
  }
  private parseConcat(): Expr {
    let left = this.parseAdditive();
    while (this.isOp("&")) {
      const t = this.next();
      left = { type: "binary", op: "&", left, right: this.parseAdditive(), pos: t.pos };
    }
    return left;
  }
  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isOp("+", "-")) {
      const t = this.next();
      left = { type: "binary", op: t.text as BinaryOp, left, right: this.parseMultiplicative(), pos: t.pos };
    }
    return left;
  }
  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isOp("*", "/")) {
      const t = this.next();
      left = { type: "binary", op: t.text as BinaryOp, left, right: this.parseUnary(), pos: t.pos };
    }
    return left;
  }
  private parseUnary(): Expr {
    if (this.isOp("-", "+")) {
      const t = this.next();
      return { type: "unary", op: t.text as "-" | "+", operand: this.parseUnary(), pos: t.pos };
    }
    return this.parsePostfix();
  }
  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind === "punct" && t.text === ".") {
        this.next();
        const n = this.next();
        if (n.kind !== "ident" && n.kind !== "quotedIdent") {
          throw new ExpressionError(`expected a label name after '.' but found ${describe(n)}`, n.pos);
        }
        e = { type: "member", object: e, name: String(n.value), pos: n.pos };
        continue;
      }
      return e;
    }
  }
  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "number":
        return { type: "literal", value: t.value as number, pos: t.pos };
      case "string":
        return { type: "literal", value: t.value as string, pos: t.pos };
      case "quotedIdent":
        return { type: "name", name: String(t.value), pos: t.pos };
      case "ident": {
        if (t.text === "true") return { type: "literal", value: true, pos: t.pos };
        if (t.text === "false") return { type: "literal", value: false, pos: t.pos };
        const after = this.peek();
        if (after.kind === "punct" && after.text === "(") {
          this.next();
          const args: Expr[] = [];
          if (!(this.peek().kind === "punct" && this.peek().text === ")")) {
            for (;;) {
              args.push(this.parseOr());
              const sep = this.peek();
              if (sep.kind === "punct" && sep.text === ",") {
                this.next();
                continue;
              }
              break;
            }
          }
          this.expectPunct(")");
          if (this.unknownCalls !== undefined && !isKnownFunction(t.text)) {
            this.unknownCalls.push({ name: t.text, position: t.pos });
          } else checkCall(t.text, args.length, t.pos);
          return { type: "call", fn: t.text, args, pos: t.pos };
        }
        return { type: "name", name: t.text, pos: t.pos };
      }
      case "punct":
        if (t.text === "(") {
          const e = this.parseOr();
          this.expectPunct(")");
          return e;
        }
        break;
      default:
        break;
    }
    throw new ExpressionError(`unexpected ${describe(t)}`, t.pos);
  }
}

function describe(t: Token): string {
  return t.kind === "eof" ? "end of expression" : `'${t.text}'`;
}

function isKnownFunction(fn: string): boolean {
  return (EXPRESSION_FUNCTIONS as readonly string[]).includes(fn);
}

function checkCall(fn: string, n: number, pos: number): void {
  const arity: Record<string, [number, number]> = {
    If: [2, Number.POSITIVE_INFINITY],
    And: [1, Number.POSITIVE_INFINITY],
    Or: [1, Number.POSITIVE_INFINITY],
    Not: [1, 1],
    IsBlank: [1, 1],
    Blank: [0, 0],
    Coalesce: [1, Number.POSITIVE_INFINITY],
    Abs: [1, 1],
    Min: [1, Number.POSITIVE_INFINITY],
    Max: [1, Number.POSITIVE_INFINITY],
  };
  const a = arity[fn];
  if (!a) {
    throw new ExpressionError(`unknown function '${fn}' (supported: ${EXPRESSION_FUNCTIONS.join(", ")})`, pos);
  }
  if (n < a[0] || n > a[1]) {
    throw new ExpressionError(
      `function '${fn}' takes ${a[0] === a[1] ? a[0] : `at least ${a[0]}`} argument(s), got ${n}`,
      pos,
    );
  }
}

/** Parse an expression; throws ExpressionError with the offending position. */
export function parseExpression(text: string): Expr {
  if (text.trim().length === 0) throw new ExpressionError("expression is empty", 0);
  return new Parser(tokenize(text)).parseAll();
}

/** What a preview-time syntax check learns about an expression. */
export interface ExpressionSyntax {
  /** The first syntax error (a call of a known function with the wrong arity counts), if any. */
  error?: ExpressionError;
  /** Calls of functions this evaluator does not know: PowerFx has many more, so these are not errors. */
  unknownFunctions: UnknownFunctionCall[];
}

/**
 * Checks the syntax without refusing unknown functions: the service evaluates full PowerFx, this
 * evaluator a subset, and valid PowerFx must never be refused because the subset lacks it.
 */
export function checkExpressionSyntax(text: string): ExpressionSyntax {
  const unknownFunctions: UnknownFunctionCall[] = [];
  try {
    if (text.trim().length === 0) throw new ExpressionError("expression is empty", 0);
    new Parser(tokenize(text), unknownFunctions).parseAll();
    return { unknownFunctions };
  } catch (e) {
    if (e instanceof ExpressionError) return { error: e, unknownFunctions };
    throw e;
  }
}

// ---------------------------------------------------------------- evaluation

function typeName(v: ExprValue): string {
  if (v === null) return "Blank";
  if (typeof v === "object") return "Record";
  return typeof v === "number" ? "Number" : typeof v === "string" ? "Text" : "Boolean";
}

function asBool(v: ExprValue, pos: number, what: string): boolean {
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  throw new ExpressionError(`${what} must be a Boolean, got ${typeName(v)}`, pos);
}

function asNumber(v: ExprValue, pos: number, what: string): number {
  if (v === null) return 0; // PowerFx treats Blank as 0 in arithmetic
  if (typeof v === "number") return v;
  throw new ExpressionError(`${what} must be a Number, got ${typeName(v)}`, pos);
}

function asText(v: ExprValue, pos: number): string {
  if (v === null) return "";
  if (typeof v === "object") throw new ExpressionError("cannot convert a Record to Text", pos);
  return String(v);
}

function equalValues(a: ExprValue, b: ExprValue, pos: number): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === "object" || typeof b === "object") {
    throw new ExpressionError("records cannot be compared", pos);
  }
  if (typeof a !== typeof b) {
    throw new ExpressionError(`cannot compare ${typeName(a)} with ${typeName(b)}`, pos);
  }
  return a === b;
}

function finite(n: number, pos: number): number {
  if (!Number.isFinite(n)) throw new ExpressionError("arithmetic result is not a finite number", pos);
  return n;
}

function evaluateNode(e: Expr, scope: ExprScope): ExprValue {
  switch (e.type) {
    case "literal":
      return e.value;
    case "name": {
      if (!Object.prototype.hasOwnProperty.call(scope, e.name)) {
        const known = Object.keys(scope);
        throw new ExpressionError(
          `unknown name '${e.name}'${known.length ? ` (available: ${known.join(", ")})` : ""}`,
          e.pos,
        );
      }
      return { kind: "record", fields: scope[e.name] ?? {} };
    }
    case "member": {
      const obj = evaluateNode(e.object, scope);
      if (obj === null) return null;
      if (typeof obj !== "object") {
        throw new ExpressionError(`'.${e.name}' applied to a ${typeName(obj)}, not a record`, e.pos);
      }
      const v = obj.fields[e.name];
      return v === undefined ? null : v;
    }
    case "unary": {
      const v = evaluateNode(e.operand, scope);
      if (e.op === "not") return !asBool(v, e.pos, "operand of Not");
      const n = asNumber(v, e.pos, `operand of unary '${e.op}'`);
      return e.op === "-" ? -n : n;
    }
    case "binary":
      return evaluateBinary(e.op, e.left, e.right, e.pos, scope);
    case "call":
      return evaluateCall(e.fn, e.args, e.pos, scope);
  }
}

function evaluateBinary(op: BinaryOp, l: Expr, r: Expr, pos: number, scope: ExprScope): ExprValue {
  if (op === "and") {
    return asBool(evaluateNode(l, scope), pos, "left of And") && asBool(evaluateNode(r, scope), pos, "right of And");
  }
  if (op === "or") {
    return asBool(evaluateNode(l, scope), pos, "left of Or") || asBool(evaluateNode(r, scope), pos, "right of Or");
  }
  const a = evaluateNode(l, scope);
  const b = evaluateNode(r, scope);
  switch (op) {
    case "=":
      return equalValues(a, b, pos);
    case "<>":
      return !equalValues(a, b, pos);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const x = asNumber(a, pos, `left of '${op}'`);
      const y = asNumber(b, pos, `right of '${op}'`);
      return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
    }
    case "&":
      return asText(a, pos) + asText(b, pos);
    case "+":
      return finite(asNumber(a, pos, "left of '+'") + asNumber(b, pos, "right of '+'"), pos);
    case "-":
      return finite(asNumber(a, pos, "left of '-'") - asNumber(b, pos, "right of '-'"), pos);
    case "*":
      return finite(asNumber(a, pos, "left of '*'") * asNumber(b, pos, "right of '*'"), pos);
    case "/": {
      const d = asNumber(b, pos, "right of '/'");
      if (d === 0) throw new ExpressionError("division by zero", pos);
      return finite(asNumber(a, pos, "left of '/'") / d, pos);
    }
  }
}

function evaluateCall(fn: string, args: Expr[], pos: number, scope: ExprScope): ExprValue {
  const arg = (i: number): ExprValue => evaluateNode(args[i] as Expr, scope);
  switch (fn) {
    case "If": {
      // If(cond1, value1, [cond2, value2, ...], [else])
      let i = 0;
      for (; i + 1 < args.length; i += 2) {
        if (asBool(arg(i), (args[i] as Expr).pos, `condition ${i / 2 + 1} of If`)) return arg(i + 1);
      }
      return i < args.length ? arg(i) : null;
    }
    case "And":
      return args.every((a, i) => asBool(evaluateNode(a, scope), a.pos, `argument ${i + 1} of And`));
    case "Or":
      return args.some((a, i) => asBool(evaluateNode(a, scope), a.pos, `argument ${i + 1} of Or`));
    case "Not":
      return !asBool(arg(0), pos, "argument of Not");
    case "IsBlank": {
      const v = arg(0);
      return v === null || v === "";
    }
    case "Blank":
      return null;
    case "Coalesce": {
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (v !== null && v !== "") return v;
      }
      return null;
    }
    case "Abs":
      return Math.abs(asNumber(arg(0), pos, "argument of Abs"));
    case "Min":
    case "Max": {
      const nums = args.map((a, i) => asNumber(evaluateNode(a, scope), a.pos, `argument ${i + 1} of ${fn}`));
      return fn === "Min" ? Math.min(...nums) : Math.max(...nums);
    }
    default:
      throw new ExpressionError(`unknown function '${fn}'`, pos);
  }
}

/** Evaluate a parsed expression. The result is always a primitive (a bare record is refused). */
export function evaluateExpression(expr: Expr, scope: ExprScope): Primitive {
  const v = evaluateNode(expr, scope);
  if (v !== null && typeof v === "object") {
    throw new ExpressionError("the expression evaluates to a record; select a label with '.'", expr.pos);
  }
  return v;
}

const cache = new Map<string, Expr>();

/** Parse (cached by text) and evaluate. */
export function evaluate(text: string, scope: ExprScope): Primitive {
  let parsed = cache.get(text);
  if (!parsed) {
    parsed = parseExpression(text);
    if (cache.size > 1000) cache.clear();
    cache.set(text, parsed);
  }
  return evaluateExpression(parsed, scope);
}
