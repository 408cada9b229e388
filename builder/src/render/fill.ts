/** Fills `{{name}}` placeholders. Every placeholder must have a value: a missing one is a bug. Pure. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return String(v);
  });
}
