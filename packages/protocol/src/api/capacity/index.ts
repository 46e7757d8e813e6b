export * from "./capacity.js";
