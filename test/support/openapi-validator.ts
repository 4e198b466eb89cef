// Validates an OpenAPI document with @seriousme/openapi-schema-validator. The library is ESM-only
// and jest runs tests as CommonJS, so it runs in a child Node process fed over stdin.
import { execFile } from 'node:child_process';

export interface OpenApiValidation {
  valid: boolean;
  version: string;
  errors: unknown;
}

const SCRIPT = `
import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
console.log(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }));
`;

export function validateOpenApi(document: unknown): Promise<OpenApiValidation> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: __dirname }, (error, stdout, stderr) => {
      if (error) reject(new Error(`validator failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as OpenApiValidation);
    });
    child.stdin!.end(JSON.stringify(document));
  });
}
