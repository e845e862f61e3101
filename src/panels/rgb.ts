// RGB bytes (as the dataset stores images) -> canvas pixels.

/** Writes [height, width, 3] RGB bytes into a new ImageData of `ctx`, opaque. */
export function rgbImageData(
  ctx: { createImageData(w: number, h: number): ImageData },
  rgb: Uint8Array,
  width: number,
  height = width,
): ImageData {
  const image = ctx.createImageData(width, height);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    image.data[i] = rgb[j];
    image.data[i + 1] = rgb[j + 1];
    image.data[i + 2] = rgb[j + 2];
    image.data[i + 3] = 255;
  }
  return image;
}
