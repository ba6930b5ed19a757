import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { platformArgs } from '../../src/base/detect.js';
import { expand, finalBase, parseDockerfile } from '../../src/base/dockerfile.js';
import { VerifyImageError } from '../../src/errors.js';

const base = (text: string, buildArgs: Record<string, string> = {}, automatic: Record<string, string> = {}) =>
  finalBase(parseDockerfile(text), buildArgs, automatic);

describe('parseDockerfile', () => {
  test('finds stages with aliases, platforms and line numbers', () => {
    const df = parseDockerfile(['# a comment', 'FROM --platform=$BUILDPLATFORM golang:1.22 AS Build', 'RUN go build', '', 'from alpine:3.19', 'COPY --from=build /app /app'].join('\n'));
    assert.deepEqual(df.stages, [
      { line: 2, image: 'golang:1.22', name: 'build', platform: '$BUILDPLATFORM' },
      { line: 5, image: 'alpine:3.19' },
    ]);
  });

  test('joins continuation lines, also across comment and blank lines, and keeps the start line', () => {
    const df = parseDockerfile(['ARG A=1 \\', '  # inside a continuation', '', '    B=2', 'FROM \\', '  node:22 \\', '  AS app'].join('\n'));
    assert.deepEqual(
      df.globalArgs.map((a) => [a.name, a.default, a.line]),
      [
        ['A', '1', 1],
        ['B', '2', 1],
      ],
    );
    assert.deepEqual(df.stages, [{ line: 5, image: 'node:22', name: 'app' }]);
  });

  test('a continuation backslash may be followed by spaces; CRLF line ends work', () => {
    const df = parseDockerfile('FROM \\  \r\n  debian:12\r\n');
    assert.equal(df.stages[0]?.image, 'debian:12');
  });

  test('the escape directive switches the continuation character to a backtick', () => {
    const df = parseDockerfile(['# escape=`', 'FROM `', '  mcr.microsoft.com/windows/servercore:ltsc2022', 'RUN dir c:\\'].join('\n'));
    assert.equal(df.escape, '`');
    assert.equal(df.stages[0]?.image, 'mcr.microsoft.com/windows/servercore:ltsc2022');
    assert.equal(df.stages.length, 1);
  });

  test('a directive after an instruction is a comment', () => {
    const df = parseDockerfile(['FROM a', '# escape=`'].join('\n'));
    assert.equal(df.escape, '\\');
  });

  test('heredoc bodies are not instructions', () => {
    const df = parseDockerfile(['FROM builder AS b', 'RUN <<EOF', 'FROM evil', 'EOF', 'COPY <<-"END" /x', '\tFROM evil2', '\tEND', 'FROM runtime'].join('\n'));
    assert.deepEqual(
      df.stages.map((s) => s.image),
      ['builder', 'runtime'],
    );
  });

  test('ARGs after the first FROM are stage-scoped and not global', () => {
    const df = parseDockerfile(['ARG V=1', 'FROM a:$V', 'ARG W=2', 'FROM b:$W'].join('\n'));
    assert.deepEqual(
      df.globalArgs.map((a) => a.name),
      ['V'],
    );
  });

  test('quoted ARG defaults keep their spaces', () => {
    const df = parseDockerfile('ARG MSG="hello world" OTHER=\'x y\'\nFROM a');
    assert.deepEqual(
      df.globalArgs.map((a) => a.default),
      ['"hello world"', "'x y'"],
    );
  });

  for (const [text, why] of [
    ['FROM', 'names no image'],
    ['FROM a AS', 'is malformed'],
    ['FROM a AS 1bad', 'not a valid stage name'],
    ['FROM --platform a', '--platform without a value'],
    ['ARG 9x=1\nFROM a', 'not a valid name'],
    ['# escape=x\nFROM a', 'escape character'],
  ] as const) {
    test(`rejects ${JSON.stringify(text)} (${why})`, () => {
      assert.throws(
        () => parseDockerfile(text),
        (err: unknown) => err instanceof VerifyImageError && err.code === 'input' && err.message.includes(why) && !err.message.includes('\n'),
      );
    });
  }
});

describe('finalBase', () => {
  test('the final stage FROM an image', () => {
    const b = base('FROM node:22-alpine\nRUN npm ci\n');
    assert.equal(b.image, 'node:22-alpine');
    assert.equal(b.from.line, 1);
    assert.deepEqual(b.stages, ['stage 0']);
  });

  test('follows stage aliases to the stage that names an image, case-insensitively', () => {
    const b = base(['FROM node:22 AS deps', 'FROM deps AS build', 'RUN make', 'FROM alpine AS unused', 'FROM Build AS runtime'].join('\n'));
    assert.equal(b.image, 'node:22');
    assert.deepEqual(b.stages, ['runtime', 'build', 'deps']);
    assert.equal(b.from.line, 1);
  });

  test('a stage named later is not a reference; the name is an image then', () => {
    const b = base(['FROM app', 'FROM busybox AS app'].join('\n'));
    assert.equal(b.image, 'busybox');
    const c = base(['FROM busybox AS app', 'FROM alpine', 'FROM app AS final'].join('\n'));
    assert.equal(c.image, 'busybox');
  });

  test('FROM scratch means no base, also through an alias', () => {
    assert.equal(base('FROM scratch\nCOPY app /').image, undefined);
    const b = base('FROM scratch AS empty\nFROM golang AS build\nFROM empty');
    assert.equal(b.image, undefined);
    assert.deepEqual(b.stages, ['stage 2', 'empty']);
  });

  test('substitutes ARG defaults declared before the first FROM', () => {
    const text = ['ARG REGISTRY=docker.io', 'ARG NODE=22', 'ARG IMAGE=${REGISTRY}/library/node:${NODE}-alpine', 'FROM $IMAGE AS build', 'FROM build'].join('\n');
    assert.equal(base(text).image, 'docker.io/library/node:22-alpine');
  });

  test('build args override defaults, and the defaults that use them follow', () => {
    const text = ['ARG NODE=22', 'ARG TAG=${NODE}-alpine', 'FROM node:${TAG}'].join('\n');
    assert.equal(base(text, { NODE: '20' }).image, 'node:20-alpine');
    assert.equal(base(text, { TAG: 'lts' }).image, 'node:lts');
  });

  test('an undeclared build arg is not used in FROM, as the frontend does', () => {
    assert.equal(base('FROM node:${V}', { V: '22' }).image, 'node:');
    assert.equal(base('FROM node${V:+:}${V}', { V: '22' }).image, 'node');
  });

  test('an ARG without default is unset unless given', () => {
    assert.equal(base('ARG V\nFROM node:${V:-20}').image, 'node:20');
    assert.equal(base('ARG V\nFROM node:${V:-20}', { V: '22' }).image, 'node:22');
  });

  test('an empty FROM says which ARG to set', () => {
    assert.throws(
      () => base('ARG BASE\nFROM ${BASE}'),
      (err: unknown) => err instanceof VerifyImageError && err.message.includes('give BASE a default or set it in build-args'),
    );
  });

  test('BuildKit platform ARGs are available in FROM without being declared', () => {
    const args = platformArgs({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64' });
    const b = base('FROM --platform=$BUILDPLATFORM golang AS build\nFROM --platform=$TARGETPLATFORM acme/base-$TARGETARCH', {}, args);
    assert.equal(b.image, 'acme/base-arm64');
    assert.equal(b.platform, 'linux/arm64');
  });

  test('a Dockerfile without FROM is an input error', () => {
    assert.throws(() => base('# nothing\nRUN true'), /has no FROM instruction/);
  });

  test('comments, continuations, flags, aliases and args together', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      '',
      '# the toolchain',
      'ARG GO_VERSION=1.22 \\',
      '    ALPINE=3.19',
      'FROM --platform=$BUILDPLATFORM \\',
      '    # comment inside',
      '    golang:${GO_VERSION}-alpine${ALPINE} AS build',
      'RUN go build -o /app',
      '',
      'FROM gcr.io/distroless/static:nonroot@sha256:' + 'a'.repeat(64) + ' AS runtime',
      'COPY --from=build /app /app',
    ].join('\n');
    const b = base(text, { ALPINE: '3.20' });
    assert.equal(b.image, `gcr.io/distroless/static:nonroot@sha256:${'a'.repeat(64)}`);
    assert.equal(b.from.line, 11);
  });
});

describe('expand', () => {
  const vars: Record<string, string> = { A: 'a', EMPTY: '' };
  const lookup = (name: string) => vars[name];
  for (const [word, expected] of [
    ['$A', 'a'],
    ['${A}b', 'ab'],
    ['$Ab', ''],
    ['${MISSING:-x}', 'x'],
    ['${EMPTY:-x}', 'x'],
    ['${EMPTY-x}', ''],
    ['${MISSING-x}', 'x'],
    ['${A:+y}', 'y'],
    ['${EMPTY:+y}', ''],
    ['${EMPTY+y}', 'y'],
    ['${MISSING:-${A}z}', 'az'],
    ['\\$A', '$A'],
    ["'$A'", '$A'],
    ['"$A b"', 'a b'],
    ['x$', 'x$'],
    ['$1', '$1'],
  ] as const) {
    test(`${word} → ${JSON.stringify(expected)}`, () => assert.equal(expand(word, lookup), expected));
  }

  test('${VAR:?message} fails with the message when unset', () => {
    assert.throws(() => expand('${MISSING:?set the base}', lookup), /requires MISSING: set the base/);
    assert.equal(expand('${A:?x}', lookup), 'a');
  });

  test('an unclosed ${ is an input error', () => {
    assert.throws(() => expand('${A', lookup), /unclosed/);
  });

  test('unsupported modifiers are named', () => {
    assert.throws(() => expand('${A/x/y}', lookup), /not a substitution/);
  });
});
