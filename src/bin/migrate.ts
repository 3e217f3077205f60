import { loadConfig } from '../config.js';
import { ensureDatabase, migrate } from '../db/migrate.js';

const config = loadConfig();
await ensureDatabase(config.databaseUrl);
await migrate(config.databaseUrl, (msg) => console.log(msg));
