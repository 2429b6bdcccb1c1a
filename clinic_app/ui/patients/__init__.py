"""The patients page: search as you type, the list, the detail and the edit form."""
