// The doctor's I/O: gathers the facts the pure checks judge.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, stat, statfs } from "node:fs/promises";
import { totalmem } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import type { CoordinatorFacts, DiskFacts, EngineFacts, IdentityFacts, MemoryFacts, ModelFacts } from "./types.js";

export { modelsDir } from "../dirs.js";

export async function engineFacts(): Promise<EngineFacts> {
  try {
    const { loadLlama, resolveLlamaConfig } = await import("../engine/llama.js");
    const llama = await loadLlama(resolveLlamaConfig({}));
    return { ok: true, backend: llama.gpu === false ? "cpu" : llama.gpu, threads: llama.maxThreads, cpuMathCores: llama.cpuMathCores, binary: llama.buildType };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export function memoryFacts(): MemoryFacts {
  return { totalBytes: totalmem() };
}

/** Free space where models go (the nearest existing ancestor when the dir is not created yet). */
export async function diskFacts(dir: string): Promise<DiskFacts> {
  let probe = dir;
  for (;;) {
    try {
      const s = await statfs(probe);
      return { dir, freeBytes: s.bavail * s.bsize };
    } catch (err) {
      const parent = dirname(probe);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || parent === probe) return { dir, freeBytes: undefined, error: (err as Error).message };
      probe = parent;
    }
  }
}

const HealthSchema = z.object({ status: z.string(), providers: z.number().int().optional(), protocol_version: z.number().int().optional() });

/** GET /health of the coordinator's http(s) root (ws URLs are mapped to http). */
export async function coordinatorFacts(url: string, timeoutMs = 5_000): Promise<CoordinatorFacts> {
  try {
    const u = new URL(url);
    if (u.protocol === "ws:") u.protocol = "http:";
    if (u.protocol === "wss:") u.protocol = "https:";
    const path = u.pathname.replace(/\/+$/, "").replace(/\/ws\/provider$/, "").replace(/\/v1$/, "");
    const res = await fetch(`${u.origin}${path}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { url, reachable: false, error: `GET /health answered HTTP ${res.status}` };
    const body = HealthSchema.parse(await res.json());
    return { url, reachable: true, protocolVersion: body.protocol_version, ...(body.providers !== undefined && { providers: body.providers }) };
  } catch (err) {
    return { url, reachable: false, error: (err as Error).message };
  }
}

const IdentityFileSchema = z.object({ version: z.literal(1), public_key: z.string().min(1), secret_key: z.string().min(1) });

export async function identityFacts(dir: string): Promise<IdentityFacts> {
  const file = join(dir, "identity.json");
  let fileMode: number;
  try {
    fileMode = (await stat(file)).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { file, exists: false };
    return { file, exists: true, fileMode: 0, dirMode: 0, readable: false, error: (err as Error).message };
  }
  const dirMode = (await stat(dir)).mode;
  try {
    IdentityFileSchema.parse(JSON.parse(await readFile(file, "utf8")));
    return { file, exists: true, fileMode, dirMode, readable: true };
  } catch (err) {
    return { file, exists: true, fileMode, dirMode, readable: false, error: err instanceof SyntaxError ? "not JSON" : (err as Error).message.split("\n")[0] ?? "" };
  }
}

const ManifestSchema = z.object({ files: z.array(z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/) })) });

/** The sha256 a `manifest.json` next to the model lists for it, when there is one. */
async function manifestSha256(path: string): Promise<string | undefined> {
  const raw = await readFile(join(dirname(path), "manifest.json"), "utf8").catch(() => undefined);
  if (raw === undefined) return undefined;
  const parsed = ManifestSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) return undefined;
  return parsed.data.files.find((f) => basename(f.path) === basename(path))?.sha256;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function ggufHeader(path: string): Promise<ModelFacts["header"]> {
  try {
    const fh = await open(path, "r");
    let size: number;
    try {
      const magic = Buffer.alloc(4);
      await fh.read(magic, 0, 4, 0);
      if (magic.toString("latin1") !== "GGUF") return { ok: false, error: "no GGUF magic" };
      size = (await fh.stat()).size;
    } finally {
      await fh.close();
    }
    const { readGgufFileInfo } = await import("node-llama-cpp");
    const info = await readGgufFileInfo(path, {
      sourceType: "filesystem",
      readTensorInfo: true,
      logWarnings: false,
      ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"],
    });
    const tensors = info.tensorInfo ?? [];
    const dataStart = info.infoEndOffset ?? 0;
    const lastOffset = tensors.reduce((m, t) => Math.max(m, Number(t.offset)), 0);
    if (tensors.length > 0 && size <= dataStart + lastOffset) return { ok: false, error: `truncated: ${size} bytes, tensor data needs more than ${dataStart + lastOffset}` };
    return { ok: true, version: info.version, tensors: Number(info.tensorCount) };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split("\n")[0] ?? "unreadable" };
  }
}

export async function modelFacts(path: string, id: string): Promise<ModelFacts> {
  const header = await ggufHeader(path);
  const facts: ModelFacts = { path, id, header, templateRenderOk: false };
  if (!header.ok) return facts;
  const expected = await manifestSha256(path);
  if (expected !== undefined) facts.sha256 = { expected, actual: await sha256File(path) };
  const { checkTemplateRender } = await import("../engine/index.js");
  facts.templateRenderOk = await checkTemplateRender(path);
  return facts;
}
