// Decoding one image file to [side, side, 3] RGB uint8, in a worker: createImageBitmap decodes
// and downsizes in one go (a 40-megapixel photo is never kept full size), the shorter side is
// scaled to `side` and the centre square kept (torchvision's Resize + CenterCrop).
import { skipReasonBeforeDecode, type SkipReason } from './fileKinds';

export type DecodeResult = { ok: true; rgb: Uint8Array; width: number; height: number } | { ok: false; reason: SkipReason };

async function bitmapScaled(file: Blob, side: number): Promise<ImageBitmap> {
  // a first decode at width `side` tells the aspect; a landscape image is decoded again at height `side`
  const byWidth = await createImageBitmap(file, { resizeWidth: side, resizeQuality: 'high' });
  if (byWidth.height >= side) return byWidth;
  byWidth.close();
  return createImageBitmap(file, { resizeHeight: side, resizeQuality: 'high' });
}

export async function decodeImage(file: File, side: number): Promise<DecodeResult> {
  const early = skipReasonBeforeDecode(file);
  if (early) return { ok: false, reason: early };
  let bitmap: ImageBitmap;
  try {
    bitmap = await bitmapScaled(file, side);
  } catch {
    return { ok: false, reason: 'could not decode' };
  }
  try {
    const canvas = new OffscreenCanvas(side, side);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return { ok: false, reason: 'could not decode' };
    ctx.fillStyle = '#ffffff'; // transparent pixels become white, not black
    ctx.fillRect(0, 0, side, side);
    ctx.drawImage(bitmap, Math.floor((side - bitmap.width) / 2), Math.floor((side - bitmap.height) / 2));
    const rgba = ctx.getImageData(0, 0, side, side).data;
    const rgb = new Uint8Array(side * side * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return { ok: true, rgb, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}
