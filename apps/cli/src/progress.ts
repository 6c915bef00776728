import type { Writer } from './io.js';

/**
 * A progress line on stderr: redrawn in place on a terminal, one line per tenth otherwise (CI logs).
 *
 * @example
 *   const progress = progressBar(io.stderr, 'seed', 'commands');
 *   progress.update(500, 2192);
 *   progress.done();
 */
export function progressBar(out: Writer, label: string, unit: string, interactive = process.stderr.isTTY === true) {
  const started = Date.now();
  let lastTenth = -1;
  let lastDraw = 0;
  let last = { done: 0, total: 0 };
  const line = (done: number, total: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(ratio * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} ${unit} (${rate}/s)`;
  };
  return {
    update(done: number, total: number) {
      last = { done, total };
      if (interactive) {
        if (Date.now() - lastDraw < 100 && done < total) return;
        lastDraw = Date.now();
        out.write(`\r${line(done, total)}`);
        return;
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 0;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${line(done, total)}\n`);
      }
    },
    done() {
      if (interactive) out.write(`\r${line(last.done, last.total)}\n`);
      return { millis: Date.now() - started };
    },
  };
}
