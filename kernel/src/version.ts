// The kernel package's version, read from its package.json (two folders up from dist/src).

import { readFileSync } from "node:fs";
import * as path from "node:path";

export const KERNEL_DIR = path.join(__dirname, "..", "..");

export const KERNEL_VERSION: string = (JSON.parse(readFileSync(path.join(KERNEL_DIR, "package.json"), "utf8")) as { version: string }).version;
