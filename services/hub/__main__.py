"""`python -m services.hub` = `safecampus-hub`."""

import sys

from services.hub.cli import main

sys.exit(main())
