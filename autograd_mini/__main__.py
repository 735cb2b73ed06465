"""``python -m autograd_mini`` is the ``autograd-mini`` command."""

import sys

from .cli import main

sys.exit(main())
