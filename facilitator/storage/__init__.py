"""Storage backends behind one small interface."""
