"""Shipped content: policy packs, letter templates, practice scenarios, fonts."""
