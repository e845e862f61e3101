// Vitest reporter: the slowest unit tests at the end of the run (beside the default reporter).
import type { Reporter, TestCase } from 'vitest/node';
import { slowestTable, type TestTime } from './table';

export default class SlowestTests implements Reporter {
  private times: TestTime[] = [];

  onTestCaseResult(test: TestCase): void {
    const ms = test.diagnostic()?.duration;
    if (ms !== undefined) this.times.push({ name: `${test.module.relativeModuleId} › ${test.fullName}`, ms });
  }

  onTestRunEnd(): void {
    console.log(slowestTable('Unit tests', this.times));
  }
}
