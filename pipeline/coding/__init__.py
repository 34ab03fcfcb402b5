"""Coding stage: parsed Docs and positions -> `codes` (codebook hits per sentence).

`codebook` loads and validates configs/codebook.yaml; `rules` turns it into spaCy matchers and
codes each sentence (variable, value, holder, assessment) with traceable cue offsets.
"""
