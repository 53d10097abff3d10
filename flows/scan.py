"""Prefect flow `scan`: discover → (batches of) extract/detect/decide → write the register.

The flow only orchestrates: every step is a plain function from the stage packages.
Tasks are coarse (one per batch of files) because each Prefect task run costs server time.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from extractors.discover import SourceFile, discover
from flows.pipeline import PipelineOptions, process_batch, warm_worker
from flows.progress import Progress
from flows.server import prefect_api
from output.corrections import corrected_basis
from output.models import RegisterRow
from output.register import write_run
from output.state import StateStore
from output.summary import kawasaki_sentence, summarize
from rules.models import DECISIONS

MAX_BATCH = 50


@task(name="scan-batch", task_run_name="batch-{index}", cache_policy=NO_CACHE)
def scan_batch(index: int, sources: list[SourceFile], options: PipelineOptions) -> list[RegisterRow]:
    return process_batch(sources, options)


def make_batches(sources: list[SourceFile], workers: int) -> list[list[SourceFile]]:
    """About eight batches per worker (for progress and balance), at most MAX_BATCH files each."""
    if not sources:
        return []
    size = max(1, min(MAX_BATCH, math.ceil(len(sources) / (workers * 8))))
    return [sources[i : i + size] for i in range(0, len(sources), size)]


def task_runner(workers: int):
    if workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=workers, initializer=warm_worker)


def run_batches(sources: list[SourceFile], options: PipelineOptions, workers: int) -> list[RegisterRow]:
    progress = Progress(len(sources))
    futures = [scan_batch.submit(i, batch, options) for i, batch in enumerate(make_batches(sources, workers))]
    rows: list[RegisterRow] = []
    for future in as_completed(futures):
        batch_rows = future.result()
        rows.extend(batch_rows)
        progress.advance(len(batch_rows), batch_rows[-1].path if batch_rows else "")
    return sorted(rows, key=lambda r: (r.input_root, r.path))


def publish_artifacts(rows: list[RegisterRow], paths: dict[str, Path]) -> None:
    summary = summarize(rows)
    table = [{"判定": k, "件数": v} for k, v in summary.get("by_decision", {}).items()]
    create_table_artifact(table=table, key="sealreview-summary", description=kawasaki_sentence(rows))
    review = [r for r in rows if r.decision in ("needs_review", "error")]
    lines = ["# 押印見直し台帳", "", kawasaki_sentence(rows), "", f"台帳: `{paths.get('xlsx', '')}`", ""]
    if review:
        lines += ["## 要確認・読取不可", "", "| ファイル | 判定 | 理由 |", "|---|---|---|"]
        lines += [f"| {r.path} | {DECISIONS[r.decision]} | {r.reason} |" for r in review[:200]]
    create_markdown_artifact(markdown="\n".join(lines), key="sealreview-review-list")


def reviewers_basis(out_dir: Path) -> tuple[tuple[str, str], ...]:
    """The reviewers' corrected 根拠法令 from the state store (path → text), for the rules."""
    if not (out_dir / ".sealreview").exists():
        return ()
    with StateStore(out_dir) as store:
        return tuple(sorted(corrected_basis(store, by_path=True).items()))


@flow(name="scan", log_prints=False)
def scan_flow(
    inputs: list[str],
    out: str,
    as_of: str | None = None,
    policy: str = "default",
    manifest: str | None = None,
    workers: int = 1,
) -> dict:
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    out_dir = Path(out)
    options = PipelineOptions(
        as_of=as_of,
        policy=policy,
        manifest=manifest,
        work_dir=str(out_dir / ".work"),
        corrected_basis=reviewers_basis(out_dir),
        out_dir=str(out_dir),
    )
    sources = discover([Path(p) for p in inputs])
    rows = run_batches(sources, options, workers)
    run_info = {
        "as_of": rows[0].versions.get("as_of") if rows else as_of,
        "versions": rows[0].versions if rows else {},
        "inputs": [str(Path(p).resolve()) for p in inputs],
        "started": started,
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    args = {"inputs": inputs, "policy": policy, "manifest": manifest, "workers": workers}
    rows, paths = write_run(rows, out_dir, run_info=run_info, args=args)
    publish_artifacts(rows, paths)
    return {"rows": len(rows), "paths": {k: str(v) for k, v in paths.items()}, "sentence": kawasaki_sentence(rows)}


def run_scan(*, inputs: list[str], out: str, as_of: str | None, policy: str, manifest: str | None, workers: int) -> dict:
    """Run the flow with the task runner that fits the worker count, on one shared API server."""
    configured = scan_flow.with_options(task_runner=task_runner(workers))
    with prefect_api():
        return configured(inputs=inputs, out=out, as_of=as_of, policy=policy, manifest=manifest, workers=workers)
