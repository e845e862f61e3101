// One dataset image (RGB bytes at training size) drawn on a small canvas.
import { useEffect, useRef } from 'react';

export function Thumbnail({ rgb, side, label }: { rgb: Uint8Array; side: number; label: string | null }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(side, side);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      image.data[i] = rgb[j];
      image.data[i + 1] = rgb[j + 1];
      image.data[i + 2] = rgb[j + 2];
      image.data[i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }, [rgb, side]);
  return <canvas ref={ref} width={side} height={side} className="thumb" title={label ?? 'no label'} role="img" aria-label={label ?? 'unlabelled image'} />;
}
