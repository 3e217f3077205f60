import { readFileSync } from 'node:fs';
import { projectPath } from './project-root.js';

const manifest = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string; license: string };

export const VERSION: string = manifest.version;
/** package.json's `license` (`UNLICENSED`: npm's word for no licence granted), which the OpenAPI document states. */
export const LICENSE: string = manifest.license;
export const USER_AGENT = `hookrelay/${VERSION}`;
