"""Start-up: first-run setup, unlocking the store, signing in."""
