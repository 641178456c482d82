// The device/memory error rewrite without a kernel: which errors it takes, and the texts for
// cases the kernel tests cannot easily provoke (sizes just over a limit, a destroyed backend,
// another device failure, no cell frame).

import { strict as assert } from "node:assert";
import { formatBytes, isDeviceError, reportDeviceError } from "../../src/errors/deviceError";

function deviceLimitError(message: string): Error {
  const e = new Error(message);
  e.name = "DeviceLimitError";
  return e;
}

const noValues = { valueOf: () => undefined };

describe("device error rewrite", () => {
  it("takes core DeviceLimitErrors and allocation RangeErrors only", () => {
    assert.equal(isDeviceError(deviceLimitError("x")), true);
    assert.equal(isDeviceError(new RangeError("Array buffer allocation failed")), true);
    assert.equal(isDeviceError(new RangeError("Invalid typed array length: 10000000000")), true);
    assert.equal(isDeviceError(new RangeError("Invalid typed array length: -1")), false);
    assert.equal(isDeviceError(new RangeError("Maximum call stack size exceeded")), false);
    assert.equal(isDeviceError(new Error("Array buffer allocation failed")), false);
  });

  it("formats sizes", () => {
    assert.equal(formatBytes(512), "512 bytes");
    assert.equal(formatBytes(128 * 2 ** 20), "128 MiB");
    assert.equal(formatBytes(1.5 * 2 ** 30), "1.5 GiB");
  });

  it("gives exact bytes when the tensor and the limit round to the same size", () => {
    const e = deviceLimitError(
      "a tensor of 134221824 bytes exceeds this WebGPU device's maxStorageBufferBindingSize (134217728 bytes), so no shader can access it whole; split the work into smaller tensors or use the cpu backend: setBackend('cpu')",
    );
    const r = reportDeviceError(e, [], noValues);
    assert.equal(r.ename, "DeviceLimitError");
    assert.equal(r.evalue, "the result of this cell (134,221,824 bytes) is too big for one WebGPU binding (at most 134,217,728 bytes on this device)");
    assert.equal(r.traceback[1], "  What happened: a shader must see each tensor whole in one storage binding, and this device's maxStorageBufferBindingSize is 134,217,728 bytes.");
  });

  it("explains a real device loss, a destroyed backend and other device failures", () => {
    const lost = reportDeviceError(
      deviceLimitError("the WebGPU device was lost (driver reset); restart the kernel or use the cpu backend: setBackend('cpu')"),
      [],
      noValues,
    );
    assert.equal(lost.evalue, "the WebGPU device was lost, so this cell cannot run");
    assert.match(lost.traceback.join("\n"), /What to do: restart the kernel to get a new device/);
    const destroyed = reportDeviceError(deviceLimitError("the WebGPU backend was destroyed; create a new one"), [], noValues);
    assert.equal(destroyed.evalue, "the WebGPU backend was shut down, so this cell cannot run");
    const other = reportDeviceError(deviceLimitError("a dispatch of 99999999 workgroups exceeds this WebGPU device's grid limit"), [], noValues);
    assert.deepEqual(other.traceback, [
      "DeviceLimitError: this cell failed on the WebGPU device",
      "  What happened: a dispatch of 99999999 workgroups exceeds this WebGPU device's grid limit",
      '  What to do: compute on the CPU: await setBackend("cpu"); if this keeps happening, please report it with the cell that causes it.',
    ]);
  });
});
