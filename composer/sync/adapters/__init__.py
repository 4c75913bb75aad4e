"""One adapter module per service; ``adapter_class`` resolves an account kind to its class
through the service registry (``composer.domain.services``)."""

from __future__ import annotations

import importlib

from composer.domain.services import KINDS, service
from composer.sync.adapters.base import AdapterFactory

__all__ = ["KINDS", "adapter_class"]


def adapter_class(kind: str) -> AdapterFactory:
    """The adapter class for ``kind`` (imported on first use, keeping start-up light)."""
    module_name, _, class_name = service(kind).adapter.partition(":")
    module = importlib.import_module(module_name)
    factory: AdapterFactory = getattr(module, class_name)
    return factory
