"""Run the 'bptt' demo: `python demos/bptt.py --help` lists its options."""

from autograd_mini.demos.bptt import main

if __name__ == "__main__":
    raise SystemExit(main())
