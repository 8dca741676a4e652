/**
 * Bench comparison: json-server 1.0 (beta, npm) serving the same world file from memory on
 * 127.0.0.1; its paged filtered read is `GET /messages?threadId=…&_page=1&_per_page=50`.
 */
import { readFileSync } from 'node:fs';
import { createApp } from 'json-server/lib/app.js';
import { Low, Memory } from 'lowdb';
import { freePort } from '../../server/src/http/startup.js';

const data = JSON.parse(readFileSync(process.env['DATA_FILE']!, 'utf8')) as Record<string, unknown>;
const db = new Low(new Memory<Record<string, unknown>>(), data);
const app = createApp(db);
const port = await freePort();
app.listen(port, () => console.log(`ready ${port}`), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
