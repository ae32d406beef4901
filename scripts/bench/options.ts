// The benchmark's command line (npm run bench -- --help) and what each scale seeds.
import { ServiceError } from '../lib/services.js';

export const HELP = `npm run bench [-- options]

  --scale default|large   default: the ai.stackexchange.com dump + 36k synthetic questions
                          (~100k posts); large: 1M members and 1M posts (synthetic)
  --duration S            seconds of each measured run (default 10)
  --warmup S              seconds of warm-up before each operation (default 2)
  --connections N         connections of the closed-loop (max req/s) runs (default 10)
  --rate R                fixed request rate for the latency runs, req/s (default 50)
  --write-rate R          fixed rate of each write (postAnswer, vote) under read load (default 10)
  --write-connections N   closed-loop connections of each write (default 2)
  --timeout S             per-request timeout (default 10)
  --rate-tool paced|autocannon
                          fixed-rate driver: paced open loop (default) or autocannon overallRate
  --members N --questions N --seed N
                          synthetic data size (override the scale's) and generator seed (42)
  --demo                  seed only the small demo community (a quick smoke run)
  --reuse-data            keep the bench database as it is (no wipe, no seeding)
  --only a,b              only the operations whose name contains one of these (baselines always run)
  --no-db-report          skip the capture of database commands and the explain report
  --help`;

export interface Options {
  scale: 'default' | 'large';
  durationSec: number;
  warmupSec: number;
  connections: number;
  rate: number;
  writeRate: number;
  writeConnections: number;
  timeoutSec: number;
  rateTool: 'paced' | 'autocannon';
  members: number;
  questions: number;
  seed: number;
  reuseData: boolean;
  demo: boolean;
  only: string[];
  dbReport: boolean;
}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    scale: 'default',
    durationSec: 10,
    warmupSec: 2,
    connections: 10,
    rate: 50,
    writeRate: 10,
    writeConnections: 2,
    timeoutSec: 10,
    rateTool: 'paced',
    members: NaN,
    questions: NaN,
    seed: 42,
    reuseData: false,
    demo: false,
    only: [],
    dbReport: true,
  };
  const num = (name: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < min)
      throw new ServiceError(`--${name} needs a number ≥ ${min} (got ${value ?? 'nothing'})`, HELP);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      case '--scale': {
        const v = value();
        if (v !== 'default' && v !== 'large') throw new ServiceError(`--scale must be default or large (got ${v ?? 'nothing'})`, HELP);
        o.scale = v;
        break;
      }
      case '--duration':
        o.durationSec = num('duration', value(), 1);
        break;
      case '--warmup':
        o.warmupSec = num('warmup', value(), 0);
        break;
      case '--connections':
        o.connections = Math.round(num('connections', value(), 1));
        break;
      case '--rate':
        o.rate = num('rate', value(), 0.1);
        break;
      case '--write-rate':
        o.writeRate = num('write-rate', value(), 0.1);
        break;
      case '--write-connections':
        o.writeConnections = Math.round(num('write-connections', value(), 1));
        break;
      case '--timeout':
        o.timeoutSec = num('timeout', value(), 1);
        break;
      case '--rate-tool': {
        const v = value();
        if (v !== 'paced' && v !== 'autocannon')
          throw new ServiceError(`--rate-tool must be paced or autocannon (got ${v ?? 'nothing'})`, HELP);
        o.rateTool = v;
        break;
      }
      case '--members':
        o.members = Math.round(num('members', value(), 1));
        break;
      case '--questions':
        o.questions = Math.round(num('questions', value(), 1));
        break;
      case '--seed':
        o.seed = Math.round(num('seed', value(), 0));
        break;
      case '--demo':
        o.demo = true;
        break;
      case '--reuse-data':
        o.reuseData = true;
        break;
      case '--only':
        o.only = (value() ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        break;
      case '--no-db-report':
        o.dbReport = false;
        break;
      default:
        throw new ServiceError(`unknown option ${arg}`, HELP);
    }
  }
  const sizes = SCALES[o.scale].synthetic;
  if (!Number.isFinite(o.members)) o.members = sizes.members;
  if (!Number.isFinite(o.questions)) o.questions = sizes.questions;
  return o;
}

/** What each scale seeds. */
export const SCALES = {
  // ~100k posts (the generator writes 2.8 posts per question): what search is judged at
  default: { dump: true, synthetic: { members: 18_000, questions: 36_000 } },
  // 1M posts: the generator writes 1.8 answers per question on average (2.8 posts per question)
  large: { dump: false, synthetic: { members: 1_000_000, questions: 357_000 } },
} as const;
