import sys

from proxy_attention.cli import main

sys.exit(main())
