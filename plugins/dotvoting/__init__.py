"""Dot voting (placeholder until the plugin lands)."""
