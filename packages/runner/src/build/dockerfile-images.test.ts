// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text, not templates
import { describe, expect, it } from 'vitest';
import { dockerfileImages } from './dockerfile-images.js';
import { dockerfileInstructions } from './dockerfile-lines.js';
import { expandVariables } from './dockerfile-vars.js';
import { splitWords } from './dockerfile-words.js';

const images = (text: string, args: Record<string, string> = {}) => {
  const r = dockerfileImages(text, args);
  return r.ok ? r.uses.map((u) => `${u.line} ${u.instruction} ${u.image}`) : `line ${r.line}: ${r.reason}`;
};

describe('dockerfileImages', () => {
  it.each<[string, string, Record<string, string>, string[] | string | RegExp]>([
    ['one stage', 'FROM node:20-bookworm\nRUN npm ci\n', {}, ['1 FROM node:20-bookworm']],
    ['keyword case', 'from node:20\n', {}, ['1 FROM node:20']],
    [
      '--platform is a flag',
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n',
      {},
      ['1 FROM golang:1.22'],
    ],
    [
      'stage aliases are not images',
      'FROM golang:1.22 AS Build\nRUN go build\nFROM build AS test\nFROM registry.vpc:5000/base/distroless\nCOPY --from=build /app /app\nCOPY --from=0 /x /x\n',
      {},
      ['1 FROM golang:1.22', '4 FROM registry.vpc:5000/base/distroless'],
    ],
    ['scratch is no image', 'FROM scratch\nCOPY app /\n', {}, []],
    ['ARG default', 'ARG BASE=node:20-slim\nFROM $BASE\n', {}, ['2 FROM node:20-slim']],
    [
      'a build arg overrides the default',
      'ARG BASE=node:20-slim\nFROM ${BASE}\n',
      { BASE: 'evil:1' },
      ['2 FROM evil:1'],
    ],
    [
      'ARG defaults built from other ARGs',
      'ARG REG=registry.vpc:5000\nARG TAG=20\nARG IMG=${REG}/base/node:${TAG}\nFROM ${IMG}\n',
      { TAG: '22' },
      ['4 FROM registry.vpc:5000/base/node:22'],
    ],
    ['${VAR:-default}', 'ARG TAG\nFROM node:${TAG:-20}\n', {}, ['2 FROM node:20']],
    ['a build arg without ARG is not visible', 'FROM node:${TAG:-20}\n', { TAG: '99' }, ['1 FROM node:20']],
    [
      'continuations and comments',
      '# syntax=docker/dockerfile:1\nFROM \\\n  # a comment inside\n  node:20 \\\n  AS base\n',
      {},
      ['1 # syntax docker/dockerfile:1', '2 FROM node:20'],
    ],
    ['escape directive', '# escape=`\nFROM `\n  node:20\n', {}, ['2 FROM node:20']],
    [
      'COPY --from an image',
      'FROM node:20\nCOPY --chown=1 --from=nginx:1.27 /etc/nginx /x\n',
      {},
      ['1 FROM node:20', '2 COPY --from nginx:1.27'],
    ],
    [
      'RUN --mount from an image',
      'FROM node:20\nRUN --mount=type=bind,from=alpine:3,target=/a ls /a\n',
      {},
      ['1 FROM node:20', '2 RUN --mount alpine:3'],
    ],
    [
      'stage ARG in COPY --from',
      'FROM node:20\nARG SRC=busybox:1\nCOPY --from=$SRC /bin/sh /sh\n',
      {},
      ['1 FROM node:20', '3 COPY --from busybox:1'],
    ],
    [
      'a syntax directive is an image (the frontend BuildKit would pull)',
      '# Syntax = evil.example/frontend:1\nFROM node:20\n',
      {},
      ['1 # syntax evil.example/frontend:1', '2 FROM node:20'],
    ],
    [
      'a syntax line after the first comment is a comment, not a directive',
      '# hello\n# syntax=evil.example/frontend:1\nFROM node:20\n',
      {},
      ['3 FROM node:20'],
    ],
    [
      'a heredoc is refused: its FROM line would be a stage to buildah 1.28',
      'FROM node:20\nRUN <<EOF\necho hi\nFROM evil:1\nEOF\n',
      {},
      "line 2: RUN <<EOF is a heredoc, which the builder does not support: it would read the heredoc's lines as instructions (a FROM among them as a stage); write the script to a file in the context and COPY it, or use RUN with && and \\ continuations",
    ],
    [
      'a quoted, dashed heredoc in COPY',
      'FROM node:20\nCOPY <<-"END" /x\n\tFROM evil\n\tEND\n',
      {},
      /^line 2: COPY <<-END is a heredoc/,
    ],
    ['<< inside a word is no heredoc', 'FROM node:20\nRUN echo a<<b\n', {}, ['1 FROM node:20']],
    ['no FROM', 'RUN echo hi\n', {}, 'line 1: RUN comes before the first FROM'],
    ['empty', '# nothing\n', {}, 'line 1: it has no FROM instruction'],
    [
      'empty after ARG',
      'ARG BASE\nFROM $BASE\n',
      {},
      'line 2: $BASE resolves to an empty image name (BASE has no value); give the ARG a default or set it in stages.build.args',
    ],
    [
      'invalid reference',
      'FROM Node:20!\n',
      {},
      'line 1: Node:20! (from Node:20!) is not a valid image reference',
    ],
    [
      'FROM with extra words',
      'FROM node:20 extra\n',
      {},
      'line 1: FROM node:20 extra is not "FROM [--platform=…] image [AS name]"',
    ],
  ])('%s', (_name, text, args, expected) => {
    if (expected instanceof RegExp) expect(images(text, args)).toMatch(expected);
    else expect(images(text, args)).toEqual(expected);
  });
});

describe('dockerfileInstructions', () => {
  it('numbers instructions by their first line', () => {
    const { instructions } = dockerfileInstructions('\n\nFROM a\nRUN x \\\n    && y\n\nCMD z');
    expect(instructions).toEqual([
      { line: 3, keyword: 'FROM', args: 'a' },
      { line: 4, keyword: 'RUN', args: 'x && y' },
      { line: 7, keyword: 'CMD', args: 'z' },
    ]);
  });
});

describe('expandVariables and splitWords', () => {
  const vars = new Map<string, string | undefined>([
    ['A', 'x'],
    ['E', ''],
  ]);
  it.each([
    ['$A', 'x'],
    ['${A}-$A', 'x-x'],
    ['${E:-d}', 'd'],
    ['${A:+set}', 'set'],
    ['${E:+set}', ''],
    ['\\$A', '$A'],
    ['$NOPE', ''],
    ['cost $5', 'cost $5'],
  ])('%s → %s', (text, expected) => {
    expect(expandVariables(text, vars).value).toBe(expected);
  });

  it('splits quoted words', () => {
    expect(splitWords(`A="a b" B='c d' C=e\\ f`)).toEqual(['A=a b', 'B=c d', 'C=e f']);
  });
});
