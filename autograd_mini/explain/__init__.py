"""What shows a pass in words and numbers: the trace, the quiz, the expression reader.

* :mod:`.trace` -- ``trace(out)``: every forward value and chain-rule product with its formula;
* :mod:`.quiz` -- the backward pass as blanks to fill in, checked against the engine;
* :mod:`.expression` -- ``parse("tanh(x*w + b)", at)``: typed text to a graph, never ``eval``;
* :mod:`.units` -- ``paper_view(net, inputs, targets)``: a backward pass unit by unit in the
  1986 paper's symbols and equation numbers, every number read from the engine's sweep;
* :mod:`.layers` -- ``layer_view(mlp, inputs, targets)``: the same step as vectors and matrices;
* :mod:`.patterns` -- softmax with cross-entropy gives p − t; the products a sweep makes.
* :mod:`.watch` -- ``watch(model)``: a training run's record, step by step;
"""
