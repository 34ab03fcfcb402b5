"""`python -m pipeline` is the same as the `briefs` command."""

import sys

from pipeline.cli import main

sys.exit(main())
