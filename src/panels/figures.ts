// How accuracies and their gains are written on the page (the quality figures, the kept runs).

/** An accuracy in [0, 1] as a percentage: 42.2%. */
export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A difference of accuracies in percentage points, always signed: +3.5, −1.2. */
export const points = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;
