// Messages about an object a ContactCenter made, in the component's terms: its name, the object's key and the
// component's argument names, with the REST field in brackets where they differ:
//   `ContactCenter "contoso" queues.legacy.exceptionPolicy [exceptionPolicyId]: must not be empty`.

/** REST fields that hold an id, and the ContactCenter argument that names the same thing by key. */
const ARGUMENT: Readonly<Record<string, string>> = {
  distributionPolicyId: "distributionPolicy",
  exceptionPolicyId: "exceptionPolicy",
  fallbackQueueId: "fallbackQueue",
  queueId: "queue",
  classificationPolicyId: "classificationPolicy",
};

/** `exceptionRules[0].actions[1].queueId` → `exceptionRules[0].actions[1].queue [queueId]`. */
export function componentPath(path: string): string {
  const m = /^(.*?)([A-Za-z]+)$/.exec(path);
  if (m === null) return path;
  const argument = ARGUMENT[m[2] ?? ""];
  return argument === undefined ? path : `${m[1] ?? ""}${argument} [${m[2]}]`;
}

/** Rewrites `<path>: <rule>` as `<origin>.<component path>: <rule>`; other text gets `<origin>: ` in front. */
export function inComponentTerms(origin: string, path: string, message: string): string {
  const prefix = `${path}: `;
  if (path !== "" && message.startsWith(prefix))
    return `${origin}.${componentPath(path)}: ${message.slice(prefix.length)}`;
  return `${origin}: ${message}`;
}

/**
 * A create refusal (ownership.ts) of an object a ContactCenter made, in the component's terms: the component, the
 * collection and key go in front, and the listed differences (`  <path>: live → declared`) name the component's
 * arguments, e.g. `  distributionPolicy [distributionPolicyId]: "a" → "b"`.
 */
export function refusalInComponentTerms(origin: string, message: string): string {
  const body = message.startsWith("jobrouter: ") ? message.slice("jobrouter: ".length) : message;
  const lines = body.split("\n").map((line) => {
    const m = /^( {2})([^\s:]+)(: .*)$/.exec(line);
    return m === null ? line : `${m[1] ?? ""}${componentPath(m[2] ?? "")}${m[3] ?? ""}`;
  });
  return `jobrouter: ${origin}: ${lines.join("\n")}`;
}
