// Administration from the command line (`npm run admin -- <command> …`):
//
//   create-admin --handle H --email E [--password P]
//       creates an ADMIN account. Without --password the password is read from
//       COLLOQUY_ADMIN_PASSWORD, else prompted for (hidden) on a terminal.
//   grant --handle H --role MEMBER|STAFF|MODERATOR|ADMIN [--affiliation "Acme"]
//       sets a member's role (STAFF and ADMIN may carry the vendor they work for).
//
// Connects with the server's configuration (MONGODB_URL, REDIS_URL, …). Exit codes: 0 done,
// 1 refused (unknown handle, bad value), 2 usage error, 78 bad configuration.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Role } from '../server/src/context.js';
import type { Config } from '../server/src/config.js';
import { createDeps, type ClosableDeps } from '../server/src/deps.js';
import { syncIndexes } from '../server/src/infra/mongo.js';
import { AppError, ValidationError } from '../server/src/lib/errors.js';
import { ROLES } from '../server/src/lib/roles.js';
import { createUser, grantRole, HANDLE } from '../server/src/modules/user/user.service.js';
import { EXIT_CONFIG, scriptConfig } from './lib/script-config.js';

const USAGE = `usage:
  npm run admin -- create-admin --handle <handle> --email <email> [--password <password>]
      (or set COLLOQUY_ADMIN_PASSWORD, or type it when prompted)
  npm run admin -- grant --handle <handle> --role <${ROLES.join('|')}> [--affiliation <vendor>]`;

class UsageError extends Error {}

const adminInput = z.object({
  handle: z.string().regex(HANDLE, { error: 'use 3–30 letters, digits, "_" or "-", starting with a letter or digit' }),
  email: z.email({ error: 'must be a valid email address' }).max(254),
  password: z.string().min(10, { error: 'must be at least 10 characters' }).max(200, { error: 'must be at most 200 characters' }),
});

function describe(error: unknown): string {
  if (error instanceof ValidationError)
    return error.problems.map((p) => `--${p.path.slice(1).join('.') || 'input'}: ${p.message}`).join('; ');
  if (error instanceof AppError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

async function promptHidden(question: string): Promise<string> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY) {
    // a pipe: the first line of stdin
    let data = '';
    for await (const chunk of stdin) {
      data += String(chunk);
      if (data.includes('\n')) break;
    }
    return data.split('\n')[0]!.replace(/\r$/, '');
  }
  stdout.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (key: string) => {
      for (const ch of key) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          reject(new UsageError('cancelled'));
          return;
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Drops cached identities (sessions and tokens) of one member, so a new role applies at once. */
async function forgetIdentities(deps: ClosableDeps, userId: string): Promise<number> {
  const prefix = deps.config.redisPrefix;
  let dropped = 0;
  for (const pattern of [`${prefix}session:*`, `${prefix}token:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await deps.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const value = await deps.redis.get(key);
        if (value && value !== 'none' && (JSON.parse(value) as { userId?: string }).userId === userId) {
          await deps.redis.del(key);
          dropped++;
        }
      }
    } while (cursor !== '0');
  }
  return dropped;
}

async function withDeps<T>(config: Readonly<Config>, run: (deps: ClosableDeps) => Promise<T>): Promise<T> {
  const deps = await createDeps(config, 'admin', { events: 'inline' });
  try {
    return await run(deps);
  } finally {
    await deps.close();
  }
}

async function createAdmin(config: Readonly<Config>, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { handle: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  if (!values.handle || !values.email) throw new UsageError('create-admin needs --handle and --email');
  const password = values.password ?? process.env.COLLOQUY_ADMIN_PASSWORD ?? (await promptHidden('Password for the new admin: '));
  const input = adminInput.safeParse({ handle: values.handle, email: values.email, password });
  if (!input.success) {
    throw new ValidationError(input.error.issues.map((i) => ({ path: ['input', ...i.path.map(String)], message: i.message })));
  }
  await withDeps(config, async (deps) => {
    await syncIndexes();
    const user = await createUser(
      { deps },
      {
        handle: input.data.handle,
        email: input.data.email,
        password: input.data.password,
        displayName: values.name ?? input.data.handle,
        role: 'ADMIN',
      },
      deps.services.clock.now(),
    );
    console.log(`created admin @${user.handle} (${user._id.toHexString()})`);
  });
}

async function grant(config: Readonly<Config>, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { handle: { type: 'string' }, role: { type: 'string' }, affiliation: { type: 'string' } },
    strict: true,
  });
  if (!values.handle || !values.role) throw new UsageError('grant needs --handle and --role');
  const role = values.role.toUpperCase();
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new ValidationError(`unknown role "${values.role}": use one of ${ROLES.join(', ')}`, 'role');
  }
  if (values.affiliation !== undefined && role !== 'STAFF' && role !== 'ADMIN') {
    throw new ValidationError('only STAFF and ADMIN carry an affiliation', 'affiliation');
  }
  await withDeps(config, async (deps) => {
    const user = await grantRole(deps.repos, values.handle!, role as Role, values.affiliation?.trim() || null);
    await forgetIdentities(deps, user._id.toHexString());
    console.log(`@${user.handle} is now ${user.role}${user.affiliation ? ` (${user.affiliation})` : ''}`);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = scriptConfig();
  if (!config) return EXIT_CONFIG;
  try {
    if (command === 'create-admin') await createAdmin(config, rest);
    else if (command === 'grant') await grant(config, rest);
    else throw new UsageError(`unknown command "${command}"`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`admin: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    console.error(`admin: ${describe(error)}`);
    return 1;
  }
}

// exit explicitly: a lingering handle must not keep a command-line tool alive
process.exit(await main(process.argv.slice(2)));
