// Writes src/client/schema.ts, the types of the generated API client, from the API's OpenAPI document.
//
//   npm run gen:client
import { writeFile } from 'node:fs/promises';
import { CLIENT_SCHEMA_FILE, clientSchemaText } from './lib/client-schema.js';

await writeFile(CLIENT_SCHEMA_FILE, await clientSchemaText());
process.stdout.write(`wrote ${CLIENT_SCHEMA_FILE}\n`);
