"""The admin for service staff: every content model, with inlines, search and filters, one
module per part of the content, in the order a new problem is built (index.py)."""

from . import cases, causes, index, procedures, questions, search, vehicles  # noqa: F401
