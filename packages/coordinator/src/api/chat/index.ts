export { chatCompletionsRoute } from "./route.js";
export { prepareE2e, prepareCoordinatorSealed, type PreparedChat } from "./prepare.js";
export type { ResponseWriter } from "./writer.js";
