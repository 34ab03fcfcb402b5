"""NLP stage: spaCy components that find actor, proposal and approach mentions in briefs.

`vocab` loads the YAML vocabularies (configs/actors.yaml, configs/proposals.yaml) into frozen
dataclasses and token patterns; `matchers` holds the `briefs_*` pipeline components.
"""
