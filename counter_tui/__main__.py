"""Allow `python -m counter_tui` as well as the `counter` command."""

from counter_tui.cli import main

main()
