// Every route's request validation (the REST API, recordings, WHIP/WHEP, the camera start): the route's zod schema (fastify-type-provider-zod), then one
// check over everything it let through for text PostgreSQL cannot store (U+0000, unpaired
// surrogates; config/src/text.ts). Free-text fields were already cleaned by their schema, so
// what is found here is an id, a name or a key, and the request is refused with 400 naming
// the field, instead of failing in the database with a 500.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '@hub/config';

export const storableValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const validate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
  return (data) => {
    const result = validate(data) as { value?: unknown; error?: Error | FastifySchemaValidationError[] };
    if (result.error) return result;
    const path = findUnstorableText(result.value);
    if (!path) return result;
    const instancePath = path.map((p) => `/${String(p)}`).join('');
    const issue: FastifySchemaValidationError = { keyword: 'storable_text', instancePath, schemaPath: '#', params: {}, message: UNSTORABLE_TEXT_MESSAGE };
    return { error: [issue] };
  };
};
