// The entry of the API's schema worker threads (src/api/schema-pool.ts starts them): compiles the event
// type catalog's JSON Schemas and checks payloads against them off the API's event loop.
import { parentPort } from 'node:worker_threads';
import { schemaThread, type SchemaReply, type SchemaRequest } from '../api/schema-validation.js';

if (!parentPort) throw new Error('schema-worker runs as a worker thread of the API');
const port = parentPort;
const handle = schemaThread((reply: SchemaReply) => port.postMessage(reply));
port.on('message', (request: SchemaRequest) => handle(request));
port.postMessage({ kind: 'ready' } satisfies SchemaReply);
