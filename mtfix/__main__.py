"""``python -m mtfix`` is the ``mtfix`` command."""

try:
    from mtfix.cli.app import main
except KeyboardInterrupt:  # Ctrl-C during start-up imports: exit 130, no traceback
    raise SystemExit(130) from None

main()
