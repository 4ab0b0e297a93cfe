import sys

from hardware.streams.cli import main

sys.exit(main())
