/**
 * Install sizes, measured as the packaging test measures them: the tarballs installed by npm into a fresh
 * project outside the workspace. Writes bench-results/packaging.json at the repository root.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchResults } from '@cascadeflow/testing';
import { installs } from '../test/install.js';

const here = dirname(fileURLToPath(import.meta.url));
const { coreLimits, coreOpenai } = await installs();
writeBenchResults(join(here, '../../../bench-results/packaging.json'), [
  {
    name: 'install_core_limits_mib',
    value: +coreLimits.mib.toFixed(2),
    unit: `MiB on disk, @cascadeflow/core + @cascadeflow/limits from their tarballs (${coreLimits.installed.length} packages)`,
    target: 15,
    ratio: +(coreLimits.mib / 15).toFixed(3),
  },
  {
    name: 'install_core_openai_mib',
    value: +coreOpenai.mib.toFixed(2),
    unit: `MiB on disk, @cascadeflow/core + @cascadeflow/openai from their tarballs (${coreOpenai.installed.length} packages)`,
  },
]);
