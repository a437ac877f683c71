"""`python -m pressroom`: the same command line as `pressroom`."""

import sys

from pressroom.shells.cli import main

sys.exit(main())
