"""Lighthouse on every page of a built site, mobile settings, served with gzip as GitHub Pages does.

A benchmark report, not a test: it writes artifacts/lighthouse/report.md (a table of the four
category scores and the main metrics per page, the median of --runs runs) and summary.json, and
fails only when Lighthouse itself cannot run. `nox -s lighthouse` builds the site and runs it.

    python tests/lighthouse/run.py --site site --out artifacts/lighthouse [--runs 3] [--only q15]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import static_host  # noqa: E402

CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = {  # audit id -> column
    "first-contentful-paint": "FCP s",
    "largest-contentful-paint": "LCP s",
    "total-blocking-time": "TBT ms",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI s",
    "dom-size": "DOM",
    "total-byte-weight": "KiB",
    "mainthread-work-breakdown": "main s",
}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync"


def pages(site):
    found = [p for p in site.rglob("*.html") if p.name != "404.html"]
    return sorted(p.relative_to(site).as_posix() for p in found)


def audit(url, lighthouse, chrome):
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            lighthouse,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ]
        done = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": chrome},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or not report.exists():
            raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
        return json.loads(report.read_text(encoding="utf-8"))


def figures(result):
    row = {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}
    audits = result["audits"]
    for audit_id, column in METRICS.items():
        value = audits[audit_id]["numericValue"]
        if column.endswith(" s"):
            value = value / 1000
        elif column == "KiB":
            value = value / 1024
        row[column] = value
    return row


def median_row(rows):
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def table(results):
    columns = [*CATEGORIES, *METRICS.values()]
    head = ["page", *("best practices" if c == "best-practices" else c for c in columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for page, row in results.items():
        cells = [page]
        for column in columns:
            value = row[column]
            cells.append(f"{value:.2f}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--out", type=Path, default=Path("artifacts/lighthouse"))
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    parser.add_argument("--only", default="", help="only pages whose path contains this text")
    args = parser.parse_args()

    lighthouse = HERE / "node_modules" / ".bin" / "lighthouse"
    chrome = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not lighthouse.exists():
        sys.exit(f"{lighthouse} is missing: npm ci --prefix {HERE}")
    if chrome is None:
        sys.exit("no Chromium: apt-get install chromium fonts-noto-cjk (or set CHROMIUM)")
    selected = [p for p in pages(args.site) if args.only in p]
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    started = time.perf_counter()
    with static_host.serve(args.site) as base:
        for page in selected:
            rows = [figures(audit(base + page, str(lighthouse), chrome)) for _ in range(args.runs)]
            results[page] = median_row(rows)
            row = results[page]
            print(
                f"{page}: performance {row['performance']}, accessibility "
                f"{row['accessibility']}, best practices {row['best-practices']}, seo "
                f"{row['seo']}, TBT {row['TBT ms']:.0f} ms, LCP {row['LCP s']:.1f} s",
                flush=True,
            )
    minutes = (time.perf_counter() - started) / 60
    worst = min(results.values(), key=lambda r: r["performance"])["performance"]
    package = HERE / "node_modules" / "lighthouse" / "package.json"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    summary = (
        f"Lighthouse {version}, mobile (default settings), "
        f"median of {args.runs} run(s) per page, {len(results)} pages in {minutes:.1f} min; "
        f"lowest performance score {worst}."
    )
    text = f"# Lighthouse report\n\n{summary}\n\n{table(results)}\n"
    (args.out / "report.md").write_text(text, encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(summary)
    print(f"report: {args.out / 'report.md'}")


if __name__ == "__main__":
    main()
