// A small canvas showing RGB bytes (a dataset image, or a patch-feature map), scaled up by CSS.
import { useEffect, useRef } from 'react';
import { rgbImageData } from './rgb';

export function RgbCanvas({ rgb, side, label, className }: { rgb: Uint8Array; side: number; label: string; className: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) ctx.putImageData(rgbImageData(ctx, rgb, side), 0, 0);
  }, [rgb, side]);
  return <canvas ref={ref} width={side} height={side} className={className} title={label} role="img" aria-label={label} />;
}
