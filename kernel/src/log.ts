// The kernel's own diagnostics. They go to the real stderr (the terminal that started Jupyter),
// captured before cell output redirection replaces process.stderr.write, so a kernel message
// never lands in a user's cell.

const write = process.stderr.write.bind(process.stderr);

export function log(message: string): void {
  write(`[tsdl kernel] ${message}\n`);
}
