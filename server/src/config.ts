// The only reader of process.env. Parsed once with zod into a frozen, typed config; a bad value
// stops the boot with one line naming the variable.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ error: 'must be a TCP port number (1-65535)' })
  .int({ error: 'must be a TCP port number (1-65535)' })
  .min(1, { error: 'must be a TCP port number (1-65535)' })
  .max(65535, { error: 'must be a TCP port number (1-65535)' });

function urlWithScheme(schemes: string[]) {
  return z.string().refine(
    (value) => {
      try {
        const u = new URL(value);
        return schemes.includes(u.protocol.replace(/:$/, '')) && u.host !== '';
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` },
  );
}

/** A comma-separated list of URLs (several nodes of one service, e.g. Typesense). */
function urlList(schemes: string[]) {
  const one = urlWithScheme(schemes);
  return z.string().refine((value) => value.split(',').every((v) => one.safeParse(v.trim()).success), {
    error: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}, or a comma-separated list of them`,
  });
}

/** `host:port,host:port` (Redis Sentinels). */
const hostPortList = z.string().refine((value) => value.split(',').every((v) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(v.trim())), {
  error: 'must be a comma-separated list of host:port',
});

/**
 * MONGODB_URL with the write concern and read preference of MONGODB_WRITE_CONCERN /
 * MONGODB_READ_PREFERENCE added as connection-string options (options already in the URL win).
 */
export function mongoUrlWithOptions(url: string, writeConcern: string | undefined, readPreference: string): string {
  // string work, not URL: a replica set's connection string names several hosts (`a:1,b:2`)
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const params = new URLSearchParams(query);
  const add: string[] = [];
  if (writeConcern && !params.has('w')) add.push(`w=${writeConcern}`);
  if (readPreference !== 'primary' && !params.has('readPreference')) add.push(`readPreference=${readPreference}`);
  if (!add.length) return url;
  const base = url.includes('?') ? url : `${url}${/^mongodb(\+srv)?:\/\/[^/]+$/.test(url) ? '/' : ''}?`;
  return `${base}${base.endsWith('?') || base.endsWith('&') ? '' : '&'}${add.join('&')}`;
}

/**
 * The Redis address every client uses: REDIS_URL, `redis+sentinel://s1:26379,s2:26379/<name>`, or
 * `redis+cluster://n1:6379,n2:6379` with REDIS_CLUSTER_NODES (infra/redis.ts).
 */
export function redisTarget(url: string, sentinels: string | undefined, name: string, clusterNodes?: string): string {
  if (!sentinels && !clusterNodes) return url;
  const u = new URL(url);
  const auth = u.password ? `${encodeURIComponent(u.username)}:${u.password}@` : '';
  if (clusterNodes) return `redis+cluster${u.protocol === 'rediss:' ? 's' : ''}://${auth}${clusterNodes.replace(/\s+/g, '')}`;
  if (!sentinels) return url;
  const db = u.pathname.replace(/^\//, '');
  return `redis+sentinel://${auth}${sentinels.replace(/\s+/g, '')}/${name}${db ? `?db=${db}` : ''}`;
}

/** Express's named address ranges (proxy-addr): 127.0.0.0/8 + ::1, 169.254.0.0/16 + fe80::/10, private ranges. */
const TRUST_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

/** An address or subnet Express's `trust proxy` accepts: `10.0.0.7`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `fd00::/8`. */
function isAddressOrSubnet(entry: string): boolean {
  if (TRUST_PRESETS.includes(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

/**
 * Which peers may tell the api the client's address in X-Forwarded-For (Express `trust proxy`):
 * `false`/`0`/`no` none; a hop count (`true`/`yes` = 1); or a comma-separated list of addresses,
 * subnets and the names `loopback`, `linklocal`, `uniquelocal`.
 */
export function parseTrustProxy(value: string): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (['false', 'no', '0'].includes(v)) return false;
  if (['true', 'yes'].includes(v)) return 1;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

const trustProxy = z.string().refine(
  (value) => {
    const parsed = parseTrustProxy(value);
    return !Array.isArray(parsed) || (parsed.length > 0 && parsed.every(isAddressOrSubnet));
  },
  { error: 'must be false, a hop count (true = 1), or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal' },
);

const perWindow = z.coerce
  .number({ error: 'must be a whole number >= 1' })
  .int({ error: 'must be a whole number >= 1' })
  .min(1, { error: 'must be a whole number >= 1' });

/** Every variable the server reads. `.env.example` lists them all (a test keeps the two in step). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  PUBLIC_URL: urlWithScheme(['http', 'https']).default('http://localhost:3000'),
  MONGODB_URL: urlWithScheme(['mongodb', 'mongodb+srv']).default('mongodb://127.0.0.1:27117/colloquy'),
  MONGODB_ID_LOOKUP: z.enum(['auto', 'in', 'each']).default('auto'),
  MONGODB_WRITE_CONCERN: z.enum(['majority', '1']).optional(),
  MONGODB_READ_PREFERENCE: z.enum(['primary', 'primaryPreferred', 'secondaryPreferred', 'nearest']).default('primary'),
  LISTINGS: z.enum(['auto', 'redis', 'database']).default('auto'),
  REDIS_URL: urlWithScheme(['redis', 'rediss']).default('redis://127.0.0.1:6479'),
  REDIS_PREFIX: z.string().default('colloquy:'),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { error: 'must be a Sentinel master name' })
    .default('mymaster'),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  RESPONSE_CACHE_TTL_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds from 0 (off) to 86400' })
    .int({ error: 'must be a whole number of seconds from 0 (off) to 86400' })
    .min(0, { error: 'must be a whole number of seconds from 0 (off) to 86400' })
    .max(86_400, { error: 'must be a whole number of seconds from 0 (off) to 86400' })
    .default(60),
  TYPESENSE_URL: urlList(['http', 'https']).optional(),
  TYPESENSE_API_KEY: z.string().optional(),
  SEARCH_DATA_DIR: z.string().default('.colloquy/dev/search'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: trustProxy.default('loopback'),
  GRAPHIQL: bool.optional(),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: 'must be 1-64 letters, digits, . _ : -' })
    .optional(),
  METRICS_PORT: port.optional(),
  READINESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1_500),
  RATE_LIMIT_PER_MINUTE: perWindow.default(600),
  RATE_LIMIT_WRITES_PER_MINUTE: perWindow.default(60),
  RATE_LIMIT_SIGN_IN_PER_15_MINUTES: perWindow.default(10),
  RATE_LIMIT_SIGN_UP_PER_HOUR: perWindow.default(20),
  RATE_LIMIT_POINTS_PER_HOUR: perWindow.default(5_000),
  GRAPHQL_MAX_COST: perWindow.default(1_000),
  GRAPHQL_MAX_NODES: perWindow.default(500_000),
  GRAPHQL_MAX_BODY_BYTES: z.coerce
    .number({ error: 'must be a whole number of bytes from 1024 to 104857600' })
    .int({ error: 'must be a whole number of bytes from 1024 to 104857600' })
    .min(1024, { error: 'must be a whole number of bytes from 1024 to 104857600' })
    .max(100 * 1024 * 1024, { error: 'must be a whole number of bytes from 1024 to 104857600' })
    .default(102_400),
  GRAPHQL_MAX_DEPTH: perWindow.default(20),
  GRAPHQL_MAX_ALIASES: perWindow.default(30),
  GRAPHQL_MAX_TOKENS: perWindow.default(5_000),
  GRAPHQL_MAX_DIRECTIVES: perWindow.default(50),
  GRAPHQL_FIELD_SUGGESTIONS: bool.optional(),
  REPUTATION_RULES: z.string().optional(),
  MODERATION_RULES: z.string().optional(),
  REVIEW_RULES: z.string().optional(),
  STACKEXCHANGE_DUMP_DIR: z.string().optional(),
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: bool.default(false),
  WEBHOOK_MAX_FAILURES: perWindow.default(5),
  WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(10),
  SMTP_URL: urlWithScheme(['smtp', 'smtps']).default('smtp://127.0.0.1:1125'),
  MAIL_FROM: z.string().min(3).default('Colloquy <notifications@localhost>'),
  MAIL_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  MAIL_MAX_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(12),
  TEST_CLOCK: bool.default(false),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  publicUrl: string;
  /** MONGODB_URL with MONGODB_WRITE_CONCERN / MONGODB_READ_PREFERENCE as connection-string options */
  mongodbUrl: string;
  /** batch reads by _id: one $in query, or one query per id (FerretDB); auto detects the server */
  mongodbIdLookup: 'auto' | 'in' | 'each';
  /** question listings: precomputed in Redis, or from the database's indexes; auto = Redis on FerretDB */
  listings: 'auto' | 'redis' | 'database';
  /** REDIS_URL, or a `redis+sentinel://` address when REDIS_SENTINELS is set (infra/redis.ts) */
  redisUrl: string;
  redisPrefix: string;
  /** longest life of a cached anonymous GraphQL response (writes retire them at once); 0: no cache */
  responseCacheTtlSeconds: number;
  typesense: { url: string; apiKey: string } | undefined;
  searchDataDir: string;
  logLevel: Env['LOG_LEVEL'];
  /** Express `trust proxy`: no proxy, a hop count, or the addresses/subnets of trusted proxies */
  trustProxy: false | number | string[];
  graphiql: boolean;
  sessionTtlMs: number;
  shutdownTimeoutMs: number;
  /** names this process in the `x-colloquy-instance` header and its logs (INSTANCE_ID; default host:pid) */
  instanceId: string;
  /** the worker serves /metrics on this port (the api serves it on its own port) */
  metricsPort: number | undefined;
  readinessTimeoutMs: number;
  /** requests per minute per member, API token or anonymous address */
  rateLimitPerMinute: number;
  /** mutation fields per minute per member, API token or anonymous address */
  rateLimitWritesPerMinute: number;
  /** sign-in attempts per 15 minutes per client address and handle/email (fails closed without Redis) */
  rateLimitSignInPer15Minutes: number;
  /** sign-ups per hour per client address (fails closed without Redis) */
  rateLimitSignUpPerHour: number;
  /** cost points per hour per member, API token or anonymous address (GitHub-style, docs/api.md) */
  rateLimitPointsPerHour: number;
  /** what one GraphQL request may ask for: refused before execution beyond any of these */
  graphqlLimits: GraphQLLimits;
  reputationRules: string | undefined;
  /** JSON overrides of the moderation rules (modules/moderation/moderation.rules.ts) */
  moderationRules: string | undefined;
  /** JSON overrides of the review rules (close votes, review queues; modules/review/review.rules.ts) */
  reviewRules: string | undefined;
  stackExchangeDumpDir: string | undefined;
  /** webhook delivery (modules/webhook, docs/webhooks.md) */
  webhooks: WebhookConfig;
  /** e-mail (modules/mail, docs/notifications.md) */
  mail: MailConfig;
  /** e2e only: the services' clock adds the offset kept in Redis (infra/test-clock.ts); refused in production */
  testClock: boolean;
}

export interface MailConfig {
  /** the SMTP server (`npm start` and the tests: the local Mailpit) */
  smtpUrl: string;
  from: string;
  /** signs one-click unsubscribe links; unset: a random secret kept in the database */
  secret: string | undefined;
  /** immediate e-mails per member per hour (more wait for the digest) */
  maxPerHour: number;
}

export interface WebhookConfig {
  /** deliver to loopback/private/link-local targets (development and tests only) */
  allowPrivateTargets: boolean;
  /** deliveries failing in a row (every attempt) before a webhook is disabled */
  maxFailures: number;
  /** first retry delay; each next one is 3 times longer (10 s base, 10 attempts: ~27 h) */
  backoffBaseMs: number;
  /** attempts of one delivery, the first included */
  maxAttempts: number;
}

export interface GraphQLLimits {
  /** largest request body, in bytes (413 beyond) */
  maxBodyBytes: number;
  /** cost points of one operation */
  maxCost: number;
  /** nodes one operation may return */
  maxNodes: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** "Did you mean …?" in validation errors (off in production unless asked for) */
  fieldSuggestions: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

/** Parses an environment (process.env by default). Throws ConfigError naming the first bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Readonly<Config> {
  // Empty strings count as unset, as in most .env tooling.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const raw = env[variable];
    throw new ConfigError(variable, `${issue.message}${raw !== undefined ? ` (got "${raw}")` : ''}`);
  }
  const e = parsed.data;
  if (e.TYPESENSE_URL && !e.TYPESENSE_API_KEY) {
    throw new ConfigError('TYPESENSE_API_KEY', 'is required when TYPESENSE_URL is set');
  }
  if (e.REDIS_CLUSTER_NODES && e.REDIS_SENTINELS) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'cannot be combined with REDIS_SENTINELS (a Redis Cluster fails over by itself)');
  }
  if (e.REDIS_CLUSTER_NODES && !/\{[^{}]+\}/.test(e.REDIS_PREFIX)) {
    throw new ConfigError(
      'REDIS_PREFIX',
      `must contain a hash tag such as {colloquy}: when REDIS_CLUSTER_NODES is set (queues and multi-key commands need their keys in one slot) (got "${e.REDIS_PREFIX}")`,
    );
  }
  if (e.TEST_CLOCK && e.NODE_ENV === 'production') {
    throw new ConfigError('TEST_CLOCK', 'must not be set when NODE_ENV=production (it lets Redis move the clock)');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL.replace(/\/$/, ''),
    mongodbUrl: mongoUrlWithOptions(e.MONGODB_URL, e.MONGODB_WRITE_CONCERN, e.MONGODB_READ_PREFERENCE),
    mongodbIdLookup: e.MONGODB_ID_LOOKUP,
    listings: e.LISTINGS,
    redisUrl: redisTarget(e.REDIS_URL, e.REDIS_SENTINELS, e.REDIS_SENTINEL_NAME, e.REDIS_CLUSTER_NODES),
    redisPrefix: e.REDIS_PREFIX,
    responseCacheTtlSeconds: e.RESPONSE_CACHE_TTL_SECONDS,
    typesense: e.TYPESENSE_URL ? { url: e.TYPESENSE_URL, apiKey: e.TYPESENSE_API_KEY! } : undefined,
    searchDataDir: e.SEARCH_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    graphiql: e.GRAPHIQL ?? e.NODE_ENV === 'development',
    sessionTtlMs: e.SESSION_TTL_DAYS * 24 * 3600 * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    instanceId: e.INSTANCE_ID ?? `${hostname()}:${process.pid}`,
    metricsPort: e.METRICS_PORT,
    readinessTimeoutMs: e.READINESS_TIMEOUT_MS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    rateLimitWritesPerMinute: e.RATE_LIMIT_WRITES_PER_MINUTE,
    rateLimitSignInPer15Minutes: e.RATE_LIMIT_SIGN_IN_PER_15_MINUTES,
    rateLimitSignUpPerHour: e.RATE_LIMIT_SIGN_UP_PER_HOUR,
    rateLimitPointsPerHour: e.RATE_LIMIT_POINTS_PER_HOUR,
    graphqlLimits: Object.freeze({
      maxBodyBytes: e.GRAPHQL_MAX_BODY_BYTES,
      maxCost: e.GRAPHQL_MAX_COST,
      maxNodes: e.GRAPHQL_MAX_NODES,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      fieldSuggestions: e.GRAPHQL_FIELD_SUGGESTIONS ?? e.NODE_ENV !== 'production',
    }),
    reputationRules: e.REPUTATION_RULES,
    moderationRules: e.MODERATION_RULES,
    reviewRules: e.REVIEW_RULES,
    stackExchangeDumpDir: e.STACKEXCHANGE_DUMP_DIR,
    webhooks: Object.freeze({
      allowPrivateTargets: e.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
      maxFailures: e.WEBHOOK_MAX_FAILURES,
      backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    }),
    mail: Object.freeze({ smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, secret: e.MAIL_SECRET, maxPerHour: e.MAIL_MAX_PER_HOUR }),
    testClock: e.TEST_CLOCK,
  });
}
