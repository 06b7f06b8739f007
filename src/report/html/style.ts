/** The report's only stylesheet, inlined in its <style>. */
export const STYLE = `
:root { --fg: #1d2230; --muted: #667085; --bg: #ffffff; --panel: #f5f6f8; --line: #e3e6eb; --track: #eceef2; --bad: #c0392b; --ok: #2e7d32; --warn: #b26a00; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e8ee; --muted: #9aa3b2; --bg: #14161c; --panel: #1d2029; --line: #2c303b; --track: #262a34; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 28px 0 6px; }
h3 { font-size: 15px; margin: 18px 0 2px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.note { color: var(--muted); margin: 0 0 8px; font-size: 13px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px; }
.card-value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.legend { list-style: none; padding: 0; margin: 12px 0; display: flex; gap: 18px; flex-wrap: wrap; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
svg.chart text { fill: var(--fg); }
svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .track { fill: var(--track); }
svg.chart .segment { stroke: var(--bg); stroke-width: 0.5; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; }
tr.total td { font-weight: 600; }
.phase { font-weight: 600; }
.phase-done { color: var(--ok); }
.phase-failed, .phase-interrupted { color: var(--bad); }
.phase-running, .phase-waiting-rate-limit { color: var(--warn); }
.phase-not-run { color: var(--muted); }
.error { color: var(--bad); margin: 2px 0; }
.facts { margin: 0 0 4px; color: var(--muted); }
`;
