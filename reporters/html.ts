// The HTML report (`--html FILE`): one self-contained page that loads
// nothing from the network (inline CSS and script, no fonts, no images), to
// open from a CI artifact or attach to a ticket. The matrix coloured by
// verdict (a cell links to its details), filters by category, level and
// verdict, and every non-pass cell expandable to its reason, steps, each
// request and response (as redacted in the JSON report) and the commands
// that replay or rerun it. `report.html#r-12` opens cell 12 on load
// (`#open=r-12` opens it without jumping there).
// Rendered as static HTML from the same Report as the JSON: readable with
// scripts off; the script only filters and opens.
import { boundedReport, omittedNote } from './evidence-bound.ts';
import type { ResultExtras } from '../harness/run/results.ts';
import type { Exchange, Report, RuleResult, Verdict, WireEvent } from '../harness/types.ts';
import type { ExpectedMark, ReportWithExpectations } from '../harness/outcomes/expectations.ts';
import { strictExitCode } from '../harness/engine/gate.ts';
import { expectationLines } from '../harness/outcomes/expectations.ts';
import { type RerunSummary, rerunLines } from '../harness/outcomes/rerun.ts';
import { cellCounts, shapeText } from './counts.ts';
import { fileReporter } from './file-output.ts';
import { blocksOf, matrixOperations } from './matrix.ts';
import { type ReproducerLinks, reproducerLinks } from './reproducers/links.ts';
import type { Reporter, RunInfo } from './reporter.ts';
import { shortNames } from './short-names.ts';
import { NOT_APPLICABLE, SYMBOL } from './style.ts';

type Result = RuleResult & ResultExtras & { expected?: ExpectedMark };

const VERDICT_ORDER: readonly Verdict[] = ['fail', 'warn', 'inconclusive', 'skipped', 'pass'];

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const h = escapeHtml;

function pretty(body: unknown): string {
  if (body === '' || body === undefined) return '(empty)';
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body, null, 2) ?? String(body);
  } catch {
    return String(body);
  }
}

function headers(list: Record<string, string>): string {
  return Object.entries(list)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function exchangeHtml(exchange: Exchange, index: number): string {
  const response = exchange.response;
  const status = response ? `${response.status}` : exchange.error ? 'no response' : '';
  const transient = exchange.transient
    ? ` <span class="transient">transient ${h(exchange.transient.kind)}` +
      `${exchange.transient.waitMs === undefined ? ', gave up' : `, resent after ${exchange.transient.waitMs} ms`}</span>`
    : '';
  const parts = [
    `<details class="exchange"><summary><span class="n">#${index + 1}</span> → ${h(exchange.operation)} ` +
      `<span class="status s${h(status.slice(0, 1))}">← ${h(status)}</span> ` +
      `<span class="ms">${exchange.durationMs.toFixed(1)} ms</span>${transient}</summary>`,
    '<div class="rr"><div><h5>request</h5>',
    `<pre class="headers">${h(headers(exchange.request.headers))}</pre>`,
    `<pre class="body request-body">${h(pretty(exchange.request.body))}</pre></div>`,
  ];
  if (response) {
    parts.push(
      `<div><h5>response ${response.status}</h5><pre class="headers">${h(headers(response.headers))}</pre>`,
      `<pre class="body response-body">${h(pretty(response.body))}</pre></div>`,
    );
  }
  if (exchange.error) parts.push(`<div><h5>error</h5><pre class="body error">${h(exchange.error)}</pre></div>`);
  parts.push('</div></details>');
  return parts.join('');
}

function detailHtml(result: Result, id: string, links?: ReproducerLinks): string {
  const scripts = links?.(result);
  const steps = result.steps ?? [];
  const hidden = (result.requests ?? result.evidence.length) - result.evidence.length;
  const expected = result.expected
    ? `<p class="expected">expected failure: ${h(result.expected.reason)}` +
      `${result.expected.link ? ` (<a href="${h(result.expected.link)}">${h(result.expected.link)}</a>)` : ''}</p>`
    : '';
  // Cut by the run-wide evidence bound (reporters/evidence-bound.ts): what was left out and how to get it.
  const hiddenNote = result.evidenceOmitted
    ? `<p class="note omitted">${h(omittedNote(result.evidenceOmitted, result.evidence.length))}</p>`
    : hidden > 0
      ? `<p class="note">${hidden} earlier exchange${hidden === 1 ? '' : 's'} not kept (the cell sent ${result.requests})</p>`
      : '';
  const body = [
    `<p class="reason">${h(result.reason)}</p>`,
    result.interleavings
      ? `<p class="note interleavings">interleavings: ${result.interleavings.exercised} of ${result.interleavings.intended} ` +
        'intended exercised</p>'
      : '',
    expected,
    steps.length ? `<h4>steps</h4><ol class="steps">${steps.map((s) => `<li>${h(s)}</li>`).join('')}</ol>` : '',
    result.evidence.length || result.evidenceOmitted
      ? `<h4>requests and responses</h4>${hiddenNote}<div class="evidence">${result.evidence.map(exchangeHtml).join('')}</div>`
      : '',
    historyHtml(result.history ?? []),
    result.replay ? `<h4>replay this case</h4><pre class="command replay">${h(result.replay.command)}</pre>` : '',
    result.rerun ? `<h4>rerun this cell</h4><pre class="command rerun">${h(result.rerun)}</pre>` : '',
    scripts
      ? `<h4>reproducers</h4><p class="reproducers"><a href="${h(scripts.node)}">${h(scripts.node)}</a> ` +
        `<a href="${h(scripts.shell)}">${h(scripts.shell)}</a></p>`
      : '',
  ].join('');
  return [
    `<details class="result" id="${id}" data-category="${h(result.category)}" data-level="${result.level}" ` +
      `data-verdict="${result.verdict}">`,
    `<summary><span class="badge v-${result.verdict}">${SYMBOL[result.verdict]} ${result.verdict}</span> ` +
      `<code>${h(result.rule)}</code> <b>${h(result.operation)}</b> <span class="level">${result.level}</span>` +
      `${result.expected ? ' <span class="tag">expected</span>' : ''} <span class="short">${h(firstLine(result.reason))}</span></summary>`,
    `<div class="detail">${body}</div></details>`,
  ].join('');
}

/** A wire history (harness/wire/proxy.ts): who sent what, when, what the proxy did, what each client saw, as a table. */
function historyHtml(events: readonly WireEvent[]): string {
  if (events.length === 0) return '';
  const rows = events
    .map(
      (event) =>
        `<tr class="who-${h(event.who.split(' ')[0] ?? '')}"><td class="at">+${event.at.toFixed(1)} ms</td><td>${h(event.who)}</td>` +
        `<td>${event.delivery === undefined ? '' : `#${event.delivery}`}</td>` +
        `<td>${event.operation === '-' ? '' : `<code>${h(event.operation)}</code> `}${h(event.what)}</td></tr>`,
    )
    .join('');
  return (
    '<h4>wire history</h4><table class="history">' +
    `<thead><tr><th>time</th><th>who</th><th>delivery</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 140 ? `${line.slice(0, 137)}...` : line;
}

/** The cells as the console and the JSON count them (reporters/counts.ts), then the shape rule's operations apart. */
function countsHtml(report: Report): string {
  const counts = cellCounts(report);
  const badges = (verdicts: Record<Verdict, number>): string =>
    VERDICT_ORDER.map((v) => `<span class="badge v-${v}">${SYMBOL[v]} ${verdicts[v]} ${v}</span>`).join(' ');
  const run = counts.run === counts.total ? `${counts.total} cells` : `${counts.run} of ${counts.total} cells run`;
  const unrun = counts.interrupted > 0 || counts.notRun > 0 ? ` (${counts.interrupted} interrupted, ${counts.notRun} not run)` : '';
  const shape = shapeText(counts);
  return `${run}${unrun}: ${badges(counts.verdicts)}${shape ? `; plus <code>${h(shape)}</code>: ${badges(counts.shape!.verdicts)}` : ''}`;
}

/** --rerun-failed: which cells of the earlier report pass now, which still do not (each linked to its details). */
function rerunHtml(report: Report, link: (rule: string, operation: string) => string | undefined): string {
  const rerun = (report as Report & { rerun?: RerunSummary }).rerun;
  if (rerun === undefined) return '';
  const cell = (rule: string, operation: string, was: Verdict): string => ` <code>${h(rule)}</code> ${h(operation)} (was ${was})`;
  const fixed = rerun.fixed.map((c) => `<li class="fixed">fixed${cell(c.rule, c.operation, c.was)}</li>`);
  const still = rerun.notPassing.map((c) => {
    const id = link(c.rule, c.operation);
    const what = id === undefined ? `still ${c.now}` : `<a href="#${id}">still ${c.now}</a>`;
    return `<li class="still">${what}${cell(c.rule, c.operation, c.was)}</li>`;
  });
  return `<section class="rerun"><p>${h(rerunLines(report)[0]!)}</p><ul>${[...fixed, ...still].join('')}</ul></section>`;
}

export function renderHtml(whole: Report, info?: RunInfo, wholeLinks?: ReproducerLinks): string {
  // The run-wide evidence bound (reporters/evidence-bound.ts); a summarised cell still links the scripts written from its evidence.
  const report = boundedReport(whole);
  const original = new Map(report.results.map((result, i) => [result, whole.results[i]!]));
  const links: ReproducerLinks | undefined = wholeLinks && ((result) => wholeLinks(original.get(result) ?? result));
  const results = report.results as readonly Result[];
  const ids = new Map<Result, string>(results.map((r, i) => [r, `r-${i}`]));
  const names = shortNames(matrixOperations(results));
  // The gate's verdict, --fail-on included (harness/engine/gate.ts).
  const code = strictExitCode(report);
  const interrupted = info?.interrupted ?? (report as { interrupted?: boolean }).interrupted ?? false;
  const verdict = interrupted ? 'INTERRUPTED' : code === 0 ? 'PASS' : 'FAIL';
  const s = report.summary;
  const shard = (report as { shard?: { index: number; count: number } }).shard;
  const categories = [...new Set(results.map((r) => r.category))];
  const levels = [...new Set(results.map((r) => r.level))];
  const verdicts = VERDICT_ORDER.filter((v) => results.some((r) => r.verdict === v));
  const byCell = new Map<string, Result>(results.map((r) => [`${r.rule}\u0000${r.operation}`, r]));

  const matrix = blocksOf(results)
    .map((block) => {
      const titles = block.operations.map((op) => `<th title="${h(op)}"><abbr title="${h(op)}">${h(names.get(op) ?? op)}</abbr></th>`);
      const head = `<tr><th class="rule">${h(block.category)}</th><th>level</th>${titles.join('')}</tr>`;
      const rows = block.rows
        .map((row) => {
          const cells = block.operations
            .map((op) => {
              const v = row.cells.get(op);
              if (!v) return `<td class="na" title="does not apply">${NOT_APPLICABLE}</td>`;
              const result = byCell.get(`${row.rule}\u0000${op}`);
              const woven = result?.interleavings
                ? ` (interleavings: ${result.interleavings.exercised} of ${result.interleavings.intended} exercised)`
                : '';
              const title = h(`${row.rule} on ${op}: ${v}${woven}${result ? ` - ${firstLine(result.reason)}` : ''}`);
              const symbol = SYMBOL[v];
              const inner = result && v !== 'pass' ? `<a href="#${ids.get(result)}">${symbol}</a>` : symbol;
              return `<td class="cell v-${v}" data-verdict="${v}" title="${title}">${inner}</td>`;
            })
            .join('');
          return (
            `<tr class="row" data-category="${h(block.category)}" data-level="${row.level}">` +
            `<td class="rule"><code>${h(row.rule)}</code></td><td class="level">${row.level}</td>${cells}</tr>`
          );
        })
        .join('');
      return `<table class="block" data-category="${h(block.category)}"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
    })
    .join('');

  const filters = [filterGroup('category', categories), filterGroup('level', levels), filterGroup('verdict', verdicts.map(String))].join(
    '',
  );
  const details = results
    .filter((r) => r.verdict !== 'pass')
    .sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict))
    .map((r) => detailHtml(r, ids.get(r)!, links))
    .join('');
  const expectations = (report as ReportWithExpectations).expectations
    ? `<pre class="expectations">${h(expectationLines(report).join('\n'))}</pre>`
    : '';
  const rerun = rerunHtml(report, (rule, op) => {
    const result = byCell.get(`${rule}\u0000${op}`);
    return result && result.verdict !== 'pass' ? ids.get(result) : undefined;
  });
  const legend = [...names].map(([op, short]) => `<span><b>${h(short)}</b> ${h(op)}</span>`).join(' ');
  const shardNote = shard ? ` <small>shard ${shard.index}/${shard.count}</small>` : '';
  const meta = [
    `target <code>${h(report.target.endpoint)}</code>${report.target.embedded ? ' (embedded emulator)' : ''}`,
    `region ${h(report.target.region)}`,
    `hooks ${h(report.target.capabilities.join(', ') || 'none')}`,
    `seed <code>${report.seed}</code>`,
    `${report.numRuns} runs per property`,
    `${h(report.startedAt)} to ${h(report.finishedAt)}`,
  ].join(' · ');
  const detailsHeading = `Failures, warnings, inconclusive and skipped cells (${results.length - s.pass})`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>proton-conformance: ${verdict} - ${h(report.target.endpoint)}</title>
<style>${CSS}</style>
</head>
<body data-verdict="${verdict}">
<header>
<h1>proton-conformance <span class="overall o-${verdict}">${verdict}</span>${shardNote}</h1>
<p class="meta">${meta}</p>
<p class="counts">${countsHtml(report)}</p>
${expectations}${rerun}
</header>
<nav id="filters">${filters}</nav>
<section id="matrix" aria-label="matrix">${matrix}<p class="legend">${legend}</p></section>
<section id="details"><h2>${detailsHeading}</h2>${details || '<p>Every cell passed.</p>'}</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The page loads nothing: its own style and script only. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

function filterGroup(name: string, values: readonly string[]): string {
  const boxes = values.map((v) => `<label><input type="checkbox" data-filter="${name}" value="${h(v)}" checked> ${h(v)}</label>`).join('');
  return `<fieldset class="filter" data-filter="${name}"><legend>${name}</legend>${boxes}</fieldset>`;
}

const CSS = [
  '',
  'body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 1.5em 2em;color:#1b1f24;background:#fff}',
  'h1{font-size:1.5em;margin:.6em 0 .2em}h2{font-size:1.15em;margin-top:1.5em}h4{margin:.8em 0 .3em;font-size:.95em}' +
    'h5{margin:.3em 0;font-size:.85em;color:#57606a}',
  'code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}',
  'pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.5em;overflow:auto;max-height:28em;' +
    'white-space:pre-wrap;word-break:break-word;margin:.2em 0}',
  '.meta,.legend{color:#57606a}.legend span{margin-right:1em;white-space:nowrap}',
  '.overall{padding:.1em .5em;border-radius:4px;color:#fff}.o-PASS{background:#1a7f37}.o-FAIL{background:#cf222e}' +
    '.o-INTERRUPTED{background:#9a6700}',
  '.badge{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.9em;white-space:nowrap}',
  '.v-pass{background:#dafbe1;color:#116329}.v-fail{background:#ffebe9;color:#a40e26}.v-warn{background:#fff8c5;color:#7d4e00}',
  '.v-inconclusive{background:#fbefff;color:#6e40c9}.v-skipped{background:#ddf4ff;color:#0550ae}',
  '#filters{display:flex;flex-wrap:wrap;gap:.8em;margin:.8em 0;position:sticky;top:0;background:#fff;padding:.4em 0;' +
    'z-index:1;border-bottom:1px solid #d0d7de}',
  'fieldset{border:1px solid #d0d7de;border-radius:4px;padding:.2em .6em}legend{font-weight:600;font-size:.85em}' +
    'label{margin-right:.6em;white-space:nowrap}',
  'table.block{border-collapse:collapse;margin:.8em 0;width:auto}',
  'table.history{border-collapse:collapse;font-size:12.5px;margin:.3em 0}' +
    'table.history td,table.history th{border-bottom:1px solid #eaeef2;padding:1px 8px;text-align:left;vertical-align:top}' +
    'table.history td.at{font-family:ui-monospace,monospace;white-space:nowrap;color:#57606a}' +
    'tr.who-proxy td{background:#fff8c5}tr.who-check td{background:#ddf4ff}',
  'th,td{border:1px solid #d0d7de;padding:.15em .4em;text-align:center}th{background:#f6f8fa;font-weight:600}',
  'td.rule,th.rule{text-align:left}td.level{font-size:.85em;color:#57606a}',
  'td.cell{min-width:2em;font-weight:700}td.cell a{color:inherit;text-decoration:none;display:block}',
  'td.cell.v-pass{background:#aceebb}td.cell.v-fail{background:#ff8182;color:#5c0010}td.cell.v-warn{background:#ffd33d}',
  'td.cell.v-inconclusive{background:#d8b9ff}td.cell.v-skipped{background:#b6e3ff}td.na{color:#afb8c1}',
  'td.cell.dim{opacity:.15}.hidden{display:none!important}',
  'details.result{border:1px solid #d0d7de;border-radius:4px;margin:.4em 0;padding:.3em .6em}',
  'details.result[open]{box-shadow:0 1px 4px rgba(0,0,0,.12)}' +
    'details.result[data-verdict=fail]{border-left:4px solid #cf222e}' +
    'details.result[data-verdict=warn]{border-left:4px solid #bf8700}details.result>summary{cursor:pointer}',
  '.short{color:#57606a}.level{font-size:.8em;color:#57606a}.tag{background:#eaeef2;border-radius:3px;padding:0 .3em;font-size:.8em}',
  '.rerun li.fixed{color:#116329}.rerun li.still{color:#a40e26}',
  '.detail{margin:.4em 0 .4em 1em}.reason{font-weight:600}.expected{color:#7d4e00}',
  'details.exchange{margin:.25em 0}details.exchange>summary{cursor:pointer;font-family:ui-monospace,monospace;font-size:12.5px}',
  '.rr{display:grid;grid-template-columns:repeat(auto-fit,minmax(22em,1fr));gap:.6em}',
  '.status.s2{color:#116329}.status.s4,.status.s5,.status.sn{color:#a40e26}.ms,.n{color:#57606a}.transient{color:#9a6700}',
  '',
].join('\n');

// Filters hide matrix rows and blocks (category, level), dim cells and hide
// details (verdict); a #r-N hash opens that cell's details (on load too).
const SCRIPT =
  `
(function(){
  function checked(name){return Array.prototype.filter.call(document.querySelectorAll('input[data-filter="'+name+'"]'),` +
  `function(i){return i.checked}).map(function(i){return i.value})}
  function apply(){
    var cat=checked('category'),lvl=checked('level'),ver=checked('verdict');
    document.querySelectorAll('#matrix table.block').forEach(function(t){t.classList.toggle('hidden',cat.indexOf(t.dataset.category)<0)});
    document.querySelectorAll('#matrix tr.row').forEach(function(r){
      var any=false;
      r.querySelectorAll('td.cell').forEach(function(c){` +
  `var on=ver.indexOf(c.dataset.verdict)>=0;c.classList.toggle('dim',!on);any=any||on});
      r.classList.toggle('hidden',lvl.indexOf(r.dataset.level)<0||!any);
    });
    document.querySelectorAll('#details details.result').forEach(function(d){
      d.classList.toggle('hidden',cat.indexOf(d.dataset.category)<0||lvl.indexOf(d.dataset.level)<0||ver.indexOf(d.dataset.verdict)<0);
    });
  }
  function openHash(){
    var id=decodeURIComponent(location.hash.slice(1)).replace(/^open=/,'');if(!id)return;
    var d=document.getElementById(id);if(!d||d.tagName!=='DETAILS')return;
    d.classList.remove('hidden');
    if(!d.open)d.querySelector('summary').click();
    d.querySelectorAll('details.exchange').forEach(function(e){e.open=true});
    document.body.dataset.expanded=id;
    var r=d.getBoundingClientRect();if(r.top<0||r.top>window.innerHeight-40)d.scrollIntoView();
  }
  document.querySelectorAll('input[data-filter]').forEach(function(i){i.addEventListener('change',apply)});
  window.addEventListener('hashchange',openHash);
  apply();openHash();
  var m=document.getElementById('matrix').getBoundingClientRect();
  document.body.dataset.matrixVisible=String(m.width>0&&m.height>0&&` +
  `getComputedStyle(document.getElementById('matrix')).visibility!=='hidden');
  document.body.dataset.ready='1';
})();
`;

export function htmlReporter(file: string, reproducers?: string): Reporter {
  const links = reproducers === undefined ? undefined : reproducerLinks(reproducers, file);
  return fileReporter('html', '--html', file, (report, info) => renderHtml(report, info, links));
}
