const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines without re-scanning what it has already seen: each chunk is
 * searched once with Buffer.indexOf, and a line that spans chunks is joined once, when its end
 * arrives. Lines are handed out as bytes (no decoding here), without the "\n" or a "\r" before it,
 * so UTF-8 sequences split across chunks are whole again by the time anyone decodes them.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly onLine: (line: Buffer) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (this.pendingBytes > 0) {
        this.pending.push(piece);
        this.emit(Buffer.concat(this.pending, this.pendingBytes + piece.length));
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        this.emit(piece);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
    }
  }

  /** Hands out a last line that had no newline. */
  end(): void {
    if (this.pendingBytes > 0) {
      const last = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.emit(last);
    }
  }

  private emit(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
    if (end === 0) return;
    this.onLine(end === line.length ? line : line.subarray(0, end));
  }
}
