# Student version generated from the reference solution by `grader build`.
# Fill in each `raise NotImplementedError()`; keep names and signatures.
"""Exercise minibatch_sgd: minibatch stochastic gradient descent by hand.

Same model and loss as torch_gd (y = x @ a, mean squared error), but each
update uses the mean squared error of one minibatch only. An epoch is one
pass over the data in a random order: shuffle the indices 0, ..., N-1 with
`torch.randperm(N, generator=generator)`, cut them into consecutive
batches of `batch_size` (the last batch is smaller when batch_size does
not divide N) and make one update per batch. So every epoch uses every
example exactly once. (Drawing indices with `randint(1, N)` never picks
example 0, and drawing with replacement repeats some examples and skips
others: both are wrong here.)

Draw every random number from `generator` and from nothing else, so the
same generator seed always gives the same result. As in torch_gd, update
under `torch.no_grad()` and zero `a.grad` after every update.

dtype policy: the grader passes float64 tensors and expects float64 back.

Full marks need (from course.yml):
- every_sample (2 points): Each epoch uses every example exactly once, in batches of
  batch_size (last one smaller); example 0 included (the randint(1, N) slip).
- full_batch (1 point): With batch_size = N every epoch is one full-batch GD step, and
  a_2 comes back detached: the losses and end point equal exact float64 gradient descent
  (relative error at most 1e-10).
- iterates (2 points): On real data, the minibatch losses and the end point equal exact
  float64 SGD over the batches the same generator seed produced (relative error at most
  1e-10).
- deterministic (1 point): The same generator seed gives the same result twice; another
  seed gives another order (the generator is really used).
- time limit: 30 s per check.
- hidden checks (3 points) hold the same standards on inputs you have not seen (other
  sizes, seeds and data).
"""
import torch


def sgd_linear(x_N2, y_N, a0_2, lr, batch_size, n_epochs, generator):
    """Run minibatch SGD on the mean squared error of y = x @ a.

    Args
    ----
    x_N2 : torch.Tensor, shape (N, 2), dtype float64. It is NOT modified
        (shuffle indices, not the data: the caller's rows keep their order).
    y_N : torch.Tensor, shape (N,), dtype float64. It is NOT modified.
    a0_2 : torch.Tensor, shape (2,), dtype float64; the start point. It is
        NOT modified.
    lr : float; the step size
    batch_size : int; examples per update (the last batch of an epoch may
        be smaller)
    n_epochs : int; passes over the data
    generator : torch.Generator; the only source of randomness

    Returns
    -------
    a_2 : torch.Tensor, shape (2,), dtype float64, detached; the last point
    losses : list of floats, one per update (n_epochs * ceil(N / batch_size)
        in all); each is the minibatch loss computed before its update
    """
    # YOUR CODE HERE
    raise NotImplementedError()
