"""Ingest stage: PDF and TXT briefs -> clean text, paragraphs with pages, metadata."""
