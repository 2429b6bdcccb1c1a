"""Small reusable widgets: validated forms, empty states, confirmation dialogs."""
