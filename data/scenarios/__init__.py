"""Practice scenarios shipped with Counter, one TOML file each (see `counter_tui/policy/scenario.py`)."""
