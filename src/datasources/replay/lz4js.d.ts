/** lz4js ships no types; only the frame decoder is used (Arrow IPC LZ4_FRAME buffers). */
declare module 'lz4js' {
  /** Decompresses one LZ4 frame; `maxSize` defaults to the frame's declared content size. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
