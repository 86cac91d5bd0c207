// `npm run bench`: every benchmark, one after another (they share 2 cores: never in parallel).
import { spawnSync } from 'node:child_process';

const benches = ['keygen', 'platform', 'sync', 'renderer'];
const only = process.argv.slice(2);
let failed = false;
for (const name of only.length ? only : benches) {
  console.log(`\n=== bench/${name}.ts`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
