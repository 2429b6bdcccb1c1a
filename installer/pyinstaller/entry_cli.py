"""The frozen command line's entry point (`clinic` in the bundle)."""

import sys

from clinic_app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
