// Issue 18: the README is short and points into docs/; every relative link in
// the project's Markdown resolves to a file (and a `#anchor` into Markdown to
// a heading there, as GitHub makes anchors), and the README stays short.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchors, brokenReason, markdownFiles, relativeLinks, slug } from './markdown-links.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FOLDERS = ['docs', 'examples', 'emulator'];

describe('the README', () => {
  it('is at most 12 KB', () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(12 * 1024);
  });
});

describe('relative links in README.md, docs/, examples/ and emulator/', () => {
  const files = markdownFiles(ROOT, FOLDERS);

  it('are found', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/README.md');
    expect(files).toContain('emulator/README.md');
    const links = files.flatMap((file) => relativeLinks(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(links.filter((link) => link.target.includes('#')).length).toBeGreaterThan(5);
  });

  it.each(files)('%s: each resolves', (file) => {
    const broken = relativeLinks(file, readFileSync(join(ROOT, file), 'utf8'))
      .map((link) => ({ link, reason: brokenReason(ROOT, link) }))
      .filter(({ reason }) => reason !== undefined)
      .map(({ link, reason }) => `${link.file}:${link.line}: ${link.target}: ${reason}`);
    expect(broken).toEqual([]);
  });
});

describe('the link checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pc-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes anchors as GitHub does', () => {
    expect(slug('Faults on the wire: the `wire` rules')).toBe('faults-on-the-wire-the-wire-rules');
    expect(slug('Weather (transient failures)')).toBe('weather-transient-failures');
    expect(slug('proton-conformance sweep')).toBe('proton-conformance-sweep');
    expect(slug('See [the page](x.md), then 2.5')).toBe('see-the-page-then-25');
    expect([...anchors('# A\n\n## A\n\n```\n# not a heading\n```\n## B c\n')]).toEqual(['a', 'a-1', 'b-c']);
  });

  it('finds links in prose only, and skips absolute URLs', () => {
    const text = 'see [a](a.md#x) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d](https://example.com) [e]: e.md\n[f]: f.md "title"\n';
    expect(relativeLinks('x.md', text).map((link) => `${link.line} ${link.target}`)).toEqual(['1 a.md#x', '6 f.md']);
  });

  it('reports a missing file, a missing anchor, and a link out of the tree', () => {
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'README.md'), '# Top\n\n[ok](docs/page.md#a-heading) [self](#top)\n');
    writeFileSync(join(dir, 'docs', 'page.md'), '# Page\n\n## A heading\n');
    const reason = (target: string, file = 'README.md'): string | undefined => brokenReason(dir, { file, line: 1, target });
    expect(reason('docs/page.md#a-heading')).toBeUndefined();
    expect(reason('#top')).toBeUndefined();
    expect(reason('../README.md#top', 'docs/page.md')).toBeUndefined();
    expect(reason('docs/')).toBeUndefined();
    expect(reason('docs/missing.md')).toMatch(/no such file: docs\/missing\.md/);
    expect(reason('docs/page.md#no-heading')).toMatch(/no heading with the anchor #no-heading/);
    expect(reason('#nowhere')).toMatch(/no heading/);
    expect(reason('../outside.md')).toMatch(/out of the repository/);
  });
});
