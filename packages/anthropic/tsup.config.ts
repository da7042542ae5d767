import { packageBuildOf } from '../../tsup.shared.js';

export default packageBuildOf(['src/index.ts', 'src/provider-thread.ts']);
