import { describe, expect, it } from 'vitest';
import { ReportCapture, reportsEpilogue } from '../runner-contract/report-lines.js';
import { decodeXml, emptySummary, MAX_JUNIT_FILE_BYTES, readJUnit } from './junit.js';

function read(xml: string | Buffer, file = 'r.xml') {
  const summary = emptySummary();
  readJUnit(file, xml, summary);
  return summary;
}

describe('readJUnit', () => {
  it('counts passed, failed, errors and skipped across nested suites, and names the failures', () => {
    const summary = read(`<?xml version="1.0"?>
<testsuites>
  <testsuite name="outer">
    <testsuite name="inner">
      <testcase classname="a.B" name="ok"/>
      <testcase classname="a.B" name="breaks"><error message="NullPointerException">trace</error></testcase>
    </testsuite>
    <testcase name="fails"><failure>line one
line two</failure></testcase>
    <testcase name="later"><skipped message="todo"/></testcase>
  </testsuite>
</testsuites>`);
    expect(summary).toEqual({
      passed: 1,
      failed: 2,
      errors: 1,
      skipped: 1,
      failures: [
        { name: 'a.B › breaks', message: 'NullPointerException' },
        { name: 'fails', message: 'line one\nline two' },
      ],
    });
  });

  it('reads a bare <testsuite> root and decodes entities in names and messages', () => {
    const summary = read(
      '<testsuite><testcase name="a &lt;b&gt; &amp; &#x263A;"><failure message="x &quot;y&quot;"/></testcase></testsuite>',
    );
    expect(summary.failures).toEqual([{ name: 'a <b> & ☺', message: 'x "y"' }]);
  });

  it('refuses malformed XML, a wrong root and a file over the cap with a note, never a throw', () => {
    const summary = emptySummary();
    readJUnit('broken.xml', '<testsuite><testcase name="x">', summary);
    readJUnit('html.xml', '<html><body>not junit</body></html>', summary);
    readJUnit('big.xml', Buffer.alloc(MAX_JUNIT_FILE_BYTES + 1, 'a'), summary);
    readJUnit('empty.xml', '', summary);
    expect(summary.passed + summary.failed).toBe(0);
    expect(summary.notes).toEqual([
      expect.stringMatching(/^broken\.xml: not well-formed XML \(line \d+: .+\), not read$/),
      'html.xml: no <testsuites> or <testsuite> element, not a JUnit report',
      'big.xml: larger than 2 MiB, not read',
      expect.stringMatching(/^empty\.xml: /),
    ]);
  });

  it('never expands DOCTYPE entities (no entity bomb)', () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuite><testcase name="&lol3;"><failure message="&lol3;"/></testcase></testsuite>`;
    const summary = read(bomb);
    expect(summary.failed).toBe(1);
    expect(summary.failures[0]?.name.length).toBeLessThan(20);
  });

  it('refuses elements nested past the depth limit before parsing', () => {
    const deep = `${'<testsuite>'.repeat(5000)}<testcase name="x"/>${'</testsuite>'.repeat(5000)}`;
    expect(read(deep).notes).toEqual(['r.xml: elements nested deeper than 64, not read']);
  });

  it('keeps at most 50 failures and clips long messages', () => {
    const cases = Array.from(
      { length: 80 },
      (_, i) => `<testcase name="t${i}"><failure message="${'m'.repeat(5000)}"/></testcase>`,
    ).join('');
    const summary = read(`<testsuite>${cases}</testsuite>`);
    expect(summary.failed).toBe(80);
    expect(summary.failures).toHaveLength(50);
    expect([...(summary.failures[0]?.message ?? '')].length).toBe(1000);
  });

  it('decodes only the predefined entities and character references', () => {
    expect(decodeXml('&lt;&custom;&#65;&#0;')).toBe('<&custom;A&#0;');
  });
});

describe('ReportCapture', () => {
  const file = (path: string, content: string) =>
    `\n::ferry-report::begin ${Buffer.from(path).toString('base64')}\n${Buffer.from(content)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n')}\n::ferry-report::end\n`;

  it('takes report lines out of the output, whatever the chunking, and passes the rest through in order', () => {
    const stream = `building\npartial line without end${file('a.xml', '<testsuite/>')}after\n`;
    for (const size of [1, 3, 7, 64, stream.length]) {
      const capture = new ReportCapture();
      let out = '';
      for (let i = 0; i < stream.length; i += size) out += capture.feed(stream.slice(i, i + size));
      out += capture.end();
      // The report's leading newline ends the partial line; the report lines themselves are gone.
      expect(out).toBe('building\npartial line without end\nafter\n');
      expect(capture.files.map((f) => [f.path, f.content.toString(), f.cut])).toEqual([
        ['a.xml', '<testsuite/>', false],
      ]);
    }
  });

  it('passes a partial line through at once unless it may be a marker', () => {
    const capture = new ReportCapture();
    expect(capture.feed('progress 10%')).toBe('progress 10%');
    expect(capture.feed('\n::fer')).toBe('\n');
    expect(capture.feed('ry-x\n')).toBe('::ferry-x\n');
  });

  it('notes a file the job never finished sending and the job’s own notes', () => {
    const capture = new ReportCapture();
    capture.feed('::ferry-report::note no file matches r/*.xml\n');
    capture.feed(`::ferry-report::begin ${Buffer.from('x.xml').toString('base64')}\nPHRl\n`);
    capture.end();
    expect(capture.notes).toEqual([
      'no file matches r/*.xml',
      'x.xml: the job ended while sending it, not read',
    ]);
    expect(capture.files).toEqual([]);
  });
});

describe('reportsEpilogue', () => {
  it.each(['/etc/*.xml', '../x.xml', 'a b.xml', 'x/$(id).xml', "a'.xml"])(
    'refuses the pattern %s',
    (glob) => {
      expect(() => reportsEpilogue(glob)).toThrow(TypeError);
    },
  );
});
