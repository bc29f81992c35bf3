"""Fishbowl (placeholder until the plugin lands)."""
