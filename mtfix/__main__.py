"""``python -m mtfix`` is the ``mtfix`` command."""

from mtfix.startup import pause

pause()  # the collector off during start-up's imports (mtfix.startup); on again once the command's are done

try:
    from mtfix.cli.main import main
except KeyboardInterrupt:  # Ctrl-C during start-up imports: exit 130, no traceback
    raise SystemExit(130) from None

main()
