import sys

from impact_warehouse.cli import main

sys.exit(main())
