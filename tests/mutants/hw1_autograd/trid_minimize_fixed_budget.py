"""minimize_trid runs a fixed 300 steps of size 0.25: plenty for D = 2, too few for D = 10,
whose Hessian's smallest eigenvalue is about 0.08."""
# exercise: trid


def minimize_trid(init_x_D):
    x_D, _ = run_many_iters_of_gradient_descent(trid, trid_grad, init_x_D, n_iters=301,
                                                step_size=0.25)
    return x_D
