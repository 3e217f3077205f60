// Everything the CLI writes goes through here: plain lines when stdout is not a terminal (no
// control characters at all), a live spinner line and colours when it is (colours off with NO_COLOR).

export interface OutputStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const CLEAR_LINE = '\r\x1b[2K';
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Control characters (C0, DEL, C1) of untrusted text, e.g. an error a receiver provoked. */
const CONTROL = /\p{Cc}/gu;

/** The text with every control character replaced by a space: safe to print anywhere. */
export function safe(text: string): string {
  return text.replace(CONTROL, ' ');
}

export function noColorRequested(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
}

type Style = (text: string) => string;

export class Output {
  readonly tty: boolean;
  readonly color: boolean;
  readonly json: boolean;
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;
  private live: LiveProgress | undefined;

  constructor(options: { json: boolean }, streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env }) {
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
    this.json = options.json;
    this.tty = streams.stdout.isTTY === true && streams.env.TERM !== 'dumb';
    this.color = this.tty && !noColorRequested(streams.env);
  }

  private style(open: number, close: number): Style {
    return (text) => (this.color ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  }

  readonly bold = this.style(1, 22);
  readonly dim = this.style(2, 22);
  readonly red = this.style(31, 39);
  readonly green = this.style(32, 39);
  readonly yellow = this.style(33, 39);
  readonly cyan = this.style(36, 39);

  /** One line on stdout (above the spinner, if one is running). */
  line(text = ''): void {
    if (this.live) this.live.above(text);
    else this.stdout.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** One line on stderr; the spinner line is cleared first when both share the terminal. */
  warn(text: string): void {
    this.live?.clear();
    this.stderr.write(`${this.stderr.isTTY && this.color ? this.yellow('warning:') : 'warning:'} ${text}\n`);
    this.live?.draw();
  }

  error(message: string, details: ReadonlyArray<{ path: string; message: string }> = []): void {
    this.live?.stop();
    const colored = this.stderr.isTTY === true && this.color;
    const lines = [`${colored ? this.red('error:') : 'error:'} ${safe(message)}`];
    for (const d of details) lines.push(`  ${d.path ? `${safe(d.path)}: ` : ''}${safe(d.message)}`);
    this.stderr.write(`${lines.join('\n')}\n`);
  }

  /**
   * The progress display of a long operation: a spinner rewritten in place on a terminal; nothing
   * but the lines written with `line()` otherwise (and under --json, nothing at all).
   */
  progress(): Progress {
    if (!this.tty || this.json) return { status() {}, stop() {} };
    this.live?.stop();
    const live = new LiveProgress(this.stdout, this.cyan, () => {
      this.live = undefined;
    });
    this.live = live;
    return live;
  }
}

export interface Progress {
  /** The spinner's text (ignored when not on a terminal). */
  status(text: string): void;
  stop(): void;
}

class LiveProgress implements Progress {
  private frame = 0;
  private text = '';
  private readonly timer: NodeJS.Timeout;
  private readonly onSigint = () => {
    this.stop();
    process.exit(130);
  };

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly spin: Style,
    private readonly onStop: () => void,
  ) {
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.draw();
    }, 80);
    this.timer.unref();
    process.once('SIGINT', this.onSigint);
  }

  status(text: string): void {
    this.text = safe(text);
    this.draw();
  }

  above(line: string): void {
    this.stream.write(`${CLEAR_LINE}${line}\n`);
    this.draw();
  }

  clear(): void {
    this.stream.write(CLEAR_LINE);
  }

  draw(): void {
    if (!this.text) return;
    // Never wider than the terminal: a wrapped line could not be rewritten in place.
    const width = Math.max(10, (this.stream.columns || 80) - 3);
    const text = this.text.length > width ? `${this.text.slice(0, width - 1)}…` : this.text;
    this.stream.write(`${CLEAR_LINE}${this.spin(FRAMES[this.frame] ?? '')} ${text}`);
  }

  stop(): void {
    clearInterval(this.timer);
    process.removeListener('SIGINT', this.onSigint);
    this.stream.write(CLEAR_LINE);
    this.text = '';
    this.onStop();
  }
}
