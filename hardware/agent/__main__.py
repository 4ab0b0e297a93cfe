import sys

from hardware.agent.cli import main

sys.exit(main())
