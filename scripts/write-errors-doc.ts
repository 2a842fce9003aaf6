import { writeFileSync } from 'node:fs';
import { errorAreas, renderErrorsDoc } from '../packages/shared/src/errors/index.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc(errorAreas));
