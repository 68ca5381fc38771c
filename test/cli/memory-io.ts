// A CLI `io` that collects what a command writes, for calling commands in-process.

/** `io` to pass to a command's `run`; `out` and `err` hold what it wrote. */
export function memoryIo(): { out: string; err: string; io: { out(t: string): void; err(t: string): void } } {
  const result = {
    out: '',
    err: '',
    io: {
      out: (text: string) => void (result.out += text),
      err: (text: string) => void (result.err += text),
    },
  };
  return result;
}
