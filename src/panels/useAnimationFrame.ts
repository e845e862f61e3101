// Runs `draw` in requestAnimationFrame whenever `version()` changes (or `deps` do), so panels
// redraw at most once per frame and only when there is something new.
import { useEffect, useRef } from 'react';

export function useAnimationFrame(version: () => number, draw: () => void, deps: readonly unknown[]): void {
  const drawRef = useRef(draw);
  const versionRef = useRef(version);
  drawRef.current = draw;
  versionRef.current = version; // the newest closures: a version read through props must not go stale
  useEffect(() => {
    let last = -1;
    let frame = 0;
    const tick = () => {
      const v = versionRef.current();
      if (v !== last) {
        last = v;
        drawRef.current();
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, deps);
}

/** The element's width in CSS pixels, followed with a ResizeObserver. */
export function observeWidth(element: HTMLElement, onWidth: (width: number) => void): () => void {
  const observer = new ResizeObserver((entries) => onWidth(Math.floor(entries[0].contentRect.width)));
  observer.observe(element);
  return () => observer.disconnect();
}
