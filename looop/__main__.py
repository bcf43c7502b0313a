"""`python -m looop` runs the same CLI as the `looop` console script."""

from looop.cli import main

raise SystemExit(main())
