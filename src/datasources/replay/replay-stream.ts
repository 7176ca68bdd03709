import type { ReplayFile } from './replay-files.js';
import { chainEvent, chainRow, isHeaderRow, mapperFor, ReplayRowError, type ChainRow, type MapContext, type TimedEvent } from './replay-mapper.js';
import { readLastRecords, readRecords } from './replay-readers.js';

/**
 * One time-ordered event stream out of many files, built lazily:
 *
 * 1. every file is a generator of its events (its rows, read in chunks);
 * 2. files of the same series that do not overlap in time (daily dumps of one symbol) are CHAINED: only
 *    one of them is open at a time, so a directory of a thousand daily files holds one file handle and one
 *    pending row per series, not a thousand;
 * 3. the chains are merged with a binary min-heap on (time, chain order): a k-way merge that keeps
 *    exactly one pending event per chain in memory;
 * 4. events whose key repeats an ordinal already emitted (overlapping recordings of one series, 1h/4h/1d
 *    spot closes at the same instant) are dropped.
 *
 * Rows inside a file must be in time order; a row that goes back in time is dropped and reported.
 */

export interface FileReport {
  badRows: number;
  outOfOrder: number;
  /** The first problem, with its line: enough to find it in the file. */
  firstProblem: string | null;
}

export interface ReplayIssues {
  /** A file was read to its end and had problems. */
  fileDone(file: ReplayFile, report: FileReport): void;
  /** A file could not be read any further (I/O or structural error); its remaining rows are lost. */
  fileFailed(file: ReplayFile, error: unknown): void;
}

export type ContextFor = (file: ReplayFile, offset: number) => MapContext;

/** Data-time bounds (without loop offset) a file's events are kept within; null keeps them all. */
export type WindowFor = (file: ReplayFile) => { from: number; to: number } | null;

/** An option-chain snapshot file is one event: every row folded into one chain (bad rows skipped). */
function* chainFileEvents(file: ReplayFile, ctx: MapContext, issues?: ReplayIssues): Generator<TimedEvent> {
  const report: FileReport = { badRows: 0, outOfOrder: 0, firstProblem: null };
  const rows: ChainRow[] = [];
  let first = true;
  for (const record of readRecords(file.path, file.container)) {
    if (first) {
      first = false;
      if (isHeaderRow(record.fields) || record.fields[0] === '') continue;
    }
    try {
      rows.push(chainRow(record.fields, ctx));
    } catch (error) {
      if (!(error instanceof ReplayRowError)) throw error;
      report.badRows += 1;
      report.firstProblem ??= `line ${record.line}: ${error.message}`;
    }
  }
  if (report.badRows > 0) issues?.fileDone(file, report);
  const event = chainEvent(rows, ctx);
  if (event) yield event;
}

/** Events of one file, in file order, rows out of time order and bad rows skipped. */
export function* fileEvents(file: ReplayFile, ctx: MapContext, issues?: ReplayIssues): Generator<TimedEvent> {
  if (file.content === 'optionsChain') {
    yield* chainFileEvents(file, ctx, issues);
    return;
  }
  const map = mapperFor(file);
  const report: FileReport = { badRows: 0, outOfOrder: 0, firstProblem: null };
  let first = true;
  let lastTime = -Infinity;
  for (const record of readRecords(file.path, file.container)) {
    if (first) {
      first = false;
      if (file.container === 'csv' && isHeaderRow(record.fields)) continue;
    }
    let events: TimedEvent[];
    try {
      events = map(record.fields, ctx);
    } catch (error) {
      if (!(error instanceof ReplayRowError)) throw error;
      report.badRows += 1;
      report.firstProblem ??= `line ${record.line}: ${error.message}`;
      continue;
    }
    for (const event of events) {
      if (event.time < lastTime) {
        report.outOfOrder += 1;
        report.firstProblem ??= `line ${record.line}: time ${event.time} is before the previous row's ${lastTime}`;
        continue;
      }
      lastTime = event.time;
      yield event;
    }
  }
  if (report.badRows > 0 || report.outOfOrder > 0) issues?.fileDone(file, report);
}

export interface ProbedFile {
  file: ReplayFile;
  /** Data time of its first and last event (without any loop offset). */
  first: number;
  last: number;
}

function lastEventTime(file: ReplayFile, ctx: MapContext): number | null {
  // A chain's time is its newest row anywhere in the file: read whole (the caller falls back to that).
  if (file.content === 'optionsChain') return null;
  const map = mapperFor(file);
  const tail = readLastRecords(file.path, file.container);
  for (let i = tail.length - 1; i >= 0; i -= 1) {
    const record = tail[i];
    if (!record) continue;
    try {
      const events = map(record.fields, ctx);
      const last = events.at(-1);
      if (last) return last.time;
    } catch (error) {
      if (!(error instanceof ReplayRowError)) throw error;
    }
  }
  return null;
}

/**
 * First and last event time of a file, from its head and its tail (no full read unless the tail has no
 * valid row). Null for a file without data rows.
 */
export function probeFile(file: ReplayFile, ctx: MapContext): ProbedFile | null {
  const events = fileEvents(file, ctx);
  const head = events.next();
  void events.return(undefined);
  if (head.done) return null;
  let last = lastEventTime(file, ctx);
  if (last === null) {
    last = head.value.time;
    for (const event of fileEvents(file, ctx)) last = event.time;
  }
  return { file, first: head.value.time, last: Math.max(last, head.value.time) };
}

/** Groups files into chains: same series, sorted by start, each file starting after the previous ends. */
export function chainFiles(files: readonly ProbedFile[]): ProbedFile[][] {
  const byStream = new Map<string, ProbedFile[]>();
  for (const f of files) {
    const list = byStream.get(f.file.stream) ?? [];
    list.push(f);
    byStream.set(f.file.stream, list);
  }
  const chains: ProbedFile[][] = [];
  for (const list of byStream.values()) {
    const sorted = [...list].sort((a, b) => a.first - b.first || a.file.path.localeCompare(b.file.path));
    const open: ProbedFile[][] = [];
    for (const f of sorted) {
      const chain = open.find((c) => (c.at(-1)?.last ?? Infinity) < f.first);
      if (chain) chain.push(f);
      else open.push([f]);
    }
    chains.push(...open);
  }
  return chains;
}

interface Cursor {
  head: TimedEvent;
  order: number;
  iterator: Generator<TimedEvent>;
}

export interface MergedStream {
  /** Data time of the next event, undefined at the end. */
  peekTime(): number | undefined;
  /** The next event (duplicates already dropped), undefined at the end. */
  next(): TimedEvent | undefined;
  /** Duplicates dropped so far. */
  readonly duplicates: number;
  /** Releases open files; the stream is then empty. */
  close(): void;
}

function* chainEvents(chain: readonly ProbedFile[], offset: number, contextFor: ContextFor, issues: ReplayIssues, windowFor?: WindowFor): Generator<TimedEvent> {
  for (const { file } of chain) {
    try {
      const window = windowFor?.(file) ?? null;
      const events = fileEvents(file, contextFor(file, offset), issues);
      if (window === null) {
        yield* events;
        continue;
      }
      for (const event of events) {
        if (event.time < window.from + offset) continue;
        // Rows are in time order: nothing later in this file is inside the window.
        if (event.time > window.to + offset) {
          void events.return(undefined);
          break;
        }
        yield event;
      }
    } catch (error) {
      issues.fileFailed(file, error);
    }
  }
}

function before(a: Cursor, b: Cursor): boolean {
  return a.head.time < b.head.time || (a.head.time === b.head.time && a.order < b.order);
}

/** k-way merge of `chains` with every time shifted by `offset`. */
export function openMergedStream(
  chains: readonly (readonly ProbedFile[])[],
  offset: number,
  contextFor: ContextFor,
  issues: ReplayIssues,
  windowFor?: WindowFor,
): MergedStream {
  const heap: Cursor[] = [];
  const lastOrdinal = new Map<string, number>();
  let duplicates = 0;

  function swap(i: number, j: number): void {
    const a = heap[i];
    const b = heap[j];
    if (!a || !b) return;
    heap[i] = b;
    heap[j] = a;
  }
  function up(i: number): void {
    for (let c = i; c > 0; ) {
      const p = (c - 1) >> 1;
      const child = heap[c];
      const parent = heap[p];
      if (!child || !parent || !before(child, parent)) return;
      swap(c, p);
      c = p;
    }
  }
  function down(i: number): void {
    for (let p = i; ; ) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      const lc = heap[l];
      const rc = heap[r];
      const cur = heap[m];
      if (lc && cur && before(lc, cur)) m = l;
      const best = heap[m];
      if (rc && best && before(rc, best)) m = r;
      if (m === p) return;
      swap(p, m);
      p = m;
    }
  }
  /** The chain's next event, or undefined when it is exhausted (or failed, already reported). */
  function pull(iterator: Generator<TimedEvent>): TimedEvent | undefined {
    const r = iterator.next();
    return r.done ? undefined : r.value;
  }

  chains.forEach((files, order) => {
    const iterator = chainEvents(files, offset, contextFor, issues, windowFor);
    const head = pull(iterator);
    if (head) {
      heap.push({ head, order, iterator });
      up(heap.length - 1);
    }
  });

  function take(): TimedEvent | undefined {
    const top = heap[0];
    if (!top) return undefined;
    const event = top.head;
    const following = pull(top.iterator);
    if (following) {
      top.head = following;
      down(0);
    } else {
      const last = heap.pop();
      if (last && heap.length > 0 && last !== top) {
        heap[0] = last;
        down(0);
      }
    }
    return event;
  }

  /** Drops duplicates at the front, so that peekTime() is the time of the event next() returns. */
  function skipDuplicates(): void {
    for (let top = heap[0]; top; top = heap[0]) {
      const previous = lastOrdinal.get(top.head.key);
      if (previous === undefined || top.head.ordinal > previous) return;
      duplicates += 1;
      take();
    }
  }

  return {
    peekTime(): number | undefined {
      skipDuplicates();
      return heap[0]?.head.time;
    },
    next(): TimedEvent | undefined {
      skipDuplicates();
      const event = take();
      if (event) lastOrdinal.set(event.key, event.ordinal);
      return event;
    },
    get duplicates() {
      return duplicates;
    },
    close(): void {
      for (const cursor of heap) void cursor.iterator.return(undefined);
      heap.length = 0;
    },
  };
}
