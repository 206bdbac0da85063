"""Entry point of ``python -m consensus``; see :mod:`consensus.cli`."""

from .cli import main

raise SystemExit(main())
