// One image decoder: the training worker starts one per core (./decoderPool.ts) and sends it files.
import * as Comlink from 'comlink';
import { decodeImage } from '../../data/decode';

Comlink.expose({
  async decode(file: File, side: number) {
    const result = await decodeImage(file, side);
    return result.ok ? Comlink.transfer(result, [result.rgb.buffer]) : result;
  },
});
