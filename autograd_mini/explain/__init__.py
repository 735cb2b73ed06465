"""What shows a pass in words and numbers: the trace, the quiz, the expression reader.

* :mod:`.trace` -- ``trace(out)``: every forward value and chain-rule product with its formula;
* :mod:`.quiz` -- the backward pass as blanks to fill in, checked against the engine;
* :mod:`.expression` -- ``parse("tanh(x*w + b)", at)``: typed text to a graph, never ``eval``.
"""
