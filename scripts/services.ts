// npm run services -- <start|stop|status> [--profile dev|test|bench]
// Starts, stops or reports the local FerretDB and Redis of a profile (default: dev).
import { ensureServices, profilePorts, ServiceError, statusServices, stopServices, type Profile } from './lib/services.js';

const args = process.argv.slice(2);
const command = args[0] ?? 'status';
const profileIndex = args.indexOf('--profile');
const profile = (profileIndex >= 0 ? args[profileIndex + 1] : 'dev') as Profile;

async function main() {
  if (!['dev', 'test', 'bench'].includes(profile)) throw new ServiceError(`unknown profile "${profile}"`, 'Use dev, test or bench.');
  switch (command) {
    case 'start': {
      const urls = await ensureServices(profile);
      console.log(`MONGODB_URL=${urls.mongodbUrl}\nREDIS_URL=${urls.redisUrl}`);
      break;
    }
    case 'stop':
      await stopServices(profile);
      break;
    case 'status': {
      const ports = profilePorts(profile);
      for (const s of await statusServices(profile)) {
        const state = s.pid === undefined ? 'stopped' : s.healthy ? 'running' : 'not answering';
        console.log(`${s.name.padEnd(9)} ${state.padEnd(14)} port ${s.port}${s.pid ? `  pid ${s.pid}` : ''}`);
      }
      console.log(`api port ${ports.api}, web port ${ports.web} (profile ${profile})`);
      break;
    }
    default:
      throw new ServiceError(`unknown command "${command}"`, 'Use start, stop or status.');
  }
}

main().catch((error) => {
  if (error instanceof ServiceError) {
    console.error(`✗ ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
