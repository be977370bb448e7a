"""Indexer: turns the documents in `corpus/` into a hybrid (BM25 + dense) search index."""

from indexer.build import BuildReport, build_index
from indexer.settings import IndexSettings
from indexer.store import IndexStore

__all__ = ["BuildReport", "IndexSettings", "IndexStore", "build_index"]
