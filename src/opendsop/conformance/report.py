# SPDX-License-Identifier: Apache-2.0
"""A run's reports: JSON (everything), JUnit XML (for the bank's CI), a self-contained HTML page
(no external asset) and the terminal summary."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from opendsop.conformance.model import Outcome, Result


def summary(results: Sequence[Result]) -> dict[str, Any]:
    per_service: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        per_service[result.service or "common"][result.outcome.value] += 1
    totals = Counter(result.outcome.value for result in results)
    return {
        "total": len(results),
        **{outcome.value: totals.get(outcome.value, 0) for outcome in Outcome},
        "services": {service: dict(counts) for service, counts in per_service.items()},
    }


def to_json(results: Sequence[Result], meta: Mapping[str, Any]) -> str:
    return json.dumps(
        {"meta": dict(meta), "summary": summary(results), "checks": [result.as_dict() for result in results]},
        ensure_ascii=False,
        indent=1,
    )


def to_junit(results: Sequence[Result], meta: Mapping[str, Any]) -> str:
    suites = ET.Element("testsuites", name="dsop conformance")
    by_service: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_service[result.service or "common"].append(result)
    for service, items in by_service.items():
        counts = Counter(item.outcome for item in items)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"{meta.get('target', 'bank')}:{service}",
            tests=str(len(items)),
            failures=str(counts[Outcome.FAILED]),
            errors=str(counts[Outcome.ERROR]),
            skipped=str(counts[Outcome.SKIPPED]),
            time=f"{sum(item.seconds for item in items):.3f}",
        )
        for item in items:
            case = ET.SubElement(
                suite, "testcase", classname=f"{service}.{item.rule}", name=item.id, time=f"{item.seconds:.3f}"
            )
            detail = (
                f"{item.title}\nrule: {item.rule}\nsource: {item.source}\nseverity: {item.severity}\n{item.message}"
            )
            if item.exchanges:
                detail += "\n" + json.dumps(item.exchanges, ensure_ascii=False, indent=1)
            if item.outcome is Outcome.FAILED:
                ET.SubElement(case, "failure", message=item.message[:500], type=item.severity).text = detail
            elif item.outcome is Outcome.ERROR:
                ET.SubElement(case, "error", message=item.message[:500], type="unreachable").text = detail
            elif item.outcome is Outcome.SKIPPED:
                ET.SubElement(case, "skipped", message=item.message[:500])
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
.passed{color:#176a2a}.failed{color:#b00020;font-weight:bold}.error{color:#a05a00;font-weight:bold}.skipped{color:#666}
pre{white-space:pre-wrap;background:#f6f6f6;padding:6px;max-height:24em;overflow:auto;font-size:12px}
details summary{cursor:pointer}
"""


def to_html(results: Sequence[Result], meta: Mapping[str, Any]) -> str:
    total = summary(results)
    esc = html.escape
    rows = []
    for item in sorted(results, key=lambda r: (r.outcome is Outcome.PASSED, r.outcome is Outcome.SKIPPED, r.id)):
        detail = ""
        if item.outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED):
            detail = f"<div>{esc(item.message)}</div>"
            if item.exchanges:
                shown = esc(json.dumps(item.exchanges, ensure_ascii=False, indent=1))
                detail += f"<details><summary>request and response</summary><pre tabindex='0'>{shown}</pre></details>"
        rows.append(
            f"<tr><td class='{item.outcome.value}'>{item.outcome.value}</td>"
            f"<td><code>{esc(item.id)}</code><br>{esc(item.title)}{detail}</td>"
            f"<td><code>{esc(item.rule)}</code></td><td>{esc(item.severity)}</td><td>{esc(item.source)}</td></tr>"
        )
    services = "".join(
        f"<tr><td>{esc(service)}</td>" + "".join(f"<td>{counts.get(o.value, 0)}</td>" for o in Outcome) + "</tr>"
        for service, counts in total["services"].items()
    )
    head = "".join(f"<th>{o.value}</th>" for o in Outcome)
    facts = "".join(f"<li>{esc(str(key))}: <code>{esc(str(value))}</code></li>" for key, value in meta.items())
    return f"""<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>DSOP conformance: {esc(str(meta.get("target", "")))}</title>
<style>{_STYLE}</style></head><body>
<h1>DSOP conformance report</h1><ul>{facts}</ul>
<p><b>{total["passed"]}</b> of {total["total"]} checks passed, <span class="failed">{total["failed"]} failed</span>,
<span class="error">{total["error"]} errors</span>, {total["skipped"]} skipped.</p>
<table><tr><th>service</th>{head}</tr>{services}</table>
<h2>Checks</h2>
<table><tr><th>outcome</th><th>check</th><th>rule</th><th>severity</th><th>source</th></tr>{"".join(rows)}</table>
</body></html>
"""


def write_reports(directory: Path, results: Sequence[Result], meta: Mapping[str, Any]) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": directory / "conformance.json",
        "junit": directory / "conformance-junit.xml",
        "html": directory / "conformance.html",
    }
    paths["json"].write_text(to_json(results, meta), encoding="utf-8")
    paths["junit"].write_text(to_junit(results, meta), encoding="utf-8")
    paths["html"].write_text(to_html(results, meta), encoding="utf-8")
    return paths


__all__ = ["summary", "to_html", "to_json", "to_junit", "write_reports"]
