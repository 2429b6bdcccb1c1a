"""The reference FHIR R4 sync server: FastAPI over SQLAlchemy (SQLite or PostgreSQL).

Its own composition root: `clinic_app.server.app.create_app(config)` builds everything from a
`ServerConfig`; `clinic_app.server.cli` is the `clinic-server` command. Nothing here imports Qt
or the workstation services.
"""
