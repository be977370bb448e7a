"""Errors of the indexer, one small hierarchy.

    IndexerError
    ├── DocumentReadError      one source file could not be read (the build skips it)
    ├── CorpusError            the corpus as a whole is unusable (missing folder, no documents)
    ├── EmbedderError          an embedding backend could not be loaded or failed
    └── IndexLoadError         a published index is missing, corrupt or incompatible

Messages are written for the person running the command and say what to do.
"""

from __future__ import annotations

from pathlib import Path


class IndexerError(Exception):
    """Base for all indexer failures."""


class DocumentReadError(IndexerError):
    """A single source document could not be read; the build skips it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


class CorpusError(IndexerError):
    """The corpus folder is missing or holds no readable document."""


class EmbedderError(IndexerError):
    """An embedding backend could not be loaded or failed while embedding."""


class IndexLoadError(IndexerError):
    """A published index is missing, corrupt or incompatible with the settings."""
