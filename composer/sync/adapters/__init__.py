"""One adapter module per service; ``ADAPTERS`` maps an account kind to its class."""

from __future__ import annotations

import importlib

from composer.sync.adapters.base import AdapterFactory

_CLASSES = {
    "datamotion": ("composer.sync.adapters.datamotion", "DataMotionAdapter"),
    "onlyoffice": ("composer.sync.adapters.onlyoffice", "OnlyofficeAdapter"),
    "exante": ("composer.sync.adapters.exante", "ExanteAdapter"),
    "mykaarma": ("composer.sync.adapters.mykaarma", "MykaarmaAdapter"),
    "rebilly": ("composer.sync.adapters.rebilly", "RebillyAdapter"),
    "imap": ("composer.sync.adapters.imap", "ImapAdapter"),
}

KINDS = tuple(_CLASSES)


def adapter_class(kind: str) -> AdapterFactory:
    """The adapter class for ``kind`` (imported on first use, keeping start-up light)."""
    module_name, class_name = _CLASSES[kind]
    module = importlib.import_module(module_name)
    factory: AdapterFactory = getattr(module, class_name)
    return factory
