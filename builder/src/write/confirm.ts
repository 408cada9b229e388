import { createInterface } from 'node:readline/promises';

/**
 * Asks on the terminal. Only called when the operator did not pass --yes and stdin is a
 * terminal; anything but "yes" declines.
 */
export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

export const stdinIsTerminal = () => Boolean(process.stdin.isTTY);
