import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take minutes of wall-clock time, mostly waiting (outages held for 120-150 s of
 * real time, npm pack and install, whole sandboxes), start first, so that they overlap one another
 * and the short files fill the gaps; left to the default order (by size on a clean clone, with no
 * timing cache) they could end up last, one after the other, and the run grows by their sum.
 */
const LONG_FIRST = [
  /outage-refused\.test/,
  /outage-503\.test/,
  /package\.test/,
  /webhook-read-fuzz\.test/,
  /sandbox\/start\.test/,
  /sending\/fault-mix\.test/,
  /failures\.test/,
  /walkthrough\.test/,
  /page\.test/,
  /outage-lines\.test/,
];

const rank = (spec: TestSpecification) => {
  const index = LONG_FIRST.findIndex((pattern) => pattern.test(spec.moduleId));
  return index === -1 ? LONG_FIRST.length : index;
};

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
