const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Lines that need not be kept whole: once a line's first `headBytes` are in and `test(head)`
 * says so, the rest of it is only counted, and `onSkipped` gets its head, its length and its
 * last byte (a "\r" before the newline excluded).
 */
export interface SkipRule {
  headBytes: number;
  test(head: Buffer): boolean;
  onSkipped(head: Buffer, bytes: number, lastByte: number | undefined): void;
}

/**
 * Splits a byte stream into lines without re-scanning what it has already seen: each chunk is
 * searched once with Buffer.indexOf, and a line that spans chunks is joined once, when its end
 * arrives. Lines are handed out as bytes (no decoding here), without the "\n" or a "\r" before it,
 * so UTF-8 sequences split across chunks are whole again by the time anyone decodes them.
 * The chunk may be reused by its owner after push() returns: what is kept is copied, and a
 * line handed out is valid only during the onLine call.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while the rest of a line is being skipped. */
  private skipping: { head: Buffer; bytes: number; last: number | undefined; beforeLast: number | undefined } | undefined;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly skip?: SkipRule,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (this.skipping) {
        this.skipMore(piece);
        this.endSkipped();
      } else if (this.pendingBytes > 0) {
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
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Hands out a last line that had no newline. */
  end(): void {
    if (this.skipping) {
      this.endSkipped();
    } else if (this.pendingBytes > 0) {
      const last = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.emit(last);
    }
  }

  private keep(rest: Buffer): void {
    if (this.skipping) {
      this.skipMore(rest);
      return;
    }
    const skip = this.skip;
    if (skip && this.pendingBytes < skip.headBytes && this.pendingBytes + rest.length >= skip.headBytes) {
      const head = Buffer.concat([...this.pending, rest.subarray(0, skip.headBytes - this.pendingBytes)], skip.headBytes);
      if (skip.test(head)) {
        this.skipping = { head, bytes: this.pendingBytes, last: undefined, beforeLast: undefined };
        this.pending = [];
        this.pendingBytes = 0;
        this.skipMore(rest);
        return;
      }
    }
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  private skipMore(piece: Buffer): void {
    const state = this.skipping!;
    state.bytes += piece.length;
    if (piece.length >= 2) {
      state.beforeLast = piece[piece.length - 2];
      state.last = piece[piece.length - 1];
    } else if (piece.length === 1) {
      state.beforeLast = state.last;
      state.last = piece[0];
    }
  }

  private endSkipped(): void {
    const { head, bytes, last, beforeLast } = this.skipping!;
    this.skipping = undefined;
    const crlf = last === CARRIAGE_RETURN;
    this.skip!.onSkipped(head, crlf ? bytes - 1 : bytes, crlf ? beforeLast : last);
  }

  private emit(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
    if (end === 0) return;
    this.onLine(end === line.length ? line : line.subarray(0, end));
  }
}
