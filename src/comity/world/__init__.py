"""Who is who, and when: reference data with no votes.

- :mod:`~comity.world.states`: canonical codes, every spelling, lineage (USSR → Russia, …) and
  UN membership periods;
- :mod:`~comity.world.blocs`: blocs and groups with dated membership, and user bloc files;
- :mod:`~comity.world.issues`: Voeten's six issue codes and their names;
- :mod:`~comity.world.recurring`: the rule that groups recurring resolution texts.

The tables behind them are in ``comity/world/data/`` (each row with its source).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports

if TYPE_CHECKING:
    from comity.world.blocs import Bloc, Membership, builtin_blocs, get_bloc, load_bloc_file
    from comity.world.issues import ISSUES, issue_code
    from comity.world.recurring import recurring_key, recurring_keys
    from comity.world.states import lookup, members_at, name, resolve

_EXPORTS = {
    "Bloc": ".blocs", "Membership": ".blocs", "builtin_blocs": ".blocs", "get_bloc": ".blocs",
    "load_bloc_file": ".blocs", "ISSUES": ".issues", "issue_code": ".issues",
    "recurring_key": ".recurring", "recurring_keys": ".recurring", "lookup": ".states",
    "members_at": ".states", "name": ".states", "resolve": ".states",
}
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = [
    "ISSUES",
    "Bloc",
    "Membership",
    "builtin_blocs",
    "get_bloc",
    "issue_code",
    "load_bloc_file",
    "lookup",
    "members_at",
    "name",
    "recurring_key",
    "recurring_keys",
    "resolve",
]
