"""The hearings' background work, one module per concern (``reminders``: notices and
reminders; ``recording``: the recording's merge). Every module of the package is imported
here, so the worker's autodiscovery (``core.periodic.jobs``) finds their periodic jobs."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
