// When V8 terminates a running script (the kernel's interrupt runs cells with vm's
// breakOnSigint), no catch or finally block of the library runs. State that a block sets and
// restores stays as the block left it: grad mode off (inside noGrad, backward() or an
// optimizer step), tidy()/internal() scopes open (later tensors would be tracked by them and
// never freed), a jit trace still recording every op, a WebGPU command encoder half-way through
// a batch. After an interrupted cell, the kernel calls this to put it back. Nothing is
// disposed: the tensors the cell made are left to GC.

import { resetGradMode } from "./autodiff/mode";
import { dropOpenScopes } from "./scope";
import { active, setActive } from "./jit/trace";
import { createdBackends } from "./backend/registry";

export interface Recovery {
  /** tidy()/layer scopes that were open. */
  scopes: number;
  /** A jit trace was being recorded. */
  trace: boolean;
  /** Backends whose commands recorded before the interrupt were dropped (values they were to
   * write are lost). */
  lostWork: string[];
}

export async function recoverAfterInterrupt(): Promise<Recovery> {
  resetGradMode();
  const scopes = dropOpenScopes();
  const trace = active !== null;
  if (active) {
    active.release();
    setActive(null);
  }
  const lostWork: string[] = [];
  for (const b of createdBackends()) if (b.recover && !(await b.recover())) lostWork.push(b.name);
  return { scopes, trace, lostWork };
}
