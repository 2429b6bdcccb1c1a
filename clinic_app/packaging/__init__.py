"""Machine-wide configuration for packaged installs (no Qt, standard library only)."""
