"""`python -m clinic_app.server` is `clinic-server`."""

import sys

from clinic_app.server.cli import main

sys.exit(main())
