import { describe, expect, it } from "vitest";
import { evaluate, ExpressionError, parseExpression } from "../../routing/expression";

const job = { Region: "NA", Hardware_VIP: true, Tier: 3, Name: "Ann", Empty: null, "Preferred Language": "fr" };
const scope = { job };

describe("expression language subset", () => {
  it("reads a job label with job.<Name>", () => {
    expect(evaluate("job.Region", scope)).toBe("NA");
  });

  it("reads a label with a quoted name", () => {
    expect(evaluate("job.'Preferred Language'", scope)).toBe("fr");
  });

  it("unescapes a doubled quote in a quoted name, and names an unterminated literal or name with its position", () => {
    expect(evaluate("job.'it''s'", { job: { "it's": 1 } })).toBe(1);
    for (const [text, message] of [
      ['job.Region = "NA', "unterminated string literal"],
      ["job.'Preferred Language", "unterminated quoted name"],
    ] as const) {
      try {
        evaluate(text, scope);
        expect.unreachable(`${text} must not parse`);
      } catch (err) {
        expect(err).toBeInstanceOf(ExpressionError);
        expect((err as ExpressionError).message).toContain(message);
        expect((err as ExpressionError).position).toBe(text.search(/["']/));
      }
    }
  });

  it("treats a missing label as Blank", () => {
    expect(evaluate("job.Missing", scope)).toBeNull();
    expect(evaluate("IsBlank(job.Missing)", scope)).toBe(true);
  });

  it("compares with = and <>", () => {
    expect(evaluate('job.Region = "NA"', scope)).toBe(true);
    expect(evaluate('job.Region <> "NA"', scope)).toBe(false);
    expect(evaluate("job.Hardware_VIP = true", scope)).toBe(true);
  });

  it("compares numbers with < <= > >=", () => {
    expect(evaluate("job.Tier < 4", scope)).toBe(true);
    expect(evaluate("job.Tier <= 3", scope)).toBe(true);
    expect(evaluate("job.Tier > 3", scope)).toBe(false);
    expect(evaluate("job.Tier >= 3", scope)).toBe(true);
  });

  it("does arithmetic with precedence and unary minus", () => {
    expect(evaluate("job.Tier * 2 + 1", scope)).toBe(7);
    expect(evaluate("(job.Tier + 1) * 2", scope)).toBe(8);
    expect(evaluate("-job.Tier / 2", scope)).toBe(-1.5);
    expect(evaluate("10 - 4 - 3", scope)).toBe(3);
  });

  it("concatenates text with &", () => {
    expect(evaluate('job.Name & "-" & job.Tier', scope)).toBe("Ann-3");
  });

  it("supports And/Or/Not and &&/||/!", () => {
    expect(evaluate('job.Tier > 1 And job.Region = "NA"', scope)).toBe(true);
    expect(evaluate('job.Tier > 5 || job.Region = "EU"', scope)).toBe(false);
    expect(evaluate("!job.Hardware_VIP", scope)).toBe(false);
    expect(evaluate("Not job.Hardware_VIP Or true", scope)).toBe(true);
    expect(evaluate("And(true, job.Tier = 3)", scope)).toBe(true);
    expect(evaluate("Or(false, false)", scope)).toBe(false);
  });

  it("evaluates If with an else branch, without one, and with several conditions", () => {
    expect(evaluate("If(job.Hardware_VIP = true, 10, 1)", scope)).toBe(10);
    expect(evaluate("If(job.Tier > 5, 10)", scope)).toBeNull();
    expect(evaluate('If(job.Tier = 1, "low", job.Tier = 3, "high", "other")', scope)).toBe("high");
  });

  it("short-circuits logical operators so the unevaluated side cannot fail", () => {
    expect(evaluate("false And job.Name > 1", scope)).toBe(false);
  });

  it("supports Coalesce, Abs, Min, Max, Blank", () => {
    expect(evaluate("Coalesce(job.Missing, job.Region)", scope)).toBe("NA");
    expect(evaluate("Abs(-4) + Min(3, 1, 2) + Max(1, 9)", scope)).toBe(14);
    expect(evaluate("IsBlank(Blank())", scope)).toBe(true);
  });

  it("handles string escapes by doubled quotes", () => {
    expect(evaluate('"say ""hi"""', scope)).toBe('say "hi"');
  });

  it("rejects a type mismatch in = with a positioned error", () => {
    expect(() => evaluate('job.Tier = "3"', scope)).toThrow(/cannot compare Number with Text/);
  });

  it("rejects ordering of text", () => {
    expect(() => evaluate('job.Region < "Z"', scope)).toThrow(ExpressionError);
  });

  it("rejects unknown names and functions", () => {
    expect(() => evaluate("customer.Tier", scope)).toThrow(/unknown name 'customer' \(available: job\)/);
    expect(() => evaluate("Sum(1, 2)", scope)).toThrow(/unknown function 'Sum'/);
  });

  it("rejects syntax errors with the position", () => {
    try {
      parseExpression("If(job.Tier > 1, 2");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as ExpressionError).position).toBe(18);
      expect((err as Error).message).toContain("expected ')'");
    }
  });

  it("refuses division by zero", () => {
    expect(() => evaluate("1 / (job.Tier - 3)", scope)).toThrow(/division by zero/);
  });

  it("refuses a bare record as the result", () => {
    expect(() => evaluate("job", scope)).toThrow(/record/);
  });

  it("sees worker labels when the scope has a worker (scoring rules)", () => {
    expect(evaluate("If(worker.Skill > job.Tier, worker.Skill, 0)", { job, worker: { Skill: 8 } })).toBe(8);
  });
});
