"""Records, then updates, in every iteration: the history is right, but the returned x_D
has had one update too many (n_iters instead of n_iters - 1)."""
# exercise: trid
import copy


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    x_D = copy.deepcopy(init_x_D)
    history = dict(iter=[], f=[], x_D=[], g_D=[])
    for iter_id in range(n_iters):
        g_D = g(x_D)
        history['iter'].append(iter_id)
        history['f'].append(f(x_D))
        history['x_D'].append(x_D)
        history['g_D'].append(g_D)
        x_D = x_D - step_size * g_D
    return x_D, history
