export { createAdminHandler } from "./handlers";
export type { AdminContext, AdminHandler } from "./handlers";
export { FIELD_ORDER, fillActionIds, normalize } from "./collections";
