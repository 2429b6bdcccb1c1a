"""The frozen desktop app's entry point (`clinic-app` in the bundle)."""

import sys

from clinic_app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
