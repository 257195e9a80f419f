// Debian packages for integration tests: the .debs of a cache directory that
// CI fills (VIGIL_TEST_PYTHON_DEBS, VIGIL_TEST_LANG_DEBS), else downloaded now
// with `apt-get download` into the test's temporary directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The path of each package's .deb, from the directory in `cacheEnv` when it has them all, else from `apt-get download` under `tmp`. */
export function debFiles(packages: readonly string[], cacheEnv: string, tmp: string): Map<string, string> {
  const cached = process.env[cacheEnv];
  let dir = cached && existsSync(cached) ? cached : '';
  if (!dir || packages.some((d) => !readdirSync(dir).some((f) => f.startsWith(`${d}_`)))) {
    dir = join(tmp, 'debs');
    mkdirSync(dir);
    execFileSync('apt-get', ['download', ...packages], { cwd: dir, stdio: 'pipe' });
  }
  const files = readdirSync(dir);
  return new Map(
    packages.map((d) => [
      d,
      join(
        dir,
        files.find((f) => f.startsWith(`${d}_`) && f.endsWith('.deb'))!,
      ),
    ]),
  );
}
