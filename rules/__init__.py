"""rules/: stage 4 — decide: `Document` + `Detection` → `Decision` (判定, reason, rule id, evidence), on an as-of
date, from data: the legal-basis catalogue (data/legal_bases.yaml, data/laws/*.yaml), the policy
(data/policies/*.yaml), document classes, online classes and the staff's manifest.

- engine.py: the decision procedure, each step a named rule; trust.py: step 1 (signals that cannot be trusted).
- catalogue.py, citations.py, basis.py: which laws a form cites and what the national record says of them.
- policy.py, doc_class.py, manifest.py, online.py: the city's choices and sheets; form.py: what the steps see.
- evidence.py, confidence.py, models.py: what a decision carries and how sure it is (named levels);
  laws_report.py: `sealreview laws`; errors.py, yamlio.py: the data loaders' shared parts.
Imports extractors/ and classifiers/ only.
"""
