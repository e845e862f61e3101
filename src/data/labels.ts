// Class labels from folder names, ImageFolder-style: the first folder below the dropped root.
//   animals/cats/a.jpg, animals/dogs/b.jpg -> "cats", "dogs"  (one root folder dropped)
//   cats/a.jpg, dogs/b.jpg                 -> "cats", "dogs"  (class folders dropped together)
//   animals/cats/siamese/c.jpg             -> "cats"          (deeper folders fold into their class)
//   a.jpg, animals/a.jpg                   -> no label

/** One label (or null) per path, for the paths of ONE drop or pick. */
export function labelsFromPaths(paths: readonly string[]): (string | null)[] {
  const folders = paths.map((p) => p.split('/').slice(0, -1));
  const roots = new Set(folders.map((f) => f[0] ?? ''));
  const singleRoot = roots.size === 1 && !roots.has('');
  return folders.map((f) => {
    const below = singleRoot ? f.slice(1) : f;
    return below.length > 0 ? below[0] : null;
  });
}
