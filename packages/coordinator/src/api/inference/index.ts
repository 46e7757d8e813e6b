// The family-independent inference path: parse (per family, via protocol) → route → reserve →
// relay → write (per privacy mode) → settle. Each API family's route is `inferenceRoute(deps, kind)`.
export { inferenceRoute } from "./route.js";
export { prepareE2e, prepareCoordinatorSealed, type PreparedRequest } from "./prepare.js";
export type { ResponseWriter } from "./writer.js";
