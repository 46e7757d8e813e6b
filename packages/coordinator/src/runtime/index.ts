export { systemClock, systemEntropy, type Clock, type Entropy, type TimerHandle } from "./clock.js";
