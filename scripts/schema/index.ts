export { SCHEMA_PATH, generateSchema, schemaText } from "./generate";
export { TypeMapper } from "./typeMap";
export type { ObjectTypeSpec, PropertySpec } from "./typeMap";
