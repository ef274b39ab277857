"""``python -m mtfix`` is the ``mtfix`` command."""

from mtfix.cli.app import main

main()
