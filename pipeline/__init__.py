"""summit-briefs."""
