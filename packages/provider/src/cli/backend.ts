/** The compute backend llama.cpp runs a model on, as reported at registration. */
export type Backend = "cpu" | "metal" | "cuda" | "vulkan";

/**
 * From node-llama-cpp's `llama.gpu` (false or the GPU type) and the model's offloaded layer count:
 * a GPU build with no layers offloaded still computes on the CPU.
 */
export function backendOf(gpu: false | "metal" | "cuda" | "vulkan", gpuLayers: number): Backend {
  return gpu === false || gpuLayers === 0 ? "cpu" : gpu;
}
