import Anser from 'anser';
import type { JSX } from 'preact';
import { memo } from 'preact/compat';

/** Anser's 16 colours (made for black) mapped to a palette readable on the log's dark blue. */
const palette: Record<string, string> = {
  '0, 0, 0': '#8b949e',
  '187, 0, 0': '#ff7b72',
  '0, 187, 0': '#56d364',
  '187, 187, 0': '#e3b341',
  '0, 0, 187': '#79c0ff',
  '187, 0, 187': '#d2a8ff',
  '0, 187, 187': '#56d4dd',
  '255,255,255': '#e6edf3',
  '85, 85, 85': '#a5afbb',
  '255, 85, 85': '#ffa198',
  '0, 255, 0': '#7ee787',
  '255, 255, 85': '#f2cc60',
  '85, 85, 255': '#a5d6ff',
  '255, 85, 255': '#e2c5ff',
  '85, 255, 255': '#b3f0ff',
  '255, 255, 255': '#ffffff',
};

const rgb = /^\d{1,3}, ?\d{1,3}, ?\d{1,3}$/;

function colour(value: string | null): string | undefined {
  if (value === null || !rgb.test(value)) return undefined;
  return palette[value] ?? `rgb(${value})`;
}

function styleOf(entry: Anser.AnserJsonEntry): JSX.CSSProperties | undefined {
  const style: JSX.CSSProperties = {};
  const fg = colour(entry.fg);
  const bg = colour(entry.bg);
  if (fg !== undefined) style.color = fg;
  if (bg !== undefined) style.backgroundColor = bg;
  const d = new Set(entry.decorations);
  if (d.has('bold')) style.fontWeight = 600;
  if (d.has('dim')) style.opacity = 0.7;
  if (d.has('italic')) style.fontStyle = 'italic';
  const lines = [d.has('underline') ? 'underline' : '', d.has('strikethrough') ? 'line-through' : '']
    .filter(Boolean)
    .join(' ');
  if (lines !== '') style.textDecoration = lines;
  if (d.has('hidden')) style.visibility = 'hidden';
  return Object.keys(style).length === 0 ? undefined : style;
}

/**
 * One log line with its ANSI colours. The text becomes text nodes, never HTML: Anser only splits
 * it into styled runs, and Preact escapes every run. A carriage return (a progress bar redrawn in
 * place) shows the last state.
 */
export const AnsiText = memo(function AnsiText({ text }: { text: string }) {
  const cr = text.lastIndexOf('\r', text.length - 2);
  const shown = cr === -1 ? text : text.slice(cr + 1);
  if (!shown.includes('\u001b')) return <>{shown}</>;
  const runs = Anser.ansiToJson(shown, { remove_empty: true });
  return (
    <>
      {runs.map((run, i) => {
        const style = styleOf(run);
        return style === undefined ? (
          run.content
        ) : (
          <span key={i} style={style}>
            {run.content}
          </span>
        );
      })}
    </>
  );
});
