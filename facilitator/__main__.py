"""``python -m facilitator`` runs the command line."""

from facilitator.cli import main

main()
