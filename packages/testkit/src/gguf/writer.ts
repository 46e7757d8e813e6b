// Streaming GGUF writer: the header is planned up front, then each tensor's data is generated and
// written a bounded chunk of rows at a time, so memory use does not grow with the model size.
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { encodeFloats } from "./encode.js";
import { planGguf, type GgufLayout, type TensorDecl } from "./layout.js";
import { rowBytes, type GgufKv } from "./types.js";

export interface TensorSource extends TensorDecl {
  /**
   * Fills `out` (length rowCount * dims[0]) with rows firstRow..firstRow+rowCount-1 as floats.
   * Called with consecutive, non-overlapping row ranges in increasing order, once per tensor.
   */
  fill(firstRow: number, rowCount: number, out: Float32Array): void;
}

export interface WriteGgufOptions {
  /** Upper bound (bytes) for the float staging buffer; at least one row is always staged. Default 1 MiB. */
  chunkBytes?: number;
  /** Called after every chunk with bytes written so far and the total file size. */
  onProgress?: (written: number, total: number) => void;
}

export interface WriteGgufResult {
  path: string;
  bytes: number;
  /** Largest buffer the writer allocated for tensor data (float staging or encoded bytes). */
  maxBufferBytes: number;
  layout: GgufLayout;
}

/**
 * Writes a GGUF v3 file atomically (temp file in the same directory, then rename).
 * Tensor data is written in the order given, each tensor aligned to `general.alignment`.
 */
export async function writeGguf(
  path: string,
  kvs: readonly GgufKv[],
  tensors: readonly TensorSource[],
  options: WriteGgufOptions = {},
): Promise<WriteGgufResult> {
  const layout = planGguf(kvs, tensors);
  const chunkBytes = Math.max(4, options.chunkBytes ?? 1 << 20);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx");
  let maxBufferBytes = 0;
  try {
    let written = 0;
    const write = async (buf: Uint8Array, length: number): Promise<void> => {
      let done = 0;
      while (done < length) {
        const { bytesWritten } = await fh.write(buf, done, length - done, written + done);
        done += bytesWritten;
      }
      written += length;
    };
    await write(layout.header, layout.header.length);
    const zeros = Buffer.alloc(layout.alignment);
    // Staging buffers are sized once for the largest chunk of any tensor and reused.
    let maxElems = 0;
    for (const t of layout.tensors) maxElems = Math.max(maxElems, rowsPerChunk(t.rowElems, chunkBytes) * t.rowElems);
    const floats = new Float32Array(maxElems);
    const encoded = Buffer.alloc(maxElems * 4);
    maxBufferBytes = Math.max(floats.byteLength, encoded.length);
    for (let i = 0; i < layout.tensors.length; i++) {
      const t = layout.tensors[i]!;
      const src = tensors[i]!;
      const start = layout.dataOffset + t.offset;
      if (start > written) await write(zeros, start - written);
      const step = rowsPerChunk(t.rowElems, chunkBytes);
      for (let row = 0; row < t.rows; row += step) {
        const n = Math.min(step, t.rows - row);
        const view = floats.subarray(0, n * t.rowElems);
        view.fill(0);
        src.fill(row, n, view);
        let len = 0;
        for (let r = 0; r < n; r++) {
          len += encodeFloats(t.type, view.subarray(r * t.rowElems), t.rowElems, encoded.subarray(len));
        }
        if (len !== n * rowBytes(t.type, t.rowElems)) throw new Error("internal: encoded size mismatch");
        await write(encoded, len);
        options.onProgress?.(written, layout.fileSize);
      }
    }
    if (layout.fileSize > written) await write(zeros, layout.fileSize - written);
    if (written !== layout.fileSize) throw new Error(`internal: wrote ${written} bytes, planned ${layout.fileSize}`);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    return { path, bytes: written, maxBufferBytes, layout };
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function rowsPerChunk(rowElems: number, chunkBytes: number): number {
  return Math.max(1, Math.floor(chunkBytes / (rowElems * 4)));
}
