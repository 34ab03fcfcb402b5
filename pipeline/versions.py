"""Cache versions of the stages' code, in one light module (no heavy imports).

Bump a stage's number when a change to its code changes its output: its per-document
caches (and everything after it) are then rebuilt instead of trusted.
"""

EXTRACTOR_VERSION = 1  # ingest: PDF/TXT extraction
NLP_VERSION = 14  # nlp: layout, matchers, positions
CODING_VERSION = 25  # coding: rules, classifier use, aggregation to doc_codes
