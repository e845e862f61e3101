// The dataset in memory: every image once, at training resolution, as RGB uint8 in one growable
// buffer, with an optional class label per image. Pure TypeScript (tested in Node).

export interface ClassCount {
  name: string;
  count: number;
}

export class ImageStore {
  private pixels: Uint8Array;
  private labelIds: Int32Array;
  private readonly classIndex = new Map<string, number>();
  readonly classNames: string[] = [];
  private size = 0;

  constructor(
    readonly side: number,
    initialCapacity = 64,
  ) {
    this.pixels = new Uint8Array(initialCapacity * this.imageBytes);
    this.labelIds = new Int32Array(initialCapacity);
  }

  get imageBytes(): number {
    return this.side * this.side * 3;
  }
  get count(): number {
    return this.size;
  }
  /** Bytes held by the images (what the person is told the dataset costs). */
  get bytes(): number {
    return this.size * this.imageBytes;
  }

  /** Appends one [side, side, 3] RGB image; returns its index. */
  add(rgb: Uint8Array, label: string | null): number {
    if (rgb.length !== this.imageBytes) throw new Error(`image has ${rgb.length} bytes, expected ${this.imageBytes}`);
    if (this.size === this.labelIds.length) this.grow();
    this.pixels.set(rgb, this.size * this.imageBytes);
    this.labelIds[this.size] = label === null ? -1 : this.classId(label);
    return this.size++;
  }

  private classId(label: string): number {
    let id = this.classIndex.get(label);
    if (id === undefined) {
      id = this.classNames.length;
      this.classIndex.set(label, id);
      this.classNames.push(label);
    }
    return id;
  }

  private grow(): void {
    const capacity = this.labelIds.length * 2;
    const pixels = new Uint8Array(capacity * this.imageBytes);
    pixels.set(this.pixels);
    const labels = new Int32Array(capacity);
    labels.set(this.labelIds);
    this.pixels = pixels;
    this.labelIds = labels;
  }

  image(index: number): Uint8Array {
    return this.pixels.subarray(index * this.imageBytes, (index + 1) * this.imageBytes);
  }

  /** Class id of an image, -1 when unlabelled. */
  label(index: number): number {
    return this.labelIds[index];
  }

  /** The images at `indices`, back to back: [indices.length, side, side, 3]. */
  gather(indices: readonly number[]): Uint8Array {
    const out = new Uint8Array(indices.length * this.imageBytes);
    indices.forEach((index, k) => out.set(this.image(index), k * this.imageBytes));
    return out;
  }

  /** Images per class, by class name; unlabelled images last. */
  classCounts(): ClassCount[] {
    const counts = new Array(this.classNames.length).fill(0);
    let unlabelled = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.labelIds[i] < 0) unlabelled++;
      else counts[this.labelIds[i]]++;
    }
    const out = this.classNames.map((name, i) => ({ name, count: counts[i] })).sort((a, b) => a.name.localeCompare(b.name));
    return unlabelled > 0 ? [...out, { name: '(no label)', count: unlabelled }] : out;
  }
}
