"""summit-briefs: think-tank briefs on the 2019 Hanoi summit -> a coded, traceable dataset.

`load_tables()` reads the output tables into pandas with their documented dtypes.
"""

from pipeline.loader import load_tables

__all__ = ["load_tables"]
