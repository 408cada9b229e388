// make-usb's steps as a bar redrawn in place on a terminal; nothing at all when the output is not
// a terminal (a pipe, a log, --json): the result lines say what was done.

export interface StepBar {
  /** The named step (one of the bar's steps) starts. */
  step(name: string): void;
  /** Removes the bar (also after a failure, before the error is printed). */
  end(): void;
}

/** `[#########---------] 3/7 build the config layer  1.4 s` (pure). */
export function formatStepBar(steps: readonly string[], index: number, seconds: number, width = 21): string {
  const filled = Math.round((index / steps.length) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${index + 1}/${steps.length} ${steps[index] ?? ''}  ${seconds.toFixed(1)} s`;
}

export function stepBar(o: { steps: readonly string[]; tty: boolean; write: (text: string) => void; now?: () => number }): StepBar {
  if (!o.tty) return { step() {}, end() {} };
  const now = o.now ?? (() => performance.now());
  const started = now();
  let index = -1;
  const draw = () => o.write(`\r${formatStepBar(o.steps, index, (now() - started) / 1000)}\u001b[K`);
  // The elapsed time moves while a long step (xorriso writing the image) runs.
  const timer = setInterval(() => index >= 0 && draw(), 250);
  timer.unref();
  return {
    step(name) {
      const i = o.steps.indexOf(name);
      if (i < 0) return;
      index = i;
      draw();
    },
    end() {
      clearInterval(timer);
      if (index >= 0) o.write('\r\u001b[K');
      index = -1;
    },
  };
}
