"""Errors of the service; `assistant.api` is the only place that turns them into HTTP errors.

AssistantError
├── IndexUnavailableError   no usable index is loaded (503)
└── NotFoundError           a document or passage that does not exist (404)
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base for service failures."""


class IndexUnavailableError(AssistantError):
    """No usable index: missing, damaged, or built with another embedder."""


class NotFoundError(AssistantError):
    """A requested document or passage does not exist."""
