// The XML of one dump file → its rows: a saxes parser fed text a chunk at a time, which checks
// the structure (the file's root element holding self-closing <row … /> elements), converts each
// row's attributes with the file's column schema (se-dump.schema.ts) and collects the rows
// completed since they were last taken. Every problem becomes a DumpFormatError naming the file
// and the line (se-dump.reader.ts streams the bytes and hands the rows out).
import { SaxesParser } from 'saxes';
import {
  clip,
  convert,
  DUMP_KINDS,
  DumpFormatError,
  ROOT_ELEMENTS,
  RowProblem,
  SCHEMAS,
  type ColumnType,
  type DumpKind,
  type DumpRowMap,
} from './se-dump.schema.js';

export interface DumpRowAt<T> {
  row: T;
  /** 1-based line on which the row's `<row` starts */
  line: number;
}

export class DumpRowParser<K extends DumpKind> {
  private readonly parser = new SaxesParser({ position: true });
  private readonly schema: Readonly<Record<string, ColumnType>>;
  private readonly rootName: string;
  private depth = 0; // elements currently open
  private sawRoot = false;
  private current: Record<string, unknown> | null = null; // the <row> being read
  private rowLine = 0; // where the current <row> starts
  private rowColumn = 0;
  private tagLine = 0; // where the latest start tag starts
  private tagColumn = 0;
  private batch: DumpRowAt<DumpRowMap[K]>[] = [];
  private parsedRows = 0;

  /** `file`: the file's name, for the errors; throws a TypeError for an unknown kind. */
  constructor(
    private readonly file: string,
    private readonly kind: K,
  ) {
    const schema = SCHEMAS[kind] as Readonly<Record<string, ColumnType>> | undefined;
    if (!schema) throw new TypeError(`Unknown dump file kind "${String(kind)}"; expected one of ${DUMP_KINDS.join(', ')}`);
    this.schema = schema;
    this.rootName = ROOT_ELEMENTS[kind];
    this.parser.on('opentagstart', (tag) => this.onOpenTagStart(tag.name));
    this.parser.on('attribute', ({ name, value }) => {
      if (this.current === null) return; // attributes of the root element
      if (!Object.hasOwn(this.schema, name)) return; // columns this reader does not know are ignored
      this.current[name] = convert(this.schema[name]!, name, value);
    });
    this.parser.on('opentag', () => {
      if (this.current !== null && this.depth === 1 && this.current.Id === undefined) {
        throw new RowProblem('<row> has no Id attribute', 'row');
      }
      this.depth++;
    });
    this.parser.on('closetag', () => {
      this.depth--;
      if (this.depth === 1 && this.current !== null) {
        this.batch.push({ row: this.current as unknown as DumpRowMap[K], line: this.rowLine });
        this.parsedRows++;
        this.current = null;
      }
    });
    this.parser.on('text', (text) => this.onText(text));
  }

  /** rows parsed so far */
  get rows(): number {
    return this.parsedRows;
  }

  /** The rows completed since the last call, in file order. */
  takeRows(): DumpRowAt<DumpRowMap[K]>[] {
    const out = this.batch;
    this.batch = [];
    return out;
  }

  /** Feeds text to the parser; returns the format error it raised, if any. */
  feed(text: string): DumpFormatError | null {
    try {
      if (text !== '') this.parser.write(text);
      return null;
    } catch (err) {
      return this.formatError(err);
    }
  }

  /** The end of the file: the format error it means (a truncated file, no root element), if any. */
  end(): DumpFormatError | null {
    // say what an unexpected end means before saxes' generic "unclosed tag"
    if (this.current !== null) return this.errorHere('the file ends inside a <row> (truncated file?)');
    if (this.depth > 0) return this.errorHere(`the file ends before </${this.rootName}> (truncated file?)`);
    try {
      this.parser.close();
    } catch (err) {
      return this.formatError(err);
    }
    return this.sawRoot ? null : this.errorHere('the document has no root element');
  }

  /** A DumpFormatError at the parser's position. */
  errorHere(reason: string): DumpFormatError {
    return new DumpFormatError(this.file, this.parser.line, this.parser.column + 1, reason);
  }

  private onOpenTagStart(name: string): void {
    const { parser, rootName } = this;
    this.tagLine = parser.line;
    // saxes has read "<name" plus the character ending the name
    this.tagColumn = Math.max(1, parser.column - name.length - 1);
    if (this.depth === 0) {
      if (this.sawRoot) return; // saxes reports the second root itself
      this.sawRoot = true;
      if (name !== rootName) {
        throw new RowProblem(`expected the root element <${rootName}> of ${this.kind}.xml, found <${name}>`, 'tag');
      }
    } else if (this.depth === 1) {
      if (name !== 'row') throw new RowProblem(`unexpected element <${name}> in <${rootName}> (expected <row>)`, 'tag');
      this.current = {};
      this.rowLine = this.tagLine;
      this.rowColumn = this.tagColumn;
    } else {
      const hint = name === 'row' ? ` (the <row> of line ${this.rowLine} is not closed with "/>")` : '';
      throw new RowProblem(`unexpected element <${name}> inside <row>${hint}`, 'tag');
    }
  }

  private onText(text: string): void {
    if (this.depth === 0) return; // saxes itself rejects text outside the root element
    const start = text.search(/\S/);
    if (start < 0) return;
    // saxes reports text once it reaches the next "<": point back at where the text begins
    const after = text.slice(start).match(/\r\n|\r|\n/g)?.length ?? 0;
    const lastBreak = Math.max(text.lastIndexOf('\n', start), text.lastIndexOf('\r', start));
    const column = lastBreak >= 0 ? start - lastBreak : Math.max(1, this.parser.column - text.length);
    throw new RowProblem(`unexpected text "${clip(text.trim())}" ${this.depth === 1 ? `in <${this.rootName}>` : 'inside <row>'}`, {
      line: this.parser.line - after,
      column,
    });
  }

  private formatError(err: unknown): DumpFormatError {
    const { file } = this;
    if (err instanceof DumpFormatError) return err;
    if (err instanceof RowProblem) {
      if (err.at === 'row') return new DumpFormatError(file, this.rowLine, this.rowColumn, err.message);
      if (err.at === 'tag') return new DumpFormatError(file, this.tagLine, this.tagColumn, err.message);
      if (err.at === 'parser') return this.errorHere(err.message);
      return new DumpFormatError(file, err.at.line, err.at.column, err.message);
    }
    if (err instanceof Error) {
      // saxes: "<line>:<column>: <message>" (column 0-based)
      const reason = err.message.replace(/^\d+:\d+: /, '');
      return this.errorHere(`malformed XML: ${reason}`);
    }
    return this.errorHere(`malformed XML: ${String(err)}`);
  }
}
