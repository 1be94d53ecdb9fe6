import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { transformSync } from '@swc/core';

const REPO = resolve(__dirname, '../..');

/** A fenced code block of a Markdown file, with the heading it sits under. */
export interface Snippet {
  file: string;
  heading: string;
  lang: string;
  code: string;
}

/** Every fenced block of a file of the repository (README.md, docs/...). */
export function snippetsOf(file: string): Snippet[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const found: Snippet[] = [];
  let heading = '';
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        found.push({ file, heading, lang: open.lang, code: open.lines.join('\n') + '\n' });
        open = undefined;
      } else open.lines.push(line);
    } else if (line.startsWith('```')) open = { lang: line.slice(3).trim(), lines: [] };
    else if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '').trim();
  }
  return found;
}

/** The blocks of one language under one heading, in order; throws when there are none (the docs moved). */
export function snippetsUnder(file: string, heading: string, lang: string): string[] {
  const code = snippetsOf(file)
    .filter((s) => s.heading === heading && s.lang === lang)
    .map((s) => s.code);
  if (code.length === 0) throw new Error(`${file} has no \`\`\`${lang} block under "${heading}"`);
  return code;
}

/**
 * The snippet pointed at a gateway on `port` instead of 8000 (the test cannot count on port 8000
 * being free): `localhost:8000` and `port: 8000` are the only changes, and there must be one.
 */
export function onPort(code: string, port: number): string {
  const moved = code.replace(/localhost:8000\b/g, `localhost:${port}`).replace(/\bport: 8000\b/g, `port: ${port}`);
  if (moved === code) throw new Error(`the snippet names no localhost:8000 or port: 8000:\n${code}`);
  return moved;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>, input?: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/**
 * Runs a shell block with bash (`set -e`: a failing line fails the block) in the repository's
 * root, as a user would paste it, and returns the variables it exported.
 */
export async function runShell(
  code: string,
  env: Record<string, string>,
): Promise<Ran & { exported: Record<string, string> }> {
  const names = [...code.matchAll(/^export (\w+)=/gm)].map((m) => m[1]);
  const report = names.map((n) => `printf '%s=%s\\0' ${n} "$${n}" >&3`).join('\n');
  const script = `set -euo pipefail\nexec 3>"$SNIPPET_EXPORTS"\n${code}\n${report}\n`;
  const exportsFile = join(REPO, 'dist', 'doc-snippets', `exports-${process.pid}-${Date.now()}`);
  mkdirSync(join(REPO, 'dist', 'doc-snippets'), { recursive: true });
  const ran = await run('bash', ['-c', script], { ...env, SNIPPET_EXPORTS: exportsFile });
  const exported: Record<string, string> = {};
  try {
    if (ran.code === 0) {
      for (const pair of readFileSync(exportsFile, 'utf8').split('\0').filter(Boolean)) {
        const at = pair.indexOf('=');
        exported[pair.slice(0, at)] = pair.slice(at + 1);
      }
    }
  } finally {
    rmSync(exportsFile, { force: true });
  }
  return { ...ran, exported };
}

/**
 * Runs a TypeScript block as an ES module inside the repository (so that `chromadb` and
 * `@pinecone-database/pinecone` resolve to its node_modules). `show` names top-level constants of
 * the block, printed as JSON on a last line added to it: what the test checks.
 */
export async function runModule(
  code: string,
  env: Record<string, string>,
  show: string[] = [],
): Promise<Ran & { shown: any }> {
  for (const name of show)
    if (!new RegExp(`^const (${name}\\b|\\{[^}]*\\b${name}\\b[^}]*\\})`, 'm').test(code))
      throw new Error(`the snippet declares no top-level ${name}:\n${code}`);
  const printed = `${code}\nconsole.log('\\n' + JSON.stringify({ ${show.join(', ')} }));\n`;
  const { code: js } = transformSync(printed, {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'es6' },
  });
  const dir = join(REPO, 'dist', 'doc-snippets');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `snippet-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, js);
  const ran = await run(process.execPath, [file], env).finally(() => rmSync(file, { force: true }));
  const last = ran.stdout.trimEnd().split('\n').pop() ?? '';
  let shown: any;
  try {
    shown = ran.code === 0 ? JSON.parse(last) : undefined;
  } catch {
    shown = undefined;
  }
  return { ...ran, shown };
}
