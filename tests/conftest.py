"""Make debtor_dunning.core importable without the addon's odoo-importing __init__."""

import sys
import types
from pathlib import Path

# A bare package whose __path__ is the addon folder: importing debtor_dunning.core then
# finds core/ there without executing debtor_dunning/__init__.py (which imports odoo).
_addon = types.ModuleType("debtor_dunning")
_addon.__path__ = [str(Path(__file__).resolve().parent.parent / "debtor_dunning")]
sys.modules.setdefault("debtor_dunning", _addon)
