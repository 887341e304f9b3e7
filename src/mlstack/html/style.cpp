// SPDX-License-Identifier: MIT
// The page's CSS: system fonts, light and dark (prefers-color-scheme), tables that scroll in
// their own box, long paths that break anywhere rather than widen the page, print without
// backgrounds.
#include "mlstack/html/style.hpp"

namespace mlstack::html::detail {

const std::string_view k_style = R"css(
:root {
  --bg: #f6f7f9; --card: #fff; --fg: #1c1f24; --muted: #5f6670; --line: #dfe3e8;
  --code-bg: #f0f2f5; --err: #b42318; --err-bg: #fef3f2; --warn: #9a6700; --warn-bg: #fff8e6;
  --info: #175cd3; --info-bg: #eff5ff; --ok: #067647; --ok-bg: #ecfdf3; --link: #175cd3;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --card: #1a1e24; --fg: #e6e8eb; --muted: #9aa3ad; --line: #2e353e;
    --code-bg: #232a32; --err: #ff8a80; --err-bg: #3a1d1d; --warn: #f5c451; --warn-bg: #3a3017;
    --info: #8ab4ff; --info-bg: #1b2740; --ok: #6ddba0; --ok-bg: #153326; --link: #8ab4ff;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
.page { max-width: 1180px; margin: 0 auto; padding: 20px 24px 48px; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h2 { font-size: 19px; margin: 0 0 12px; }
h3 { font-size: 15px; }
section { margin-top: 28px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
.muted, .src { color: var(--muted); }
.src { font-size: 12px; overflow-wrap: anywhere; }
.path, dd code, li code { overflow-wrap: anywhere; }
pre { margin: 0; background: var(--code-bg); border-radius: 6px; padding: 8px 10px; overflow-x: auto; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
/* The verdict */
.verdict { border-left: 6px solid var(--ok); }
.verdict.error { border-left-color: var(--err); }
.verdict.warning { border-left-color: var(--warn); }
.verdict h1 { font-size: 26px; }
.verdict.error h1 { color: var(--err); }
.verdict.warning h1 { color: var(--warn); }
.verdict.healthy h1 { color: var(--ok); }
.target { margin: 6px 0 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0 0; padding: 0; list-style: none; }
.fix { margin-top: 14px; }
.fix h2 { font-size: 14px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.fix pre + pre { margin-top: 6px; }
nav.toc { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 14px; font-size: 14px; }
/* Severity badges */
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.error { color: var(--err); background: var(--err-bg); }
.badge.warning { color: var(--warn); background: var(--warn-bg); }
.badge.info { color: var(--info); background: var(--info-bg); }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.zero { color: var(--muted); background: var(--code-bg); font-weight: 400; }
/* Findings */
.finding { margin-bottom: 12px; border-left: 4px solid var(--info); }
.finding.error { border-left-color: var(--err); }
.finding.warning { border-left-color: var(--warn); }
.member { font-weight: 600; overflow-wrap: anywhere; }
.members > li > ul { margin-top: 2px; }
.finding header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 10px; }
.finding .id { font-weight: 600; }
.finding h3 { flex-basis: 100%; font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
.finding dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 14px; margin: 12px 0 0; }
.finding dt { color: var(--muted); font-size: 13px; padding-top: 1px; }
.finding dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.finding ul { margin: 0; padding-left: 18px; }
.finding ul.members { padding-left: 0; list-style: none; }
.members > li { border-top: 1px solid var(--line); padding: 6px 0; }
.members > li:first-child { border-top: 0; padding-top: 0; }
.subjects { display: flex; flex-wrap: wrap; gap: 4px; }
.subjects code { background: var(--code-bg); border-radius: 4px; padding: 0 5px; }
/* Tables */
.card + .scroll, .card + .problems + .scroll { margin-top: 12px; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 10px; background: var(--card); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 7px 12px; border-top: 1px solid var(--line); }
thead th { border-top: 0; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); white-space: nowrap; background: var(--code-bg); }
td.num { text-align: right; white-space: nowrap; }
td.nowrap, th.nowrap { white-space: nowrap; }
td.wide { min-width: 16em; }
td.build { min-width: 11em; }
td.fw { min-width: 8em; }
td.ver { min-width: 6em; max-width: 14em; overflow-wrap: anywhere; }
td.file { min-width: 20em; overflow-wrap: anywhere; }
td.notes { min-width: 14em; }
tr.order th { background: var(--bg); text-transform: none; letter-spacing: 0; font-size: 14px; color: var(--fg); padding-top: 12px; }
table.loader tbody + tbody tr.order th { border-top: 2px solid var(--line); }
tr.bad td { background: var(--err-bg); }
.ok-mark { color: var(--ok); font-weight: 700; }
.bad-mark { color: var(--err); font-weight: 700; }
/* Key-value facts */
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 18px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.problems { margin: 10px 0 0; padding-left: 18px; color: var(--err); }
h3.sub { margin: 18px 0 8px; }
.deps { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); gap: 10px; }
.deps .card { padding: 12px 14px; }
.deps p { margin: 4px 0 0; font-size: 13px; }
.deps .ids { font-size: 13px; }
.deps h3 { margin-bottom: 8px; }
.deps h4 { margin: 12px 0 4px; font-size: 13px; color: var(--muted); font-weight: 600; }
.deps ul { margin: 0; padding-left: 18px; }
.deps li { overflow-wrap: anywhere; }
footer { margin-top: 36px; font-size: 13px; }
@media (max-width: 600px) {
  .page { padding: 12px 12px 32px; }
  .card { padding: 12px 14px; }
  .verdict h1 { font-size: 22px; }
  .finding dl, dl.facts { grid-template-columns: minmax(0, 1fr); gap: 2px; }
  .finding dd, dl.facts dd { margin-bottom: 6px; }
  /* Tables reflow: a card per row, each cell under its column's name. */
  .scroll { overflow: visible; }
  table.reflow, table.reflow tbody, table.reflow tr, table.reflow td, table.reflow tr.order th { display: block; width: auto; }
  table.reflow thead { display: none; }
  table.reflow tr { display: flex; flex-direction: column; padding: 8px 12px; border-top: 1px solid var(--line); }
  table.reflow tr.order { display: block; }
  table.reflow tbody:first-of-type tr:first-child { border-top: 0; }
  table.reflow td { border: 0; padding: 1px 0 1px 6.5em; position: relative; min-width: 0; max-width: none; white-space: normal; text-align: left; overflow-wrap: anywhere; }
  table.reflow td::before { content: attr(data-label); position: absolute; left: 0; width: 6em; color: var(--muted); font-size: 12px; line-height: 21px; }
  table.reflow td.head { order: -1; padding-left: 0; font-weight: 600; }
  table.reflow td:empty { display: none; }
  table.reflow tr.bad { background: var(--err-bg); }
  table.reflow td[colspan] { padding-left: 0; }
  table.reflow tr.order { padding: 0; border-top: 0; }
  table.reflow tr.order th { padding: 8px 12px; border-top: 1px solid var(--line); background: var(--code-bg); }
  table.reflow tbody:first-of-type tr.order th { border-top: 0; }
}
@media print {
  :root {
    --bg: #fff; --card: #fff; --fg: #000; --muted: #555; --line: #ccc; --code-bg: #f3f3f3;
    --err: #b42318; --err-bg: #fff; --warn: #9a6700; --warn-bg: #fff; --info: #175cd3;
    --info-bg: #fff; --ok: #067647; --ok-bg: #fff; --link: #000;
  }
  body { font-size: 12px; }
  .page { max-width: none; padding: 0; }
  nav.toc { display: none; }
  .scroll { overflow: visible; border: 0; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  .finding, tr, .deps > div { break-inside: avoid; }
  a { color: inherit; }
}
)css";

}  // namespace mlstack::html::detail
