// Run as its own process by engineBinary(): prints which llama.cpp binary a fresh engine loads.
import { loadLlama, resolveLlamaConfig } from "../engine/llama.js";

const llama = await loadLlama(resolveLlamaConfig({}));
process.stdout.write(JSON.stringify({ buildType: llama.buildType, gpu: String(llama.gpu) }));
await llama.dispose();
