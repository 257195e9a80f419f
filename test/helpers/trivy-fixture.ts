// Trivy's parser test fixtures, below src/core/analyzers/testdata/trivy/ (file
// reads stay out of src/core, tests included in its helpers).
import { readFileSync } from 'node:fs';

export const trivyFixture = (p: string): Buffer => readFileSync(new URL(`../../src/core/analyzers/testdata/trivy/${p}`, import.meta.url));
