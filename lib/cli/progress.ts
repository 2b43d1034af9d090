// A one-line progress bar on a terminal (stderr), silent otherwise.
export function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  let last = "";
  return {
    update(done: number, total: number, detail: string) {
      if (!tty) return;
      const width = 28;
      const filled = total ? Math.round((done / total) * width) : 0;
      const line = `${label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${done}/${total} ${detail}`;
      if (line === last) return;
      last = line;
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    },
    end() {
      if (tty && last) process.stderr.write("\n");
    },
  };
}
