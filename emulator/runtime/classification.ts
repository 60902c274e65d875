// Moved to the routing core (routing/classification.ts); re-exported for the emulator's modules and tests.

export * from "../../routing/classification";
