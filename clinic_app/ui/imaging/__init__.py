"""The imaging page: import wizard, image viewer and the AI decision-support panel."""
