export { modelsDir, modelDir, MANIFEST_FILE, PART_SUFFIX } from "./paths.js";
export { planResume, rangeHeader, parseContentRange, responseWriteMode, type ResumePlan } from "./range.js";
export { ProgressReporter, formatBar, formatBytes, formatDuration, formatLine, etaSeconds, type ProgressOptions, type ProgressSnapshot } from "./progress.js";
export { sha256File } from "./hash-file.js";
export { downloadFile, DownloadError, type DownloadFileOptions } from "./download-file.js";
export { coordinatorHttpBase, fetchCatalog, pickEntry } from "./catalog.js";
export { findInstalled, listInstalled, removeModel, verifyModel, type FileCheck, type InstalledModel } from "./installed.js";
export { installModel, type InstallOptions } from "./install.js";
export { resolveModelRef } from "./resolve.js";
