// The `?bench` page mode's own URL parameters (kept when the settings rewrite the URL).
export const BENCH_PARAMS = ['bench', 'presets', 'backends', 'steps', 'warmup', 'budget', 'plain', 'autorun'] as const;

export const isBenchMode = (search: string) => new URLSearchParams(search).has('bench');
