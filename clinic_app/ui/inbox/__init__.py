"""The inbox page and its unread badge."""
