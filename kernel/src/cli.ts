#!/usr/bin/env node
// The `tsdl` command: `tsdl kernel CONNECTION_FILE` (what Jupyter runs), `tsdl install
// [--user | --sys-prefix | --prefix DIR]` and `tsdl uninstall [same options]`
// and `tsdl doctor [--json]`.

import { startKernel } from "./kernel";
import { install, uninstall, parseInstallArgs } from "./install";
import { doctor } from "./doctor";

const USAGE = `usage:
  tsdl install [--user | --sys-prefix | --prefix DIR]   register the "tsdl" kernel with Jupyter
  tsdl uninstall [--user | --sys-prefix | --prefix DIR] remove it
  tsdl doctor [--json]                                  check Node, WebGPU and the Jupyter install; say how to fix problems
  tsdl kernel CONNECTION_FILE                           run the kernel (Jupyter does this)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "kernel":
      if (rest.length !== 1) break;
      await startKernel(rest[0]);
      return -1; // keeps running until shutdown_request
    case "install":
      return install(parseInstallArgs(rest));
    case "uninstall":
      return uninstall(parseInstallArgs(rest));
    case "doctor":
      return doctor(rest);
    case "-h":
    case "--help":
      console.log(USAGE);
      return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`tsdl: ${(e as Error).message ?? String(e)}`);
    process.exit(1);
  },
);
