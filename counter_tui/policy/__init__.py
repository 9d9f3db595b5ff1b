"""Policy packs: each organisation's procedure as data, with its loader, linter and a pure engine."""
