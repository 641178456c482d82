#!/usr/bin/env bash
# The benchmark on an NVIDIA Linux machine that reaches no package registry (issue 7, item 6).
#
#   bash bench/gpu.sh pack   here, after `npm ci`: writes bench/gpu-bundle/ (about 36 MB): Node
#                            (xz), the node_modules the peers need with only the linux-x64 Dawn
#                            binary, mocha, core/dist, and the Vulkan loader and glvnd (as .debs)
#   bash bench/gpu.sh run [--any-adapter] [--tiles] [bench options]
#                            there, in the repo root with bench/gpu-bundle/ beside it: unpacks,
#                            checks that Dawn's adapter is the NVIDIA GPU (--any-adapter: any, to
#                            smoke-test the bundle on lavapipe), runs the peers and PyTorch fp32
#                            matmul (when torch is installed there), the core's tests on the
#                            card, and prints the matmul table next to PyTorch; results go
#                            to bench/results/ and to $OUT when it is set; --tiles sweeps the
#                            GPU matmul's tile configurations instead (bench/gpu-tiles.mjs)
#
# With the device tool: run(command="bash bench/gpu.sh run", carry=["bench/gpu-bundle"]).
# Run on an H100 (2026-11-28): Dawn found it through NVIDIA's Vulkan driver once the GL dispatch
# libraries (glvnd) were unpacked; the machine's image had none.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=bench/gpu-bundle

# The core's sources that core/dist in a bundle was built from: `run` refuses a bundle built
# from other sources, so that scarce GPU time never measures old code.
sources_stamp() {
  find core/src -type f -name '*.ts' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
}

pack() {
  npx tsc -b core
  rm -rf "$bundle"
  mkdir -p "$bundle/lib"
  sources_stamp > "$bundle/sources"
  echo "pack: node $(node -v)"
  xz -T0 -6 -c "$(command -v node)" > "$bundle/node.xz"
  # The runtime closure of the bench and core workspaces, from the lock file's view.
  mapfile -t modules < <(npm ls --omit=dev --all --parseable -w bench -w core 2>/dev/null |
    sed "s|^$PWD/||" | grep '^node_modules/' | sort -u)
  # mocha and what it needs, for the core's tests on the card (`run` runs them before the bench).
  mapfile -t -O "${#modules[@]}" modules < <(node -e '
    const fs = require("fs"), path = require("path");
    const seen = new Set();
    const visit = (dir) => {
      if (seen.has(dir)) return;
      seen.add(dir);
      const deps = JSON.parse(fs.readFileSync(path.join(dir, "package.json"))).dependencies ?? {};
      for (const name of Object.keys(deps)) {
        let at = dir;
        while (!fs.existsSync(path.join(at, "node_modules", name))) {
          if (path.dirname(at) === at) throw new Error(`${name} (needed by ${dir}) is not installed`);
          at = path.dirname(at);
        }
        visit(path.join(at, "node_modules", name));
      }
    };
    visit(path.resolve("node_modules/mocha"));
    for (const dir of seen) console.log(path.relative(process.cwd(), dir));')
  mapfile -t modules < <(printf '%s\n' "${modules[@]}" | sort -u)
  echo "pack: ${#modules[@]} packages"
  tar -cJf "$bundle/modules.tar.xz" \
    --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
    --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='*.map' --exclude='*.ts' \
    "${modules[@]}" core/dist
  local loader
  loader=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF}' | head -n 1 || true)
  [[ -n $loader ]] || { echo "pack: no libvulkan.so.1 here (apt-get install libvulkan1)" >&2; exit 1; }
  cp -L "$loader" "$bundle/lib/libvulkan.so.1"
  # NVIDIA's Vulkan driver needs the GL vendor-neutral dispatch libraries (glvnd), which a
  # CUDA-only image may lack: without them Dawn sees no driver ("Could not get 'vkCreateInstance'
  # via 'vk_icdGetInstanceProcAddr' for ICD libGLX_nvidia.so.0"). Debian's packages, unpacked there.
  mkdir -p "$bundle/debs"
  local lists
  lists=$(mktemp -d)
  mkdir -p "$lists/partial"
  local apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${apt_opts[@]}" update >/dev/null
  (cd "$bundle/debs" && apt-get "${apt_opts[@]}" download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2 2>&1 | { grep -v '^Get:\|unsandboxed' || true; })
  rm -rf "$lists"
  du -sh "$bundle"/*
}

run() {
  local any_adapter=false tiles=false
  if [[ ${1-} == --any-adapter ]]; then any_adapter=true; shift; fi
  if [[ ${1-} == --tiles ]]; then tiles=true; shift; fi
  [[ -f $bundle/node.xz ]] || { echo "run: $bundle is missing: run 'bash bench/gpu.sh pack' on a machine with npm first" >&2; exit 1; }
  if [[ $(cat "$bundle/sources" 2>/dev/null) != "$(sources_stamp)" ]]; then
    echo "run: $bundle was packed from other core sources than these: run 'bash bench/gpu.sh pack' again first" >&2
    exit 1
  fi
  local t0=$SECONDS
  mkdir -p bench/results
  # Whatever finished comes back, also when the device's time limit stops the run part-way
  # (run.mjs writes its JSON after every peer).
  if [[ -n ${OUT-} ]]; then
    trap 'cp bench/results/latest.json bench/results/latest.svg bench/results/latest.log bench/results/torch.json bench/results/core-tests.log bench/results/tiles.log "$OUT"/ 2>/dev/null || true' EXIT
  fi
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  local bin
  bin=$(mktemp -d)
  xz -dc "$bundle/node.xz" > "$bin/node"
  chmod +x "$bin/node"
  export PATH="$bin:$PATH"
  tar -xJf "$bundle/modules.tar.xz"
  # glvnd and the Vulkan loader, where the machine lacks them: unpacked into / as root (a bare
  # device machine, given back after the run), else into the bundle and found by path.
  if ! ldconfig -p | grep -q 'libGLdispatch\.so\.0 '; then
    if [[ $(id -u) == 0 ]]; then
      for deb in "$bundle"/debs/*.deb; do dpkg -x "$deb" /; done
      ldconfig
      echo "run: unpacked $(ls "$bundle"/debs | wc -l) GL/Vulkan loader packages into / (none were installed)"
    else
      for deb in "$bundle"/debs/*.deb; do dpkg -x "$deb" "$bundle/root"; done
      export LD_LIBRARY_PATH="$PWD/$bundle/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
  fi
  # The Vulkan loader and NVIDIA's ICD, where the machine lacks them in the usual places.
  if ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then export LD_LIBRARY_PATH="$PWD/$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
  if [[ -z ${VK_DRIVER_FILES-} && ! -e /usr/share/vulkan/icd.d/nvidia_icd.json && ! -e /etc/vulkan/icd.d/nvidia_icd.json &&
    -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  fi

  # Dawn must pick the NVIDIA GPU, not a software adapter.
  node --input-type=module -e '
    const { create, globals } = await import("webgpu");
    Object.assign(globalThis, globals);
    const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
    const info = adapter?.info ?? {};
    const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
    console.log(`Dawn adapter: ${adapter ? text : "none"}`);
    process.exit(adapter && (process.argv[1] === "any" || /nvidia/i.test(text)) ? 0 : 1);
  ' "$($any_adapter && echo any)" 2> >(grep -v 'artificially reduced' >&2) ||
    {
      echo "run: Dawn did not find the NVIDIA GPU (see above); VK_DRIVER_FILES=${VK_DRIVER_FILES-}" >&2
      ldconfig -p | grep -iE 'vulkan|GLdispatch|GLX|nvidia' | head -n 20 >&2 || true
      ls /usr/local/nvidia/lib64 /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1 | head -n 40 >&2 || true
      exit 1
    }

  # --tiles: only the sweep of the GPU matmul's tile configurations (bench/gpu-tiles.mjs).
  if $tiles; then
    node bench/gpu-tiles.mjs 2>&1 | grep -v 'artificially reduced' | tee bench/results/tiles.log
    return
  fi

  # PyTorch fp32 (TF32 off) on the same card, same sizes, CUDA-event timing after a warm-up;
  # first, since it takes seconds.
  if ! python3 -c 'import torch' 2>/dev/null; then
    echo "PyTorch: not installed on this machine, so no PyTorch column"
  else
    python3 - <<'EOF' || echo "PyTorch: the matmul run failed (see above)"
import json, torch
assert torch.cuda.is_available(), "no CUDA"
torch.backends.cuda.matmul.allow_tf32 = False
rows = {}
for n in (256, 512, 1024, 2048, 4096):
    a = torch.randn(n, n, device="cuda"); b = torch.randn(n, n, device="cuda")
    for _ in range(3): a @ b
    torch.cuda.synchronize()
    iters = max(5, min(200, int(2e11 / (2 * n**3))))
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters): c = a @ b
    end.record(); torch.cuda.synchronize()
    rows[n] = 2 * n**3 * iters / (start.elapsed_time(end) / 1e3) / 1e9
    print(f"PyTorch {torch.__version__} fp32 matmul N={n}: {rows[n]:.0f} GFLOP/s")
json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "matmulGflops": rows},
          open("bench/results/torch.json", "w"), indent=2)
EOF
  fi

  # The core's tests on this card: the same assertions that CI runs on lavapipe (the ones that
  # need data files or minutes of training stay out). Lavapipe-only facts fail here by design,
  # e.g. that the default backend is the cpu one when the only adapter is software.
  local tests=()
  for f in core/dist/test/*.test.js; do
    case $f in */mnist.test.js | */convnet.test.js | */iris.test.js | */never-await.test.js) ;; *) tests+=("$f") ;; esac
  done
  set +e
  timeout 240 node --expose-gc node_modules/mocha/bin/mocha.js --no-config --exit --timeout 120000 --reporter dot "${tests[@]}" 2>&1 |
    tee bench/results/core-tests.log | grep -v 'artificially reduced' | tail -n 80
  echo "core tests on this card: exit ${PIPESTATUS[0]} (log in bench/results/core-tests.log)"
  set -e

  # Options given to run come first, so their --only or --budget wins.
  node bench/run.mjs "$@" --only raw-webgpu,tsdl-webgpu,tfjs-webgpu,jax-webgpu,tsdl-cpu,tsdl-cpu-fma,tfjs-wasm,jax-wasm --budget 30 --out latest

  echo
  node bench/gpu-report.mjs
  echo "gpu.sh: $((SECONDS - t0)) s"
}

case ${1-} in
  pack) pack ;;
  run) shift; run "$@" ;;
  *) echo "usage: bash bench/gpu.sh pack|run" >&2; exit 2 ;;
esac
