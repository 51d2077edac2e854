"""The report's stylesheet. Every rule sits under `.rayo` so that the same CSS
can travel inside a pytest-html row without restyling the host page."""

CSS = """\
.rayo { --ink: #1f2328; --muted: #5c6470; --line: #d8dde3; --paper: #ffffff; --tint: #f6f8fa;
  --pass: #1a7f37; --fail: #c62828; --warn: #9a6700; --inconclusive: #6f42c1;
  --not-applicable: #6e7781; --error: #8b1a5a;
  color: var(--ink); background: var(--paper);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
body.rayo { margin: 0 auto; max-width: 1180px; padding: 24px 32px 64px; }
.rayo h1 { font-size: 1.6rem; margin: 0.2em 0 0.4em; line-height: 1.25; }
.rayo h2 { font-size: 1.15rem; margin: 1.8em 0 0.6em; padding-bottom: 0.2em; border-bottom: 1px solid var(--line); }
.rayo a { color: #0b5cad; }
.rayo code, .rayo pre { font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
.rayo pre { margin: 0; padding: 8px 10px; background: var(--tint); border-radius: 4px;
  overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.rayo .empty { color: var(--muted); font-style: italic; }
.rayo .crumbs { font-size: 0.9rem; }

.rayo .verdict { display: inline-block; padding: 1px 9px; border-radius: 10px; color: #fff;
  font-size: 0.82rem; font-weight: 600; letter-spacing: 0.02em; text-transform: uppercase; white-space: nowrap; }
.rayo .v-pass { background: var(--pass); }
.rayo .v-fail { background: var(--fail); }
.rayo .v-warn { background: var(--warn); }
.rayo .v-inconclusive { background: var(--inconclusive); }
.rayo .v-not-applicable { background: var(--not-applicable); }
.rayo .v-error { background: var(--error); }

.rayo table { border-collapse: collapse; width: 100%; }
.rayo th, .rayo td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
.rayo th { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
.rayo table.facts { width: auto; }
.rayo table.facts th { width: 11em; }
.rayo td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rayo .counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0 4px; padding: 0; list-style: none; }
.rayo .counts li { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
.rayo .counts .n { font-size: 1.3rem; font-weight: 700; margin-right: 6px; }
.rayo .counts .zero { opacity: 0.45; }

.rayo ol.findings { list-style: none; padding: 0; margin: 0; }
.rayo .finding { border: 1px solid var(--line); border-left: 5px solid var(--fail); border-radius: 4px;
  padding: 10px 14px; margin: 0 0 12px; }
.rayo .finding.lv-should { border-left-color: var(--warn); }
.rayo .finding.lv-note { border-left-color: var(--muted); }
.rayo .finding:target { box-shadow: 0 0 0 3px #f2c94c; }
.rayo .finding-head { font-size: 0.88rem; color: var(--muted); }
.rayo .finding-no { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 50%;
  background: var(--ink); color: #fff; font-weight: 700; }
.rayo .finding .kind { font-weight: 600; color: var(--ink); }
.rayo .finding .message { margin: 6px 0; white-space: pre-wrap; }  /* tracebacks keep their lines */
.rayo .missing { color: var(--fail); }
.rayo .compare { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.rayo .compare-head { font-size: 0.78rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; }
.rayo .expected .compare-head { color: var(--pass); }
.rayo .actual .compare-head { color: var(--fail); }
.rayo .expected pre { background: #eef8f0; }
.rayo .actual pre { background: #fdf0ef; }

.rayo .ladder-box { max-height: 80vh; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
.rayo svg.ladder { display: block; }
.rayo svg.ladder a:hover text { text-decoration: underline; }

.rayo .transcript section { border-bottom: 1px solid var(--line); padding: 8px 0 10px; }
.rayo .transcript section:target { background: #fff8db; }
.rayo .transcript .flagged { border-left: 4px solid var(--fail); padding-left: 10px; }
.rayo .rec-head { font-size: 0.88rem; margin-bottom: 4px; }
.rayo .rec-seq { font-weight: 700; text-decoration: none; }
.rayo .rec-time { color: var(--muted); font-variant-numeric: tabular-nums; display: inline-block; min-width: 5.5em; text-align: right; }
.rayo .rec-channel { text-transform: uppercase; font-size: 0.75rem; font-weight: 700; padding: 0 5px; border-radius: 3px; background: var(--tint); }
.rayo .ch-xmpp .rec-channel { color: #1f5fa8; }
.rayo .ch-sip .rec-channel { color: #1d7a46; }
.rayo .party { font-weight: 600; }
.rayo .peer { font-family: ui-monospace, monospace; font-size: 0.85rem; overflow-wrap: anywhere; }
.rayo .rec-label { margin-left: 8px; }
.rayo .rec-findings { color: var(--fail); font-weight: 600; margin-left: 8px; }
.rayo .rec-remark { margin: 0 0 4px; font-size: 0.82rem; color: var(--warn); }
.rayo .d-note pre { background: #fff6cc; }
"""
