"""The desktop shell: the only package that imports PySide6 (and qtawesome).

Views are widgets without service calls; item models adapt the core's frozen dataclasses;
controllers run service calls on the background `TaskRunner` and push results into models.
"""
