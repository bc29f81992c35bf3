"""The methods bundled with Facilitator; each subpackage is a plugin loaded through the ``facilitator`` entry-point group."""
