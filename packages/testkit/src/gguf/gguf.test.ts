import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { f16BitsToF32, f32ToF16Bits } from "./f16.js";
import { readGgufHeader, readTensorBytes, readTensorFloats } from "./reader.js";
import { gv, type GgufKv } from "./types.js";
import { writeGguf, type TensorSource } from "./writer.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "testkit-gguf-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kvs: GgufKv[] = [
  { key: "general.architecture", value: gv.str("llama") },
  { key: "general.alignment", value: gv.u32(32) },
  { key: "t.u8", value: { kind: "u8", value: 200 } },
  { key: "t.i8", value: { kind: "i8", value: -5 } },
  { key: "t.u16", value: { kind: "u16", value: 65000 } },
  { key: "t.i16", value: { kind: "i16", value: -30000 } },
  { key: "t.i32", value: gv.i32(-123456) },
  { key: "t.f32", value: gv.f32(0.5) },
  { key: "t.f64", value: { kind: "f64", value: Math.PI } },
  { key: "t.u64", value: gv.u64(2n ** 40n) },
  { key: "t.i64", value: { kind: "i64", value: -(2n ** 40n) } },
  { key: "t.bool", value: gv.bool(true) },
  { key: "t.unicode", value: gv.str("héllo ✓ Ġ") },
  { key: "t.strs", value: gv.strs(["a", "", "b c", "Ċ"]) },
  { key: "t.i32s", value: gv.i32s([1, -2, 3]) },
  { key: "t.f32s", value: gv.f32s([1.5, -0.25]) },
  { key: "t.bools", value: { kind: "array", itemKind: "bool", value: [true, false] } },
];

/** value(row, col) -> float, filled in row order; records the chunk sizes it was asked for. */
function src(name: string, dims: number[], type: TensorSource["type"], f: (r: number, c: number) => number, calls: number[] = []): TensorSource {
  return {
    name,
    dims,
    type,
    fill(first, count, out) {
      calls.push(count);
      for (let r = 0; r < count; r++) for (let c = 0; c < dims[0]!; c++) out[r * dims[0]! + c] = f(first + r, c);
    },
  };
}

const val = (r: number, c: number): number => Math.sin(r * 7 + c) * (1 + (r % 5));

function tensors(calls: number[] = []): TensorSource[] {
  return [
    src("odd.f32", [3], "f32", (r, c) => c + 0.25), // 12 bytes: forces padding before the next tensor
    src("mat.f16", [5, 7], "f16", val),
    src("mat.q8", [64, 3, 2], "q8_0", val, calls),
    src("mat.f32", [33, 4], "f32", val),
  ];
}

const sha = async (p: string): Promise<string> => createHash("sha256").update(await readFile(p)).digest("hex");

test("writer output parses back: header, metadata, tensor infos, alignment", async () => {
  const path = join(dir, "a.gguf");
  const res = await writeGguf(path, kvs, tensors());
  const h = await readGgufHeader(path);
  assert.equal(h.version, 3);
  assert.equal(h.alignment, 32);
  assert.deepEqual(h.kvs, kvs);
  assert.equal(h.metadata["t.unicode"]?.value, "héllo ✓ Ġ");
  assert.deepEqual(
    h.tensors.map((t) => [t.name, t.dims, t.type, t.typeId]),
    [
      ["odd.f32", [3], "f32", 0],
      ["mat.f16", [5, 7], "f16", 1],
      ["mat.q8", [64, 3, 2], "q8_0", 8],
      ["mat.f32", [33, 4], "f32", 0],
    ],
  );
  assert.equal(h.dataOffset % 32, 0);
  for (const t of h.tensors) assert.equal(t.offset % 32, 0, `${t.name} offset aligned`);
  assert.deepEqual(h.tensors.map((t) => t.size), [12, 70, 6 * 2 * 34, 33 * 4 * 4]);
  assert.deepEqual(h.tensors.map((t) => t.offset), [0, 32, 128, 544]);
  const size = (await stat(path)).size;
  assert.equal(size, res.bytes);
  assert.equal(size % 32, 0);
  assert.equal(size, h.dataOffset + 544 + 544);
  const f32 = await readTensorFloats(path, h, "mat.f32");
  for (let i = 0; i < f32.length; i++) assert.equal(f32[i], Math.fround(val(Math.floor(i / 33), i % 33)));
});

test("F16 tensors hold the round-to-nearest half of every value", async () => {
  const path = join(dir, "b.gguf");
  await writeGguf(path, kvs, tensors());
  const h = await readGgufHeader(path);
  const raw = await readTensorBytes(path, h, "mat.f16");
  for (let i = 0; i < 35; i++) {
    const bits = raw.readUInt16LE(i * 2);
    assert.equal(bits, f32ToF16Bits(val(Math.floor(i / 5), i % 5)));
    assert.ok(Math.abs(f16BitsToF32(bits) - val(Math.floor(i / 5), i % 5)) <= 6 * 2 ** -11);
  }
});

test("Q8_0 blocks: f16 scale = amax/127 then 32 int8 = round(x/scale)", async () => {
  const path = join(dir, "c.gguf");
  await writeGguf(path, kvs, tensors());
  const h = await readGgufHeader(path);
  const raw = await readTensorBytes(path, h, "mat.q8");
  assert.equal(raw.length, 12 * 34); // 6 rows x 2 blocks
  for (let b = 0; b < 12; b++) {
    const row = Math.floor(b / 2);
    const xs = Array.from({ length: 32 }, (_, j) => val(row, (b % 2) * 32 + j));
    const amax = Math.max(...xs.map(Math.abs));
    const d = Math.fround(amax / 127);
    assert.equal(raw.readUInt16LE(b * 34), f32ToF16Bits(d));
    for (let j = 0; j < 32; j++) {
      const q = raw.readInt8(b * 34 + 2 + j);
      assert.ok(Math.abs(q - xs[j]! / d) <= 0.5 + 1e-3, `block ${b} elem ${j}: ${q} vs ${xs[j]! / d}`);
    }
    assert.ok(xs.some((x, j) => Math.abs(raw.readInt8(b * 34 + 2 + j)) === 127 && Math.abs(x) === amax));
  }
  const back = await readTensorFloats(path, h, "mat.q8");
  for (let i = 0; i < back.length; i++) assert.ok(Math.abs(back[i]! - val(Math.floor(i / 64), i % 64)) < 0.05);
});

test("Q8_0 rows must be a multiple of 32", async () => {
  await assert.rejects(writeGguf(join(dir, "bad.gguf"), kvs, [src("x", [33, 2], "q8_0", val)]), /multiple of 32/);
});

test("writes in bounded chunks; the bytes do not depend on the chunk size", async () => {
  const calls: number[] = [];
  const small = await writeGguf(join(dir, "d1.gguf"), kvs, tensors(calls), { chunkBytes: 600 });
  assert.ok(small.maxBufferBytes <= 1024, `max buffer ${small.maxBufferBytes}`);
  assert.deepEqual(calls, [2, 2, 2]); // 600 bytes of floats = 2 rows of 64
  const big = await writeGguf(join(dir, "d2.gguf"), kvs, tensors());
  assert.equal(await sha(small.path), await sha(big.path));
});

test("rejects duplicate keys and tensor names; leaves no temp file on failure", async () => {
  await assert.rejects(writeGguf(join(dir, "e.gguf"), [...kvs, kvs[0]!], []), /duplicate metadata key/);
  await assert.rejects(writeGguf(join(dir, "e.gguf"), kvs, [...tensors(), tensors()[0]!]), /duplicate tensor/);
  const failing: TensorSource = { name: "boom", dims: [4], type: "f32", fill: () => { throw new Error("boom"); } };
  await assert.rejects(writeGguf(join(dir, "f.gguf"), kvs, [failing]), /boom/);
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes("f.gguf")), []);
});

test("reader rejects non-GGUF files", async () => {
  const p = join(dir, "not.gguf");
  await writeFile(p, "hello world, definitely not gguf");
  await assert.rejects(readGgufHeader(p), /bad magic/);
});
