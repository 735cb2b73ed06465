"""Run the 'xor' demo: `python demos/xor.py --help` lists its options."""

from autograd_mini.demos.xor import main

if __name__ == "__main__":
    raise SystemExit(main())
