// Moved to the routing core (routing/selectors.ts); re-exported for the emulator's modules and tests.

export * from "../../routing/selectors";
