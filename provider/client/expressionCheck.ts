// Preview-time checks of PowerFx expression rules, for the shared validator.
//
// Syntax errors are refused (position and what was expected). Functions outside the emulator's subset are
// only warned about: the real service evaluates full PowerFx, so refusing them would refuse valid programs.
// Pure: the parser is the routing core's (routing/expression.ts), the one the emulator and simulator run; no I/O.

import { EXPRESSION_FUNCTIONS, checkExpressionSyntax } from "../../routing/expression";

export interface ExpressionViolation {
  path: string;
  rule: "expressionSyntax" | "unknownFunction";
  /** The text after `<path>: `. */
  text: string;
  severity: "error" | "warning";
}

const CONTEXT_CHARS = 24;

/** The text just before `position`, so a long expression's error can be found by eye. */
function before(text: string, position: number): string {
  const start = Math.max(0, position - CONTEXT_CHARS);
  return `${start > 0 ? "…" : ""}${text.slice(start, position)}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(up + 1, (row[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return row[b.length] as number;
}

/** The known function a misspelt name most likely meant (`Iff` → `If`, `isblank` → `IsBlank`). */
export function likelyFunction(name: string): string | undefined {
  let best: { fn: string; d: number } | undefined;
  for (const fn of EXPRESSION_FUNCTIONS) {
    const d = editDistance(name, fn);
    if (d <= 1 && (best === undefined || d < best.d)) best = { fn, d };
  }
  return best?.fn;
}

/** Parentheses opened minus closed, outside string literals and quoted names. */
function parenBalance(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined; // a doubled quote closes and reopens: same balance
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
  }
  return depth;
}

/**
 * Whether a parse error of the emulator's subset is an error in any PowerFx: the text ends too early, a
 * string or parenthesis is left open or closed twice, or a literal stands where an operator or separator
 * must (`true 10`). Anything else (an operator or construct the subset lacks: `in`, `^`, records, tables)
 * may be valid PowerFx, so it is only a warning.
 */
function isCertainError(text: string, reason: string, position: number): boolean {
  if (/unterminated|expression is empty/.test(reason)) return true;
  if (parenBalance(text) !== 0) return true;
  if (position >= text.trimEnd().length) return true;
  return /^[0-9"]/.test(text.slice(position));
}

export function expressionViolations(text: string, path: string): ExpressionViolation[] {
  const { error, unknownFunctions } = checkExpressionSyntax(text);
  const out: ExpressionViolation[] = [];
  if (error !== undefined) {
    const after = error.position > 0 ? ` (after ${JSON.stringify(before(text, error.position))})` : "";
    const where = `${error.reason}, at character ${error.position + 1}${after}`;
    if (isCertainError(text, error.reason, error.position)) {
      out.push({
        path,
        rule: "expressionSyntax",
        text: `is not a valid PowerFx expression: ${where}`,
        severity: "error",
      });
    } else {
      out.push({
        path,
        rule: "expressionSyntax",
        text:
          `the local emulator cannot parse this expression (${where}); the service knows more PowerFx, ` +
          "so this is not refused, but check it",
        severity: "warning",
      });
    }
  }
  for (const call of unknownFunctions) {
    const guess = likelyFunction(call.name);
    out.push({
      path,
      rule: "unknownFunction",
      text:
        `calls ${call.name}() (at character ${call.position + 1}), which the local emulator cannot evaluate ` +
        `(it knows ${EXPRESSION_FUNCTIONS.join(", ")}); the service knows more PowerFx, so this is not refused` +
        (guess !== undefined ? `. Did you mean ${guess}()?` : ""),
      severity: "warning",
    });
  }
  return out;
}
