"""Letter templates shipped with Counter, one TOML file per letter the guidance names."""
