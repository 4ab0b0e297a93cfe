"""`python -m services.csv_import ...`: see services/csv_import/cli.py."""

from services.csv_import.cli import main

raise SystemExit(main())
