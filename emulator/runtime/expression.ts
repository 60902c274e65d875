// Moved to the routing core (routing/expression.ts); re-exported for the emulator's modules and tests.

export * from "../../routing/expression";
