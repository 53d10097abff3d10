"""output/pipeline/: one file through every stage, as plain functions (no Prefect).

- steps.py: `process_file` = extract → detect → decide → a register row (+ evidence picture, e-form, draft),
  taking extract+detect from the analysis cache (output/store/) when the same bytes were analysed before;
  `process_batch`, `error_row`, `batch_outcome` (a dead worker's batch becomes error rows), `versions`.
- guard.py: the per-file time and memory limits, and the command's SIGTERM handling.
- tuning.py: quiet library loggers, fewer cyclic-GC passes.

The flows (flows/scan.py, flows/reaudit.py) run `process_batch` inside coarse Prefect tasks; tests call
it directly. It lives in output/ because it is the last layer: it may use extractors, classifiers and
rules, and nothing below imports it.
"""
