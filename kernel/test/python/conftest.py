"""Makes the `tsdl` kernelspec visible to jupyter_client for these tests: installs it with the
kernel's own CLI into a temporary prefix and puts that prefix first on JUPYTER_PATH. The kernel
must be built first (npm run build -w kernel)."""

import os
import subprocess
import tempfile
from pathlib import Path

KERNEL_DIR = Path(__file__).resolve().parents[2]
CLI = KERNEL_DIR / "dist" / "src" / "cli.js"

_prefix = tempfile.mkdtemp(prefix="tsdl-kernelspec-")
subprocess.run(["node", str(CLI), "install", "--prefix", _prefix], check=True, stdout=subprocess.DEVNULL)
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(Path(_prefix) / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
).rstrip(os.pathsep)
