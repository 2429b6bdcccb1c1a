"""The main window and what frames every page: navigation, status bar, lock screen."""
