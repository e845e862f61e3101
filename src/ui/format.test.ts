import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatRate } from './format';

describe('formatting', () => {
  it('formats bytes, durations and numbers for people', () => {
    expect(formatBytes(1_843_200)).toBe('1.8 MB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(null)).toBe('—');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(7260)).toBe('2 h 1 min');
    expect(formatDuration(2699.6)).toBe('45 min 0 s'); // was "44 min 60 s"
    expect(formatDuration(59.7)).toBe('1 min 0 s');
    expect(formatDuration(7199.9)).toBe('2 h 0 min');
    expect(formatRate(0.2912)).toBe('0.29');
    expect(formatRate(4.63)).toBe('4.6');
    expect(formatRate(463.2)).toBe('463');
    expect(formatNumber(0.000123)).toBe('1.23e-4');
    expect(formatNumber(0.2512)).toBe('0.2512');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});
