import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  MAX_FAILURE_TEXT,
  MAX_REPORTED_FAILURES,
  type TestFailure,
  type TestReportSummary,
} from '../domain/test-jobs.js';

/**
 * JUnit XML reports read into counts and failed tests (fast-xml-parser). Pure. Hostile input is a
 * note, never a throw: a file above the size cap is refused, one that is not well-formed XML or
 * nests too deep is named as such; DOCTYPE entities are never expanded (no entity bombs), the five
 * predefined ones and character references are decoded in the texts kept.
 */

/** Largest report file read. */
export const MAX_JUNIT_FILE_BYTES = 2 * 1024 * 1024;
/** Deepest element nesting read (suites in suites); deeper is refused before the parser recurses. */
export const MAX_JUNIT_DEPTH = 64;
/** Most test cases counted per file. */
export const MAX_JUNIT_CASES = 100_000;

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  textNodeName: '#text',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
});

export function emptySummary(): TestReportSummary {
  return { passed: 0, failed: 0, errors: 0, skipped: 0, failures: [] };
}

/** Reads one report file into `into` (merged with the files before it). */
export function readJUnit(file: string, content: Buffer | string, into: TestReportSummary): void {
  const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  if (bytes > MAX_JUNIT_FILE_BYTES) {
    note(into, `${file}: larger than ${MAX_JUNIT_FILE_BYTES / 1024 / 1024} MiB, not read`);
    return;
  }
  const text = typeof content === 'string' ? content : content.toString('utf8');
  if (nestingDepth(text) > MAX_JUNIT_DEPTH) {
    note(into, `${file}: elements nested deeper than ${MAX_JUNIT_DEPTH}, not read`);
    return;
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    note(
      into,
      `${file}: not well-formed XML (line ${valid.err.line}: ${clip(valid.err.msg, 200)}), not read`,
    );
    return;
  }
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (err) {
    note(into, `${file}: could not be read (${clip((err as Error).message, 200)})`);
    return;
  }
  const suites = [...asNodes(doc.testsuites), ...asNodes(doc.testsuite)];
  if (suites.length === 0) {
    note(into, `${file}: no <testsuites> or <testsuite> element, not a JUnit report`);
    return;
  }
  const counter = { cases: 0, cut: false };
  for (const suite of suites) readSuite(suite, into, counter);
  if (counter.cut) note(into, `${file}: more than ${MAX_JUNIT_CASES} test cases, the rest not counted`);
}

function readSuite(suite: Node, into: TestReportSummary, counter: { cases: number; cut: boolean }): void {
  for (const inner of asNodes(suite.testsuite)) readSuite(inner, into, counter);
  for (const testcase of asNodes(suite.testcase)) {
    if (counter.cases >= MAX_JUNIT_CASES) {
      counter.cut = true;
      return;
    }
    counter.cases += 1;
    const failure = asNodes(testcase.failure)[0];
    const error = asNodes(testcase.error)[0];
    if (failure !== undefined || error !== undefined) {
      into.failed += 1;
      if (failure === undefined) into.errors += 1;
      if (into.failures.length < MAX_REPORTED_FAILURES) {
        into.failures.push(failureOf(testcase, (failure ?? error) as Node));
      }
    } else if (testcase.skipped !== undefined) into.skipped += 1;
    else into.passed += 1;
  }
}

function failureOf(testcase: Node, failure: Node): TestFailure {
  const name = attr(testcase, 'name') || '(unnamed test)';
  const classname = attr(testcase, 'classname');
  const full = classname === '' || classname === name ? name : `${classname} › ${name}`;
  const message = attr(failure, 'message') || firstLines(textOf(failure)) || attr(failure, 'type');
  return { name: clip(full, MAX_FAILURE_TEXT), message: clip(message, MAX_FAILURE_TEXT) };
}

/** Elements as nodes: an element with only text (`<failure>trace</failure>`) arrives as its string. */
function asNodes(value: unknown): Node[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    typeof v === 'object' && v !== null ? (v as Node) : { '#text': typeof v === 'string' ? v : '' },
  );
}

function attr(node: Node, name: string): string {
  const value = node[`@${name}`];
  return typeof value === 'string' ? decodeXml(value).trim() : '';
}

function textOf(node: Node): string {
  const value = node['#text'];
  return typeof value === 'string' ? decodeXml(value) : '';
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 5).join('\n');
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The predefined XML entities and character references; any other entity stays as written. */
export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (!ref.startsWith('#')) return NAMED[ref] ?? whole;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** How deep elements nest (an estimate from tags; comments and CDATA may inflate it, never lower it much). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (const match of text.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (match[1] === '/') depth -= 1;
    else if (match[2] !== '/') {
      depth += 1;
      if (depth > max) max = depth;
    }
  }
  return max;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function note(into: TestReportSummary, text: string): void {
  into.notes = [...(into.notes ?? []), text];
}
