"""Uses the mean of squared residuals instead of the sum."""
# exercise: linreg_bias
import autograd.numpy as ag_np


def linreg_neg_log_lik(wtilde_E, xtilde_NE, y_N, sigma=0.1):
    return 0.5 / sigma ** 2 * ag_np.mean(ag_np.square(y_N - ag_np.dot(xtilde_NE, wtilde_E)))
