import { expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { labJsonSchema } from '@lab/shared';

test('the checked-in JSON Schema matches the zod schema (regenerate: builder schema > shared/schema/lab.schema.json)', async () => {
  const onDisk = JSON.parse(await readFile('shared/schema/lab.schema.json', 'utf8'));
  expect(onDisk).toEqual(labJsonSchema());
});

test('the example lab validates against the JSON Schema editors use, and points at it', async () => {
  const text = await readFile('examples/genesis/lab.yaml', 'utf8');
  expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../shared/schema/lab.schema.json');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(labJsonSchema());
  const ok = validate(parse(text));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  // And the JSON Schema rejects what the zod schema rejects: an unknown field.
  expect(validate({ ...parse(text), colector: {} })).toBe(false);
});
