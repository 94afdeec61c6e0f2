// Relative links in the project's Markdown, and GitHub's heading anchors:
// what test/docs/links.test.ts checks. Code (fenced blocks and inline code)
// holds no links and no headings.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Link {
  /** The Markdown file, from the root. */
  file: string;
  line: number;
  target: string;
}

/** The Markdown files the link test reads: README.md, and every .md under these folders. */
export function markdownFiles(root: string, folders: readonly string[]): string[] {
  const files = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  for (const folder of folders) {
    if (!existsSync(join(root, folder))) continue;
    const found = readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' });
    for (const file of found) if (file.endsWith('.md')) files.push(`${folder}/${file.split('\\').join('/')}`);
  }
  return files.sort();
}

/** Lines outside fenced code blocks, numbered from 1; inline code blanked unless kept. */
function proseLines(text: string, keepInlineCode = false): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text: keepInlineCode ? raw : raw.replace(/(`+)[^`]*?\1/g, '') });
  });
  return lines;
}

/** Links that point into the repository: inline `[text](target)` and reference `[id]: target`. */
export function relativeLinks(file: string, text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: prose } of proseLines(text)) {
    const targets = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1] ?? '');
    const reference = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose)?.[1];
    if (reference !== undefined) targets.push(reference);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ file, line, target });
    }
  }
  return links;
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const plain = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '');
  return plain
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown text's headings get, repeated ones numbered as GitHub numbers them. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text: prose } of proseLines(text, true)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(prose)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Why a link does not resolve, or undefined when it does. */
export function brokenReason(root: string, link: Link): string | undefined {
  const [pathPart = '', anchor] = link.target.split('#', 2);
  const path = decodeURIComponent(pathPart);
  const absolute = path === '' ? resolve(root, link.file) : resolve(root, dirname(link.file), path);
  if (relative(root, absolute).startsWith('..')) return 'points out of the repository';
  if (!existsSync(absolute)) return `no such file: ${relative(root, absolute)}`;
  if (anchor === undefined || anchor === '' || !absolute.endsWith('.md') || statSync(absolute).isDirectory()) return undefined;
  if (!anchors(readFileSync(absolute, 'utf8')).has(anchor)) return `no heading with the anchor #${anchor} in ${relative(root, absolute)}`;
  return undefined;
}
