import { parse } from 'yaml';

/**
 * Parses YAML from a secret file. The yaml library's errors quote the offending text, which
 * would put a secret into a message: this keeps only the line number.
 */
export function parseSecretYaml(text: string, what: string): unknown {
  try {
    return parse(text, { uniqueKeys: true });
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    // No `cause`: the parser's error quotes the file, and a cause may be printed with the stack.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`${what} is not valid YAML${line ? ` (line ${line})` : ''}`);
  }
}
