"""`python -m eval`: see `eval.cli`."""

from __future__ import annotations

from eval.cli import main

raise SystemExit(main())
