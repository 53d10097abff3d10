"""classifiers/: stage 3 — detect: `Document` → `Detection` (seal and signature requests, with rule id, text,
location and score). Patterns are data (patterns/*.yaml, ids, versions, examples); GiNZA (nlp.py) parses only
candidate sentences.

- engine.py: the entry point; lines.py: pattern roles over each line; normalize.py: the matching view of a line.
- seal.py: is this 印 a box to stamp; negation.py, scope.py: negation, and which document a sentence is about
  (GiNZA dependency parse); ocr_confusions.py (+ .yaml): the key words tesseract misreads; title.py: 様式名.
- summary.py: what the findings add up to; models.py: the findings; fields/: the form's input fields (e-forms).
Imports extractors/ only.
"""
