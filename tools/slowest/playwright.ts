// Playwright reporter: the slowest end-to-end tests at the end of the run (beside the list reporter).
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { slowestTable, type TestTime } from './table';

export default class SlowestTests implements Reporter {
  private times: TestTime[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    this.times.push({ name: `${test.location.file.split('/e2e/')[1] ?? test.location.file} › ${test.title}`, ms: result.duration });
  }

  onEnd(): void {
    console.log(slowestTable('End-to-end tests', this.times));
  }

  printsToStdio(): boolean {
    return false; // the list reporter keeps the console
  }
}
