"""The policy packs shipped with Counter, one TOML file per organisation."""
