// Moved to the routing core (routing/distribution.ts); re-exported for the emulator's modules and tests.

export * from "../../routing/distribution";
