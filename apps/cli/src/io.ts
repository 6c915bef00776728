/** Where a command writes: stdout for results, stderr for diagnostics. Tests pass buffers. */
export interface Writer {
  write(text: string): void;
}

export interface CliIO {
  stdout: Writer;
  stderr: Writer;
}

/** The process's own streams. Call once: it listens to their errors. */
export function processIO(): CliIO {
  return { stdout: streamWriter(process.stdout), stderr: streamWriter(process.stderr) };
}

function streamWriter(stream: NodeJS.WriteStream): Writer {
  let closed = false;
  // A reader that stops early (`events --json | head -1`) closes the pipe: not a failure of the
  // command, which goes on to close its database; what it writes afterwards goes nowhere.
  stream.on('error', () => {
    closed = true;
  });
  return {
    write(text) {
      if (!closed) stream.write(text);
    },
  };
}

/** A writer that keeps what it is given, for tests. */
export class BufferWriter implements Writer {
  private readonly chunks: string[] = [];
  write(text: string): void {
    this.chunks.push(text);
  }
  get text(): string {
    return this.chunks.join('');
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

export function bufferIO(): { stdout: BufferWriter; stderr: BufferWriter } {
  return { stdout: new BufferWriter(), stderr: new BufferWriter() };
}
