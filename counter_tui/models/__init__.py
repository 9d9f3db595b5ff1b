"""Pydantic models the store hands out and the services and screens work with."""
