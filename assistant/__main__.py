"""`python -m assistant`."""

import os
import sys

# One OpenMP thread per embedding, with two model copies serving requests side by side
# (`WEGWIJZER_EMBEDDER_INSTANCES`): on 2 cores this doubles throughput at the same latency
# (README, Performance). It must be set before any library starts OpenMP.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from assistant.cli import main

sys.exit(main())
