// Turning what a person drops or picks into a flat list of files with their relative paths:
// folders are walked recursively (any depth), hidden files and folders are left out.

export interface PickedFile {
  file: File;
  path: string; // relative path inside what was dropped/picked, e.g. "animals/cats/a.jpg"
}

/** Hidden entries (".DS_Store", ".git/...") and macOS resource forks ("__MACOSX") are skipped. */
export function isHidden(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX' || name === 'Thumbs.db' || name === 'desktop.ini';
}

/** The parts of the File and Directory Entries API we use (a fake tree implements them in tests). */
export interface EntryLike {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?(success: (file: File) => void, failure?: (error: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void };
}

async function readAllEntries(dir: EntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader!();
  const all: EntryLike[] = [];
  // readEntries returns at most ~100 entries per call: call until it returns none
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Walks dropped entries depth-first. Unreadable entries are reported, not fatal. */
export async function walkEntries(entries: EntryLike[], unreadable: string[] = [], prefix = ''): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  for (const entry of entries) {
    if (isHidden(entry.name)) continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    try {
      if (entry.isDirectory) {
        out.push(...(await walkEntries(await readAllEntries(entry), unreadable, path)));
      } else if (entry.isFile) {
        const file = await new Promise<File>((resolve, reject) => entry.file!(resolve, reject));
        out.push({ file, path });
      }
    } catch {
      unreadable.push(path);
    }
  }
  return out;
}

/** Files from <input type=file> (with or without webkitdirectory). */
export function filesFromList(list: ArrayLike<File>): PickedFile[] {
  return Array.from(list)
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter(({ path }) => !path.split('/').some(isHidden));
}

/** Files from a drop: folders through webkitGetAsEntry; loose files (or synthetic drops, where
 *  no entry exists) through dataTransfer.files. */
export async function filesFromDrop(dataTransfer: DataTransfer, unreadable: string[] = []): Promise<PickedFile[]> {
  const entries = Array.from(dataTransfer.items ?? [])
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() as EntryLike | null);
  if (entries.length > 0 && entries.every((e) => e !== null)) return walkEntries(entries as EntryLike[], unreadable);
  return filesFromList(dataTransfer.files);
}
