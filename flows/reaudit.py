"""Prefect flow `reaudit`: an incremental scan that also reports what changed since the previous run.

Unchanged files come from the extract+detect cache (output/store/analysis.py); every decision is recomputed, so a
new as-of date, catalogue or policy takes effect. The register gets a 変更履歴 sheet, the run a markdown
artifact with the same, and the state store keeps the run, its rows and its changes.
`scheduled_reaudit` is the flow a deployment serves (flows/serve.py): it picks the task runner from its
parameters, because a served flow is loaded from its module without `with_options`.
"""

from __future__ import annotations

import gc
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from extractors.discover import SourceFile, path_token, token_path
from flows import SERVED_ENV, OverrideRefused, prefect_home, served_parameters
from flows.scan import (
    last_pictures,
    make_batches,
    make_options,
    make_run_info,
    now_local,
    publish_artifacts,
    run_batches,
    run_documents,
    task_runner,
)
from flows.serve import prefect_api
from output.changes import compare, markdown, summary_line, with_machine_replacement
from output.corrections import apply_corrections
from output.decided_rows import DecidedRows
from output.evidence.early import EarlyPictures
from output.models import RegisterRow
from output.pipeline.guard import end_terminated_run
from output.pipeline.steps import PipelineOptions, rule_context
from output.pipeline.tuning import fewer_gc_passes, quiet_libraries
from output.pipeline.workers import forget_kept, prestart, release_spares, stop_all
from output.register import write_run
from output.store import (
    AnalysisCache,
    StateStore,
    clear_checkpoint,
    discover_known,
    run_lock,
    settings_of,
)
from output.summary import kawasaki_sentence


class NoPreviousRun(ValueError):
    """A re-audit without input folders needs a previous run to take them from."""


def previous_run(out_dir: Path) -> tuple[dict | None, list[RegisterRow]]:
    """The newest recorded run (as `StateStore.runs()` gives it) and its rows; (None, []) if none."""
    if not (out_dir / ".sealreview").exists():
        return None, []
    with StateStore(out_dir) as store:
        run = store.last_run()
        return run, (store.load_rows(run["id"]) if run else [])


def shown_rows(out_dir: Path, rows: list[RegisterRow]) -> list[RegisterRow]:
    """This run's rows as the register will show them (the reviewers' corrections applied)."""
    if not (out_dir / ".sealreview").exists():
        return rows
    with StateStore(out_dir) as store:
        return apply_corrections(rows, store)


@dataclass
class Prepared:
    """What a re-audit needs before it decides anything: the previous run and the files as they are now."""

    inputs: list[str]
    policy: str
    manifest: str | None
    before: dict | None
    old_rows: list[RegisterRow]
    sources: list[SourceFile]
    hashed: int  # files read to hash them (the others were unchanged since they were last hashed)
    options: PipelineOptions
    fresh: int  # files the analysis cache does not hold
    decided: DecidedRows  # the rows of cached files (their kept rows looked up ahead while the server boots)


_PREPARED: dict[tuple, Prepared] = {}  # prepared by run_reaudit while the API server starts, used once


def prepare(out_dir: Path, inputs: list[str] | None, *, as_of: str | None, policy: str | None,
            manifest: str | None, workers: int = 1) -> Prepared:
    """Load the previous run once, list and hash the input files (unchanged files are not read again),
    load the rules and see which files need analysing. No Prefect API needed."""
    before, old_rows = previous_run(out_dir)
    earlier = settings_of(before) if before else {}
    inputs = list(inputs or earlier.get("inputs") or [])
    if not inputs:
        raise NoPreviousRun("前回の実行記録がないため入力フォルダが分かりません。INPUT_DIR を指定してください。")
    policy = policy or earlier.get("policy") or "default"
    manifest = manifest or earlier.get("manifest")
    sources, hashed = discover_known([token_path(p) for p in inputs], out_dir)
    options = make_options(out_dir, as_of=as_of, policy=policy, manifest=manifest)
    rule_context(options)  # YAML parsed now (cached per process), while the server boots
    cache = AnalysisCache(options.cache_dir, ocr=options.ocr)
    fresh = sum(1 for s in sources if not cache.has(s.sha256))
    decided = DecidedRows(options, sources, workers=workers)
    return Prepared(inputs, policy, manifest, before, old_rows, sources, hashed, options, fresh, decided)


def prepared_key(out: str, inputs: list[str] | None, as_of: str | None, policy: str | None,
                 manifest: str | None) -> tuple:
    return (str(token_path(out).resolve()), tuple(path_token(token_path(p)) for p in inputs or ()), as_of, policy,
            manifest)


@flow(name="reaudit", log_prints=False)
def reaudit_flow(
    inputs: list[str] | None = None,
    out: str = "out",
    as_of: str | None = None,
    policy: str | None = None,
    manifest: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
) -> dict:
    quiet_libraries()
    started = now_local()
    out_dir = token_path(out)
    ready = _PREPARED.pop(prepared_key(out, inputs, as_of, policy, manifest), None)
    ready = ready or prepare(out_dir, inputs, as_of=as_of, policy=policy, manifest=manifest, workers=workers)
    inputs, policy, manifest, before, old_rows = ready.inputs, ready.policy, ready.manifest, ready.before, \
        ready.old_rows
    stats: dict = {"hashed": ready.hashed}
    documents = run_documents(ready.options)
    early = EarlyPictures(out_dir, documents)  # Word/Excel pictures converted while the files are read
    try:
        rows = with_machine_replacement(run_batches(ready.sources, ready.options, workers, stats,
                                                    on_rows=early.add, decided=ready.decided,
                                                    local=not dask_address))
        if not stats.get("terminated"):
            early.flush()  # the last Word/Excel batches convert while the register is written
        changes = compare(old_rows, rows, previous_run=before["id"] if before else None,
                          previous_started=before["started"] if before else None,
                          shown_rows=shown_rows(out_dir, rows)).to_json()
        run_info = {**make_run_info(rows, inputs=inputs, as_of=as_of, started=started), "changes": changes}
        args = {"command": "reaudit", "inputs": [path_token(p) for p in inputs], "as_of": as_of, "policy": policy,
                "manifest": manifest, "workers": workers, "dask_address": dask_address, **stats}
        # the drafts and e-forms settle while the last LibreOffice batch makes its pictures
        rows, paths = write_run(rows, out_dir, run_info=run_info, args=args, documents=documents,
                                pictures=lambda: last_pictures(early, stats), pictures_busy=early.busy)
    finally:
        early.finish(rest=not stats.get("terminated"))  # when the run failed before write_run waited for it
    forget_kept()
    clear_checkpoint(out_dir)
    if stats.get("terminated"):
        stop_all()  # SIGTERM: the register is in place; the workers still busy are ended
        end_terminated_run()
    publish_artifacts(rows, paths)
    create_markdown_artifact(markdown=markdown(changes), key="sealreview-changes",
                             description=summary_line(changes))
    counts = {k: len(changes[k]) for k in ("new_files", "removed_files", "changed_files", "decisions", "reviews")}
    return {"rows": len(rows), "paths": {k: str(v) for k, v in paths.items()}, "sentence": kawasaki_sentence(rows),
            "changes": counts, "changes_line": summary_line(changes), **stats}


@flow(name="scheduled-reaudit", log_prints=False)
def scheduled_reaudit(
    inputs: list[str],
    out: str,
    policy: str | None = None,
    manifest: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
    as_of: str | None = None,
) -> dict:
    """The served deployment: a re-audit as of today (Asia/Tokyo) unless `as_of` is given.

    Under `serve`, only with the parameters it was served with: a run asking for other folders or options
    (anyone who can reach the API could create one) is refused and logged (flows/serve.py)."""
    check_served(inputs=inputs, out=out, policy=policy, manifest=manifest, workers=workers,
                 dask_address=dask_address, as_of=as_of)
    configured = reaudit_flow.with_options(task_runner=task_runner(workers, dask_address))
    with run_lock(token_path(out), "scheduled-reaudit"):
        return configured(inputs=inputs, out=out, as_of=as_of, policy=policy, manifest=manifest, workers=workers,
                          dask_address=dask_address)


def check_served(**asked) -> None:
    """Raise OverrideRefused when a served run's parameters differ from those `serve` was started with."""
    served = served_parameters()
    if served is None:
        return
    different = sorted(k for k in set(served) | set(asked) if served.get(k) != asked.get(k))
    if different:
        message = (f"serve で指定されたものと異なる設定（{', '.join(different)}）での実行は拒否しました"
                   f" / refused a run with other settings than served: {', '.join(different)}")
        logging.getLogger(__name__).error(message)
        raise OverrideRefused(message)


def run_reaudit(
    *,
    inputs: list[str] | None,
    out: str,
    as_of: str | None = None,
    policy: str | None = None,
    manifest: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
) -> dict:
    """Run the re-audit flow on one shared API server. The files are listed and hashed while the server
    starts; when every file's analysis is cached, no worker process (or Dask cluster) is used at all."""
    key = prepared_key(out, inputs, as_of, policy, manifest)

    def get_ready(server_ready) -> None:
        ready = _PREPARED[key] = prepare(Path(out), inputs, as_of=as_of, policy=policy, manifest=manifest,
                                         workers=workers)
        cache = AnalysisCache(ready.options.cache_dir, ocr=ready.options.ocr)
        if ready.fresh and not dask_address:  # files to analyse: their workers load GiNZA while the server boots
            prestart(min(max(1, workers), len(make_batches([None] * ready.fresh, workers))))
        cached = [s for s in ready.sources if cache.has(s.sha256)]
        ready.decided.look_ahead(cached)  # the kept rows (and their e-forms, drafts) checked now, not in the flow
        redo = (s.sha256 for s in cached if not ready.decided.found_ahead(s))  # the rows to decide again
        cache.preload(redo, stop=server_ready)  # their analyses decoded until the server answers
        gc.freeze()  # the previous rows and the decoded entries live to the end: never scan them again

    with run_lock(out, "reaudit"), fewer_gc_passes():
        try:
            with prefect_api(while_starting=get_ready):
                idle = _PREPARED[key].fresh == 0
                runner = task_runner(1) if idle else task_runner(workers, dask_address)
                return reaudit_flow.with_options(task_runner=runner)(
                    inputs=[path_token(p) for p in inputs] if inputs else inputs, out=path_token(out), as_of=as_of, policy=policy, manifest=manifest, workers=workers,
                    dask_address=dask_address)
        finally:
            _PREPARED.pop(key, None)
            AnalysisCache.forget_preloaded()
            release_spares()  # pre-started workers no batch took


def serve_reaudit(
    *,
    inputs: list[str],
    out: str,
    cron: str,
    policy: str = "default",
    manifest: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
    as_of: str | None = None,
    port: int | None = None,
    name: str = "sealreview-reaudit",
) -> None:
    """Serve the re-audit deployment until interrupted (blocks)."""
    from prefect.flows import EntrypointType
    from prefect.schedules import Cron

    from flows.serve import AUTH_FILE, auth_string, prefect_server, serve_note, use_api

    schedule = Cron(cron, timezone="Asia/Tokyo")
    parameters = {"inputs": inputs, "out": out, "policy": policy, "manifest": manifest, "workers": workers,
                  "dask_address": dask_address, "as_of": as_of}
    os.environ[SERVED_ENV] = json.dumps(parameters, ensure_ascii=False)  # flow runs inherit it: no overrides
    own = not os.environ.get("PREFECT_API_URL")
    secret = auth_string() if own else os.environ.get("PREFECT_API_AUTH_STRING")
    extra = {"PREFECT_SERVER_API_AUTH_STRING": secret} if own and secret else None
    with prefect_server(port=port, extra_env=extra) as api_url, serve_note(api_url if own else None):
        os.environ["PREFECT_API_URL"] = api_url
        if secret:
            os.environ["PREFECT_API_AUTH_STRING"] = secret
        print(f"Prefect サーバー: {api_url.removesuffix('/api')}（UI）", flush=True)
        if own:
            print(f"UI と API にはパスワードが必要です（{prefect_home() / AUTH_FILE} の内容）", flush=True)
        print(f"再監査を「{cron}」（日本時間）に実行します。終了するには Ctrl+C を押してください。", flush=True)
        with use_api(api_url, auth=secret):
            scheduled_reaudit.serve(name=name, schedules=[schedule], parameters=parameters,
                                    entrypoint_type=EntrypointType.MODULE_PATH, print_starting_message=False,
                                    tags=["sealreview"])
