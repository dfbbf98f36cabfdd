"""``python -m service.cli`` runs the ``hromada`` command."""

import sys

from service.cli import main

sys.exit(main())
