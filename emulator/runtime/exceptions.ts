// Moved to the routing core (routing/exceptions.ts); re-exported for the emulator's modules and tests.

export * from "../../routing/exceptions";
