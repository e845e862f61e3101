import { describe, expect, it } from 'vitest';
import { describeSkipped, skipReasonBeforeDecode } from './fileKinds';
import { filesFromList, walkEntries, type EntryLike } from './files';
import { labelsFromPaths } from './labels';

type Tree = { [name: string]: Tree | string };

/** A fake FileSystemEntry tree; directories hand out their entries `perRead` at a time, like Chrome. */
function fakeEntry(name: string, node: Tree | string, perRead = 2): EntryLike {
  if (typeof node === 'string') {
    return { name, isFile: true, isDirectory: false, file: (ok) => ok(new File([node], name)) };
  }
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      const children = Object.entries(node).map(([n, child]) => fakeEntry(n, child, perRead));
      let cursor = 0;
      return {
        readEntries: (ok) => {
          ok(children.slice(cursor, cursor + perRead));
          cursor += perRead;
        },
      };
    },
  };
}

describe('folder walker', () => {
  it('walks nested folders at any depth, skipping hidden files and folders', async () => {
    const tree: Tree = {
      cats: { 'a.jpg': 'x', 'b.png': 'x', '.DS_Store': 'x', deeper: { deepest: { 'c.webp': 'x' } } },
      dogs: { 'd.jpg': 'x', 'notes.txt': 'hello' },
      '.git': { HEAD: 'x' },
      __MACOSX: { '._a.jpg': 'x' },
    };
    const files = await walkEntries([fakeEntry('animals', tree)]);
    expect(files.map((f) => f.path).sort()).toEqual([
      'animals/cats/a.jpg',
      'animals/cats/b.png',
      'animals/cats/deeper/deepest/c.webp',
      'animals/dogs/d.jpg',
      'animals/dogs/notes.txt',
    ]);
    expect(await files.find((f) => f.path.endsWith('notes.txt'))!.file.text()).toBe('hello');
  });

  it('reads directories with more entries than one readEntries call returns', async () => {
    const many: Tree = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`${i}.png`, 'x']));
    const files = await walkEntries([fakeEntry('big', many, 100)]);
    expect(files.length).toBe(250);
  });

  it('reports unreadable entries instead of failing', async () => {
    const broken: EntryLike = { name: 'locked.jpg', isFile: true, isDirectory: false, file: (_, fail) => fail!(new Error('denied')) };
    const unreadable: string[] = [];
    const files = await walkEntries([broken, fakeEntry('ok.png', 'x')], unreadable);
    expect(files.map((f) => f.path)).toEqual(['ok.png']);
    expect(unreadable).toEqual(['locked.jpg']);
  });

  it('takes relative paths from a folder picker and drops hidden ones', () => {
    const file = (path: string) => Object.assign(new File(['x'], path.split('/').pop()!), { webkitRelativePath: path }) as File;
    const picked = filesFromList([file('set/a/1.png'), file('set/.hidden/2.png'), file('set/a/.DS_Store')]);
    expect(picked.map((p) => p.path)).toEqual(['set/a/1.png']);
  });
});

describe('labels from folders', () => {
  it('uses the first folder below a single dropped root', () => {
    expect(labelsFromPaths(['animals/cats/a.jpg', 'animals/dogs/b.jpg', 'animals/cats/siamese/c.jpg', 'animals/top.jpg'])).toEqual([
      'cats',
      'dogs',
      'cats',
      null,
    ]);
  });
  it('uses the dropped folders themselves when several are dropped together', () => {
    expect(labelsFromPaths(['cats/a.jpg', 'dogs/b.jpg', 'loose.jpg'])).toEqual(['cats', 'dogs', null]);
  });
  it('gives no label to loose files or a single flat folder', () => {
    expect(labelsFromPaths(['a.jpg', 'b.jpg'])).toEqual([null, null]);
    expect(labelsFromPaths(['photos/a.jpg', 'photos/b.jpg'])).toEqual([null, null]);
  });
});

describe('skip rules', () => {
  it('decodes images by MIME type or extension, skips the rest with a reason', () => {
    expect(skipReasonBeforeDecode({ name: 'a.JPG', type: '', size: 10 })).toBeNull();
    expect(skipReasonBeforeDecode({ name: 'noext', type: 'image/png', size: 10 })).toBeNull();
    expect(skipReasonBeforeDecode({ name: 'anim.gif', type: 'image/gif', size: 10 })).toBeNull();
    expect(skipReasonBeforeDecode({ name: 'notes.txt', type: 'text/plain', size: 10 })).toBe('not an image');
    expect(skipReasonBeforeDecode({ name: 'model.safetensors', type: '', size: 10 })).toBe('not an image');
    expect(skipReasonBeforeDecode({ name: 'zero.png', type: 'image/png', size: 0 })).toBe('empty file');
  });

  it('lists skipped files in one readable sentence', () => {
    expect(
      describeSkipped([
        { path: 'a/notes.txt', reason: 'not an image' },
        { path: 'b/broken.jpg', reason: 'could not decode' },
      ]),
    ).toBe('2 files skipped: notes.txt (not an image), broken.jpg (could not decode)');
    const many = Array.from({ length: 8 }, (_, i) => ({ path: `${i}.txt`, reason: 'not an image' as const }));
    expect(describeSkipped(many, 2)).toBe('8 files skipped: 0.txt (not an image), 1.txt (not an image), and 6 more');
    expect(describeSkipped([])).toBe('');
  });
});
