"""Core templates of Facilitator, installed as the package ``facilitator_templates``."""
from pathlib import Path

#: The folder holding the core Jinja templates.
TEMPLATE_DIR = Path(__file__).resolve().parent
