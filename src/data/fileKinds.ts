// Which files we try to decode, and why the others are skipped.

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jfif', 'webp', 'gif', 'bmp', 'avif', 'ico']);

export type SkipReason = 'not an image' | 'empty file' | 'could not decode' | 'unreadable';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

/** null when the file should be decoded, else why it is skipped (decoding may still fail later). */
export function skipReasonBeforeDecode(file: { name: string; type: string; size: number }): SkipReason | null {
  const extension = file.name.includes('.') ? file.name.split('.').pop()!.toLowerCase() : '';
  const looksLikeImage = file.type.startsWith('image/') || IMAGE_EXTENSIONS.has(extension);
  if (!looksLikeImage) return 'not an image';
  if (file.size === 0) return 'empty file';
  return null;
}

/** "3 files skipped: notes.txt (not an image), broken.jpg (could not decode), ..." */
export function describeSkipped(skipped: readonly SkippedFile[], shown = 5): string {
  if (skipped.length === 0) return '';
  const names = skipped.slice(0, shown).map((s) => `${s.path.split('/').pop()} (${s.reason})`);
  const more = skipped.length > shown ? `, and ${skipped.length - shown} more` : '';
  return `${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped: ${names.join(', ')}${more}`;
}
