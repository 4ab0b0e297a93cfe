import sys

from hardware.fleet.cli import main

sys.exit(main())
