"""Textual screens (installed as counter_tui.screens): thin views that call the services."""
