"""``python -m comity.cli``: the same as the ``comity`` command."""

from comity.cli import main

main()
