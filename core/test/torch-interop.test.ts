// Weights to and from PyTorch: PyTorch's state_dict names for our modules (written out here as
// torch prints them), a safetensors file with PyTorch's names and dtypes (I64 counters, F64,
// F16, BF16) loaded into a model, saving with PyTorch's names, and the error messages.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { t, assert, assertClose } from "./helpers";

const { nn } = t;

/** A safetensors file written byte by byte: { name: [dtype code, shape, values] }. */
function safetensorsBytes(entries: Record<string, [string, number[], number[]]>): Uint8Array {
  const width: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1 };
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, [code, shape, values]] of Object.entries(entries)) {
    const b = new Uint8Array(values.length * width[code]);
    const v = new DataView(b.buffer);
    values.forEach((x, i) => {
      if (code === "F32") v.setFloat32(i * 4, x, true);
      else if (code === "F64") v.setFloat64(i * 8, x, true);
      else if (code === "I64") v.setBigInt64(i * 8, BigInt(x), true);
      else if (code === "I32") v.setInt32(i * 4, x, true);
      else if (code === "U8") v.setUint8(i, x);
      else if (code === "BF16") v.setUint16(i * 2, new Uint32Array(new Float32Array([x]).buffer)[0] >>> 16, true);
      else v.setUint16(i * 2, x, true); // F16: the bits given directly
    });
    header[name] = { dtype: code, shape, data_offsets: [offset, offset + b.length] };
    blobs.push(b);
    offset += b.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const b of blobs) (out.set(b, p), (p += b.length));
  return out;
}

describe("weights to and from PyTorch", () => {
  it("names parameters and buffers as PyTorch's state_dict does", () => {
    const names = (m: t.nn.Module) => Object.keys(m.stateDict({ names: "pytorch" })).sort();
    const net = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 26 * 26, 10));
    assert.deepEqual(names(net), ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight", "4.bias", "4.weight"]);
    assert.deepEqual(names(new nn.LSTM(3, 4, { bidirectional: true })), [
      "bias_hh_l0", "bias_hh_l0_reverse", "bias_ih_l0", "bias_ih_l0_reverse",
      "weight_hh_l0", "weight_hh_l0_reverse", "weight_ih_l0", "weight_ih_l0_reverse",
    ]);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    assert.deepEqual(names(layer), [
      "linear1.bias", "linear1.weight", "linear2.bias", "linear2.weight", "norm1.bias", "norm1.weight", "norm2.bias", "norm2.weight",
      "self_attn.in_proj_bias", "self_attn.in_proj_weight", "self_attn.out_proj.bias", "self_attn.out_proj.weight",
    ]);
    class Net extends nn.Module {
      features = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
      heads = [new nn.Linear(3, 1), new nn.Linear(3, 1)];
      forward(x: t.Tensor) {
        return this.heads[0].forward(this.features.forward(x));
      }
    }
    assert.deepEqual(names(new Net()), ["features.0.bias", "features.0.weight", "heads.0.bias", "heads.0.weight", "heads.1.bias", "heads.1.weight"]);
  });

  it("loads a PyTorch-named file: I64 counters skipped, F64, F16 and BF16 read as float32", async () => {
    const net = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    const bytes = safetensorsBytes({
      "0.weight": ["F64", [2, 2], [0.1, 0.2, 0.3, 0.4]],
      "0.bias": ["F16", [2], [0x3c00, 0xc000]], // 1, -2
      "1.weight": ["BF16", [2], [1.5, -0.25]],
      "1.bias": ["F32", [2], [3, 4]],
      "1.running_mean": ["F32", [2], [0.5, 0.6]],
      "1.running_var": ["F32", [2], [2, 3]],
      "1.num_batches_tracked": ["I64", [], [123]],
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-torch-")), "net.safetensors");
    fs.writeFileSync(file, bytes);
    const loaded = t.safetensors.load(file);
    assert.equal(loaded["1.num_batches_tracked"].dtype, "int32");
    assert.equal(await loaded["1.num_batches_tracked"].item(), 123);
    net.loadStateDict(loaded);
    const sd = net.stateDict();
    assertClose(await sd["layers.0.weight"].data(), [0.1, 0.2, 0.3, 0.4]);
    assertClose(await sd["layers.0.bias"].data(), [1, -2]);
    assertClose(await sd["layers.1.weight"].data(), [1.5, -0.25]);
    assertClose(await sd["layers.1.runningVar"].data(), [2, 3]);
    // And back: a file with PyTorch's names, read into a fresh model by either naming.
    const out = path.join(path.dirname(file), "back.safetensors");
    await t.safetensors.save(net, out, { names: "pytorch" });
    const back = t.safetensors.load(out);
    assert.deepEqual(Object.keys(back).sort(), ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight"]);
    const fresh = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    fresh.loadStateDict(back);
    assertClose(await fresh.stateDict()["layers.1.runningMean"].data(), [0.5, 0.6]);
  });

  it("explains names that fit neither naming, integers beyond int32 and unknown dtypes", () => {
    const lin = new nn.Linear(2, 1);
    assert.throws(
      () => lin.loadStateDict({ w: t.zeros([1, 2]), bias: t.zeros([1]) }),
      /loadStateDict: missing \["weight"\], unexpected \["w"\]; this module's names are \["weight","bias"\] \(PyTorch's: \["weight","bias"\]\)/,
    );
    assert.throws(() => t.safetensors.deserialize(safetensorsBytes({ big: ["I64", [1], [2 ** 40]] })), /tensor big holds 1099511627776, outside int32/);
    const odd = safetensorsBytes({ z: ["U8", [1], [7]] });
    assert.equal(t.safetensors.deserialize(odd).z.dtype, "int32");
    const c64 = new TextEncoder().encode(JSON.stringify({ z: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }));
    const file = new Uint8Array(8 + c64.length + 8);
    new DataView(file.buffer).setBigUint64(0, BigInt(c64.length), true);
    file.set(c64, 8);
    assert.throws(() => t.safetensors.deserialize(file), /tensor z has dtype C64; tsdl reads F32, I32, BOOL/);
  });
});
