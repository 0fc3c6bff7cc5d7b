// The HTML report's stylesheet, inlined in the page (the report loads nothing).
export const STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; }
body { margin: 1rem 1.5rem; }
[hidden] { display: none !important; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; vertical-align: top; text-align: left; }
thead th { position: sticky; top: 0; background: #f6f8fa; }
#runs td { font-family: ui-monospace, monospace; font-size: 12px; }
#runs td.totals { font-family: inherit; }
#filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: 1rem 0; padding: .5rem; background: #f6f8fa; border: 1px solid #d0d7de; }
#filters fieldset { border: 0; margin: 0; padding: 0; display: inline-flex; gap: .5rem; }
#visible-count { font-weight: 600; }
#matrix { width: 100%; }
#matrix td.entry { width: 14rem; }
#matrix td.entry code { font-size: 11px; word-break: break-all; }
#matrix .where { color: #57606a; font-size: 12px; }
#matrix .why { color: #57606a; font-style: italic; }
td.cell { white-space: nowrap; text-align: center; }
td[data-outcome="pass"] { background: #dafbe1; }
td[data-outcome="fail"] { background: #ffebe9; }
td[data-outcome="unsupported"] { background: #fff8c5; }
td[data-outcome="skip"] { background: #eaeef2; }
td[data-outcome="untested"], td[data-outcome="untestable"] { color: #57606a; }
td.cell button { font: inherit; font-weight: 700; color: #cf222e; background: none; border: 1px solid #cf222e; border-radius: 4px; cursor: pointer; }
dialog.evidence { width: min(90vw, 64rem); max-height: 85vh; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem 1.25rem; }
dialog.evidence::backdrop { background: rgb(0 0 0 / 35%); }
dialog.evidence h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
dialog.evidence h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
dialog.evidence dt { font-weight: 600; }
dialog.evidence dd { margin: 0 0 .5rem 1rem; white-space: pre-wrap; }
pre { margin: .25rem 0; padding: .5rem; background: #f6f8fa; white-space: pre-wrap; word-break: break-word; font-size: 12px; }
pre.stderr { background: #fff1f0; }
pre.stdout::before, pre.stderr::before { content: attr(title); display: block; color: #57606a; font-family: system-ui, sans-serif; }
.command { border-left: 3px solid #d0d7de; padding-left: .5rem; margin: .5rem 0; }
.close { float: right; }
`;
