/** Where a speed figure came from, most trusted first. */
export type SpeedSource = "measured" | "reported" | "fleet_median" | "benchmark" | "default";

/** The tok/s the router assumes for one provider and model. */
export interface SpeedEstimate {
  decodeTps: number;
  prefillTps: number;
  decodeSource: SpeedSource;
  prefillSource: SpeedSource;
}
